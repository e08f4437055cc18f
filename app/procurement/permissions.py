"""Who may do what with calls, applications, scores and contracts.

A call is not only its community's page: agents of the district's verified organisations and the panel's
experts see it without being members. So the rules take a `Party` (parties.py): the community `Viewer` of the
call's community (members, and the street and district staff who oversee it) plus what the user is to
procurement (the organisations they act for, the panels they sit on, the street offices they hold). Personal
data never crosses: applications show organisations, scores show experts' names only to those who see them.
"""

from __future__ import annotations

from app.communities.access import Viewer
from app.core.models import utcnow
from app.orgs.models import Organisation, OrgStatus
from app.procurement.models import Application, CallStatus, Contract, Milestone, MilestoneStatus, ServiceCall


def is_manager(party, call: ServiceCall) -> bool:
    """The call's community staff, or the street staff of its street: publish, award, evaluate and pay."""
    return party.viewer.is_staff or party.oversight.staffs_street(call.street_id)


def is_overseer(party) -> bool:
    """Street or district staff overseeing the call's community (read everything, change nothing)."""
    return party.viewer.oversees


def acts_for(party, organisation_id: int) -> bool:
    return organisation_id in party.agent_org_ids


def can_publish(party) -> bool:
    """Community staff publish calls for their community's items; street staff for their street's items."""
    return party.viewer.is_staff or party.oversight.staffs_street(party.viewer.community.street_id)


def can_view_call(party, call: ServiceCall) -> bool:
    """Members of the call's community, its overseers, its panel, and agents of the district's verified
    organisations."""
    if party.user is None:
        return False
    return (
        party.viewer.may_see
        or call.on_panel(party.user.id)
        or bool(party.verified_agent_org_ids_in(call.street.district_id))
    )


def can_apply(party, call: ServiceCall, organisation: Organisation) -> bool:
    """An agent of a verified organisation of the call's district (the qualification is checked by the service,
    with its message)."""
    return (
        acts_for(party, organisation.id)
        and organisation.status == OrgStatus.VERIFIED
        and organisation.district_id == call.street.district_id
        and call.status == CallStatus.OPEN
    )


def can_view_application(party, application: Application) -> bool:
    """Its organisation's agents, the call's managers, overseers and panel; everyone who sees the call once
    the award is published (with all scores)."""
    call = application.call
    if not can_view_call(party, call):
        return False
    return (
        acts_for(party, application.organisation_id)
        or is_manager(party, call)
        or is_overseer(party)
        or call.on_panel(party.user.id)
        or call.status == CallStatus.AWARDED
    )


def can_edit_application(party, application: Application) -> bool:
    return acts_for(party, application.organisation_id) and application.call.status == CallStatus.OPEN


def can_score(party, application: Application) -> bool:
    """A panel member, once applications are closed, until the scoring ends and before the award (a declared
    conflict, a scoring not yet open or already over are refused by the service with their messages)."""
    call = application.call
    return (
        call.on_panel(party.user.id if party.user else None)
        and call.status == CallStatus.OPEN
        and not call.scoring_ended_on(utcnow())
    )


def can_see_all_scores(party, call: ServiceCall) -> bool:
    """Managers and overseers see the scores as they come (they award); everyone who sees the call after the
    award; an expert sees others' scores of an application only after submitting theirs (services.sheet_view)."""
    return call.status == CallStatus.AWARDED or is_manager(party, call) or is_overseer(party)


def can_award(party, call: ServiceCall) -> bool:
    return is_manager(party, call) and call.status == CallStatus.OPEN


def can_view_contract(party, contract: Contract) -> bool:
    return can_view_call(party, contract.call)


def can_post_progress(party, contract: Contract) -> bool:
    return acts_for(party, contract.organisation_id)


def can_submit_milestone(party, milestone: Milestone) -> bool:
    return acts_for(party, milestone.contract.organisation_id) and milestone.status == MilestoneStatus.PENDING


def can_sign_off(party, milestone: Milestone) -> bool:
    """Staff managing the call, or an expert of its panel."""
    call = milestone.contract.call
    return is_manager(party, call) or call.on_panel(party.user.id if party.user else None)


def can_pay(party, contract: Contract) -> bool:
    return is_manager(party, contract.call)


# -- the documents kernel's owner kind "milestone" (evidence): a community Viewer ----------------------------


def admits_to_evidence(viewer: Viewer, milestone: Milestone) -> bool:
    """Who reaches a milestone's evidence without being the community's: the experts of the call's panel (they
    sign evaluations off) and the agents of the contracted organisation (they attach it). The documents kernel
    asks this (its owner kind's `admits`) of those the community's access rule leaves out."""
    contract = milestone.contract
    return contract.call.on_panel(viewer.user_id) or contract.organisation.is_agent(viewer.user_id)


def can_view_evidence(viewer: Viewer, milestone: Milestone) -> bool:
    """Members of the contract's community and its overseers, the call's panel, the organisation's agents."""
    return viewer.community_id == milestone.community_id and (viewer.may_see or admits_to_evidence(viewer, milestone))


def can_attach_evidence(viewer: Viewer, milestone: Milestone) -> bool:
    """The organisation's agents (members of the community or not), while the milestone is not yet evaluated."""
    organisation = milestone.contract.organisation
    return organisation.is_agent(viewer.user_id) and milestone.status in (
        MilestoneStatus.PENDING,
        MilestoneStatus.SUBMITTED,
    )


def can_remove_evidence(viewer: Viewer, milestone: Milestone) -> bool:
    return can_attach_evidence(viewer, milestone) or (viewer.is_staff and milestone.status != MilestoneStatus.PAID)
