"""Who may do what in a community. Used by views, services and sockets alike.

Every function takes the `Viewer` (communities.access: how the user stands in the community) first and, where
it matters, the membership concerned.
"""

from __future__ import annotations

from app.communities.access import Viewer, holds_staff_powers
from app.communities.models import Membership


def can_verify(viewer: Viewer, target: Membership) -> bool:
    """Staff verify anyone; a building leader verifies residents of their building. Never oneself."""
    actor = viewer.membership
    if actor is None or actor.community_id != target.community_id or actor.user_id == target.user_id:
        return False
    if viewer.is_staff:
        return True
    return target.building_id is not None and target.building_id in actor.led_building_ids()


def can_review_queue(viewer: Viewer) -> bool:
    """Sees the verification queue: staff (all) and building leaders (their building)."""
    return viewer.membership is not None and (viewer.is_staff or bool(viewer.membership.led_building_ids()))


def can_manage_roles(viewer: Viewer) -> bool:
    return viewer.is_staff


def can_manage_invites(viewer: Viewer) -> bool:
    return viewer.is_staff


def can_manage_roster(viewer: Viewer) -> bool:
    return viewer.is_staff


def can_view_members(viewer: Viewer) -> bool:
    """The member directory: staff, building leaders (their building), street/district staff."""
    return viewer.oversees or can_review_queue(viewer)


def can_see_personal_data(viewer: Viewer, subject: Membership) -> bool:
    """Unmasked phone and room: community staff, the person, and the verifier of a pending member."""
    actor = viewer.membership
    if actor is None or actor.community_id != subject.community_id:
        return False
    if viewer.is_user(subject.user_id) or viewer.is_staff:
        return True
    return subject.status.value == "pending" and can_verify(viewer, subject)


def can_issue_reset_code(viewer: Viewer, target: Membership) -> bool:
    """Help at the desk: community staff (社区工作者, the residents' committee's office) print a one-time password
    reset code for a member of their community who comes to the office. Not building leaders, the owners'
    committee or the property manager (they do not keep the office's check of who is at the counter), not
    street or district staff (not at this community's counter), not for oneself (staff use "forgot password"
    like anyone), and not for an account with staff powers anywhere, whose takeover would reach beyond it."""
    actor = viewer.membership
    if not viewer.is_staff or actor.community_id != target.community_id or viewer.is_user(target.user_id):
        return False
    return not holds_staff_powers(target.user)
