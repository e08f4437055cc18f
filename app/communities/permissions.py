"""Who may do what in a community. Used by views and sockets alike.

Each function takes the actor's Membership of the community concerned (None
when they have none) and, where it matters, the target.
"""

from __future__ import annotations

from app.communities.models import Membership, Role


def _staff(actor: Membership | None, community_id: int) -> bool:
    return actor is not None and actor.community_id == community_id and actor.has_role(Role.COMMUNITY_STAFF)


def can_verify(actor: Membership | None, target: Membership) -> bool:
    """Staff verify anyone; a building leader verifies residents of their building. Never oneself."""
    if actor is None or actor.community_id != target.community_id or actor.user_id == target.user_id:
        return False
    if _staff(actor, target.community_id):
        return True
    return target.building_id is not None and target.building_id in actor.led_building_ids()


def can_review_queue(actor: Membership | None, community_id: int) -> bool:
    """Sees the verification queue: staff (all) and building leaders (their building)."""
    if actor is None or actor.community_id != community_id:
        return False
    return _staff(actor, community_id) or bool(actor.led_building_ids())


def can_manage_roles(actor: Membership | None, community_id: int) -> bool:
    return _staff(actor, community_id)


def can_manage_invites(actor: Membership | None, community_id: int) -> bool:
    return _staff(actor, community_id)


def can_manage_roster(actor: Membership | None, community_id: int) -> bool:
    return _staff(actor, community_id)


def can_view_members(actor: Membership | None, community_id: int, *, oversees: bool = False) -> bool:
    """The member directory: staff, building leaders (their building), street/district staff."""
    return oversees or can_review_queue(actor, community_id)


def can_see_personal_data(viewer: Membership | None, subject: Membership) -> bool:
    """Unmasked phone and room: community staff, the person, and the verifier of a pending member."""
    if viewer is None or viewer.community_id != subject.community_id:
        return False
    if viewer.user_id == subject.user_id or _staff(viewer, subject.community_id):
        return True
    return subject.status.value == "pending" and can_verify(viewer, subject)
