"""Who may do what in a consultation. The same functions serve the HTTP views and the socket.

`member` is the actor's Membership of the consultation's community (None if they have none).
"""

from __future__ import annotations

from app.communities.models import Membership, Role
from app.consultations.models import Consultation, Phase

CONVENORS = (Role.COMMUNITY_STAFF, Role.BUILDING_LEADER, Role.GROUP_LEADER, Role.RESIDENT_REP)
# Official parties take part in every consultation of their community, whatever its scope.
OFFICIAL = (Role.COMMUNITY_STAFF, Role.PROPERTY_MANAGER, Role.OWNERS_COMMITTEE, Role.SOCIAL_ORG)
# Who may speak and vote at all: residents and the official parties.
PARTICIPANTS = (Role.RESIDENT, Role.OWNER, *OFFICIAL)


def _of(member: Membership | None, consultation: Consultation) -> bool:
    return member is not None and member.community_id == consultation.community_id


def is_staff(member: Membership | None, consultation: Consultation) -> bool:
    return _of(member, consultation) and member.has_role(Role.COMMUNITY_STAFF)


def is_chair(member: Membership | None, consultation: Consultation) -> bool:
    return _of(member, consultation) and member.is_verified and member.user_id == consultation.chair_id


def can_convene(member: Membership | None) -> bool:
    """Staff, building leaders, group leaders and resident representatives start consultations."""
    return member is not None and member.has_role(*CONVENORS)


def can_view(member: Membership | None, consultation: Consultation, *, oversees: bool = False) -> bool:
    """Members of the community read every consultation past draft; a draft only its convenor,
    chair and staff; street and district staff read their communities'."""
    if consultation.phase == Phase.DRAFT:
        return _of(member, consultation) and (
            member.user_id in (consultation.created_by_id, consultation.chair_id) or is_staff(member, consultation)
        )
    return oversees or _of(member, consultation)


def in_scope(member: Membership | None, consultation: Consultation) -> bool:
    """A building's consultation is for that building's residents, the official parties and the chair."""
    if not _of(member, consultation) or not member.is_verified:
        return False
    if consultation.building_id is None or member.user_id == consultation.chair_id:
        return True
    return member.has_role(*OFFICIAL) or member.building_id == consultation.building_id


def can_participate(member: Membership | None, consultation: Consultation) -> bool:
    """Speak, move, second, vote: verified, in scope, a resident or an official party (or the chair)."""
    if not in_scope(member, consultation):
        return False
    return member.has_role(*PARTICIPANTS) or member.user_id == consultation.chair_id


def can_manage(member: Membership | None, consultation: Consultation) -> bool:
    """Edit, change the phase, change the rules: the convenor, the chair and staff."""
    if not _of(member, consultation) or not member.is_verified:
        return False
    if is_chair(member, consultation) or is_staff(member, consultation):
        return True
    return member.user_id == consultation.created_by_id and can_convene(member)


def can_moderate(member: Membership | None, consultation: Consultation) -> bool:
    """Hide, mute, lock: the chair and staff. The property manager never moderates."""
    return is_chair(member, consultation) or is_staff(member, consultation)


def can_chair(member: Membership | None, consultation: Consultation) -> bool:
    """Grant the floor and call the vote: the chair only."""
    return is_chair(member, consultation)


def badges(member: Membership | None) -> list[str]:
    """The official-party badges a speech carries (stable keys; the UI translates them)."""
    if member is None:
        return []
    keys = {
        Role.COMMUNITY_STAFF: "residents_committee",
        Role.PROPERTY_MANAGER: "property_manager",
        Role.OWNERS_COMMITTEE: "owners_committee",
        Role.SOCIAL_ORG: "social_org",
    }
    return [badge for role, badge in keys.items() if member.has_role(role)]
