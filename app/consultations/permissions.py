"""Who may do what in a consultation: the HTTP views, the socket handlers and the services ask here.

Every function takes the `Viewer` (app.communities.access) first, then the consultation (or the motion)
when there is one. A viewer stands in one community: they act in a consultation only as a member of its
community (street and district staff overseeing it may read it).
"""

from __future__ import annotations

from app.communities.access import Viewer
from app.communities.models import Role
from app.consultations.models import Consultation, Motion, Phase, Speech

CONVENORS = (Role.COMMUNITY_STAFF, Role.BUILDING_LEADER, Role.GROUP_LEADER, Role.RESIDENT_REP)
# Official parties take part in every consultation of their community, whatever its scope.
OFFICIAL = (Role.COMMUNITY_STAFF, Role.PROPERTY_MANAGER, Role.OWNERS_COMMITTEE, Role.SOCIAL_ORG)
# Who may speak and vote at all: residents and the official parties.
PARTICIPANTS = (Role.RESIDENT, Role.OWNER, *OFFICIAL)
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


def in_scope(viewer: Viewer, consultation: Consultation) -> bool:
    """A building's consultation is for that building's residents, the official parties and the chair."""
    if not _verified_of(viewer, consultation):
        return False
    if consultation.building_id is None or viewer.is_user(consultation.chair_id):
        return True
    return viewer.has_role(*OFFICIAL) or viewer.membership.building_id == consultation.building_id


def can_participate(viewer: Viewer, consultation: Consultation) -> bool:
    """Speak, move, second, vote: verified, in scope, a resident or an official party (or the chair)."""
    if not in_scope(viewer, consultation):
        return False
    return viewer.has_role(*PARTICIPANTS) or viewer.is_user(consultation.chair_id)


def can_manage(viewer: Viewer, consultation: Consultation) -> bool:
    """Edit, change the phase, change the rules: the convenor, the chair and staff."""
    if not _verified_of(viewer, consultation):
        return False
    if is_chair(viewer, consultation) or is_staff(viewer, consultation):
        return True
    return viewer.is_user(consultation.created_by_id) and can_convene(viewer)


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
