"""Who may do what in a consultation: the HTTP views, the socket handlers and the services ask here.

Every function takes the `Viewer` (app.communities.access) first, then the consultation (or the motion)
when there is one. A viewer stands in one community: they act in a consultation only as a member of its
community (street and district staff overseeing it may read it).
"""

from __future__ import annotations

from app.communities.access import Viewer
from app.communities.models import Role
from app.consultations.models import Consultation, Motion, Party, Phase, Speech

CONVENORS = (Role.COMMUNITY_STAFF, Role.BUILDING_LEADER, Role.GROUP_LEADER, Role.RESIDENT_REP)
# Convenors for the whole community and any building; a building leader convenes for their building only.
COMMUNITY_CONVENORS = (Role.COMMUNITY_STAFF, Role.GROUP_LEADER, Role.RESIDENT_REP)
# Who takes part for each party (参与方) a consultation lists: the parties decide who speaks and votes.
PARTY_ROLES = {
    Party.RESIDENTS_COMMITTEE: (Role.COMMUNITY_STAFF,),
    Party.OWNERS_COMMITTEE: (Role.OWNERS_COMMITTEE,),
    Party.PROPERTY_MANAGER: (Role.PROPERTY_MANAGER,),
    Party.SOCIAL_ORG: (Role.SOCIAL_ORG,),
    Party.RESIDENT_UNIT: (Role.RESIDENT_UNIT,),
    Party.RESIDENTS: (Role.RESIDENT, Role.OWNER),
}
RESIDENTS = PARTY_ROLES[Party.RESIDENTS]
CLOSED = (Phase.CONCLUDED, Phase.ARCHIVED)


def _here(viewer: Viewer, consultation: Consultation) -> bool:
    return viewer.community_id == consultation.community_id


def _of(viewer: Viewer, consultation: Consultation) -> bool:
    """A member (any status) of the consultation's community."""
    return viewer.is_member and _here(viewer, consultation)


def _verified_of(viewer: Viewer, consultation: Consultation) -> bool:
    return viewer.is_verified and _here(viewer, consultation)


def is_staff(viewer: Viewer, consultation: Consultation) -> bool:
    return _here(viewer, consultation) and viewer.is_staff


def is_chair(viewer: Viewer, consultation: Consultation) -> bool:
    return _verified_of(viewer, consultation) and viewer.is_user(consultation.chair_id)


def can_convene(viewer: Viewer) -> bool:
    """Staff, building leaders, group leaders and resident representatives start consultations."""
    return viewer.has_role(*CONVENORS)


def can_convene_for(viewer: Viewer, building_id: int | None) -> bool:
    """Staff, group leaders and resident representatives convene for the whole community or any building;
    a building leader only for a building they lead."""
    if viewer.has_role(*COMMUNITY_CONVENORS):
        return True
    return (
        building_id is not None
        and viewer.has_role(Role.BUILDING_LEADER)
        and building_id in viewer.membership.led_building_ids()
    )


def can_view(viewer: Viewer, consultation: Consultation) -> bool:
    """Members of the community read every consultation past draft; a draft only its convenor,
    chair and staff; street and district staff read their communities'."""
    if consultation.phase == Phase.DRAFT:
        return _of(viewer, consultation) and (
            viewer.is_user(consultation.created_by_id)
            or viewer.is_user(consultation.chair_id)
            or is_staff(viewer, consultation)
        )
    return _here(viewer, consultation) and viewer.may_see


def can_view_motion(viewer: Viewer, motion: Motion) -> bool:
    return can_view(viewer, motion.consultation)


def can_view_speech(viewer: Viewer, speech: Speech) -> bool:
    return can_view(viewer, speech.consultation)


def parties_of(consultation: Consultation) -> set[Party]:
    known = {p.value for p in Party}
    return {Party(p) for p in consultation.parties or () if p in known}


def _scope(viewer: Viewer, consultation: Consultation) -> str | None:
    """A building's consultation is for that building's residents."""
    if consultation.building_id is not None and viewer.membership.building_id != consultation.building_id:
        return "not_in_scope"
    return None


