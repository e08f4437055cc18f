"""Who may do what with owners' decisions: every rule takes the `Viewer` (app.communities.access) and,
where there is one, the decision.

Counting (opening a decision, entering paper ballots, closing, certifying, answering objections) belongs to
the owners' committee and community staff; the property manager never tallies, whatever else they hold.
"""

from __future__ import annotations

from app.communities.access import Viewer
from app.communities.models import Role
from app.decisions.models import Decision, DecisionState


def can_count(viewer: Viewer) -> bool:
    """The owners' committee and community staff run decisions and count them; never the property manager."""
    return viewer.has_role(Role.OWNERS_COMMITTEE, Role.COMMUNITY_STAFF) and not viewer.has_role(Role.PROPERTY_MANAGER)


def can_view(viewer: Viewer, decision: Decision | None = None) -> bool:
    """Members of the community (unverified too) and street/district staff read decisions and results; a draft
    only the counters."""
    if not viewer.may_see:
        return False
    if decision is None:
        return True
    if decision.community_id != viewer.community_id:
        return False
    return decision.state != DecisionState.DRAFT or can_count(viewer)


def can_see_outcome(viewer: Viewer, decision: Decision) -> bool:
    """The count: everyone once it is published; the counters while they count it."""
    return decision.state == DecisionState.ANNOUNCED or (decision.state == DecisionState.COUNTING and can_count(viewer))


def can_see_roll(viewer: Viewer) -> bool:
    """The roll of owners (names, rooms, floor areas) is the owners' own record: verified owners and the
    counters see it; unverified members (anyone holding an invite code), tenants, the property manager and
    street or district staff do not. The totals (owners, area) stay public on the decision's page."""
    return is_owner(viewer) or can_count(viewer)


def can_see_personal_data(viewer: Viewer) -> bool:
    """Counters see the roll's phone and room numbers; everyone else sees them masked."""
    return can_count(viewer)


def is_owner(viewer: Viewer) -> bool:
    """A verified owner of the community: may vote (if on the roll) and object."""
    return viewer.has_role(Role.OWNER)


def can_object(viewer: Viewer, decision: Decision) -> bool:
    """Verified owners of the community raise objections during 公示."""
    return is_owner(viewer) and decision.objections_open


def can_attach(viewer: Viewer, decision: Decision) -> bool:
    """Those who run the decision (the owners' committee, community staff) attach its quotes and reports."""
    return can_count(viewer)


def can_remove_attachment(viewer: Viewer, decision: Decision) -> bool:
    """The same people remove an attached file (it stays in the record)."""
    return can_count(viewer)


def can_appoint_proxy(viewer: Viewer, decision: Decision) -> bool:
    """A verified owner appoints a proxy (委托代理人) while voting is open."""
    return is_owner(viewer) and decision.state == DecisionState.VOTING


def can_record_proxy(viewer: Viewer) -> bool:
    """The counters record an authorisation signed at the office (and see every proxy)."""
    return can_count(viewer)


def can_revoke_proxy(viewer: Viewer, owner_user_id: int | None) -> bool:
    """The owner revokes their own proxy; staff revoke for an owner at the office."""
    return (owner_user_id is not None and viewer.is_user(owner_user_id)) or can_count(viewer)