def _as_party(viewer: Viewer, consultation: Consultation) -> str | None:
    """None if the viewer takes part for one of the consultation's parties (residents within its building's
    scope; the official parties whatever the scope) or chairs it; else why not (a refusal code)."""
    if not _verified_of(viewer, consultation):
        return "not_verified"
    if viewer.is_user(consultation.chair_id):
        return None
    parties = parties_of(consultation)
    official = [role for party in parties - {Party.RESIDENTS} for role in PARTY_ROLES[party]]
    if official and viewer.has_role(*official):
        return None
    if Party.RESIDENTS in parties and viewer.has_role(*RESIDENTS):
        return _scope(viewer, consultation)
    return "not_a_party"


def is_party(viewer: Viewer, consultation: Consultation) -> bool:
    """The viewer takes part in the consultation for one of its parties, or chairs it."""
    return _as_party(viewer, consultation) is None


def refusal_to_speak(viewer: Viewer, consultation: Consultation) -> str | None:
    """Why the viewer may not speak or raise a hand (a refusal code), or None if they may: the parties, and
    residents who are not a party when the rule set lets them speak."""
    refusal = _as_party(viewer, consultation)
    if refusal == "not_a_party" and consultation.rule_set.non_party_may_speak and viewer.has_role(*RESIDENTS):
        return _scope(viewer, consultation)
    return refusal


def refusal_to_vote(viewer: Viewer, consultation: Consultation) -> str | None:
    """Why the viewer may not move, second or vote (a refusal code), or None if they may: the parties only."""
    refusal = _as_party(viewer, consultation)
    if refusal == "not_a_party" and refusal_to_speak(viewer, consultation) is None:
        return "not_a_party_vote"  # a resident the rule set lets speak, not decide
    return refusal


def can_speak(viewer: Viewer, consultation: Consultation) -> bool:
    """Speak and raise a hand: see refusal_to_speak."""
    return refusal_to_speak(viewer, consultation) is None


def can_vote(viewer: Viewer, consultation: Consultation) -> bool:
    """Move, second and vote: see refusal_to_vote."""
    return refusal_to_vote(viewer, consultation) is None


def can_manage(viewer: Viewer, consultation: Consultation) -> bool:
    """Edit, change the phase, change the rules: the convenor, the chair and staff."""
    if not _verified_of(viewer, consultation):
        return False
    if is_chair(viewer, consultation) or is_staff(viewer, consultation):
        return True
    return viewer.is_user(consultation.created_by_id) and can_convene_for(viewer, consultation.building_id)


def can_edit_rules(viewer: Viewer, consultation: Consultation) -> bool:
    """The rules page offers the form: to those who manage it, until it concludes."""
    return can_manage(viewer, consultation) and consultation.phase not in CLOSED


def can_moderate(viewer: Viewer, consultation: Consultation) -> bool:
    """Hide, mute, lock: the chair and staff. The property manager never moderates."""
    return is_chair(viewer, consultation) or is_staff(viewer, consultation)


def can_chair(viewer: Viewer, consultation: Consultation) -> bool:
    """Grant the floor and call the vote: the chair only."""
    return is_chair(viewer, consultation)


def can_yield_floor(viewer: Viewer, consultation: Consultation) -> bool:
    """The holder gives the floor back; the chair takes it back."""
    return viewer.is_user(consultation.floor_holder_id) or can_chair(viewer, consultation)


def can_report(viewer: Viewer, consultation: Consultation) -> bool:
    """Any verified member of the community reports a speech."""
    return _verified_of(viewer, consultation)


def can_withdraw(viewer: Viewer, motion: Motion) -> bool:
    """Only the mover withdraws a motion."""
    return viewer.is_user(motion.mover_id)


def can_attach(viewer: Viewer, consultation: Consultation) -> bool:
    """The convenor, the chair and staff attach background papers."""
    return can_manage(viewer, consultation)


def can_remove_attachment(viewer: Viewer, consultation: Consultation) -> bool:
    """The same people remove an attached file (it stays in the record)."""
    return can_manage(viewer, consultation)
