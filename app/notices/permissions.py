"""Who posts, manages and reads notices."""

from __future__ import annotations

from app.communities.access import Viewer
from app.communities.models import Role
from app.notices.models import Notice

ANY_SCOPE = (Role.COMMUNITY_STAFF, Role.OWNERS_COMMITTEE, Role.PROPERTY_MANAGER)


def can_post(viewer: Viewer) -> bool:
    """Staff, the owners' committee and the property manager; building leaders to their own building."""
    return viewer.has_role(*ANY_SCOPE) or viewer.has_role(Role.BUILDING_LEADER)


def can_post_to(viewer: Viewer, building_id: int | None) -> bool:
    """The whole community or any building for ANY_SCOPE; a building leader only the buildings they lead."""
    if viewer.has_role(*ANY_SCOPE):
        return True
    return (
        building_id is not None
        and viewer.has_role(Role.BUILDING_LEADER)
        and (building_id in viewer.membership.led_building_ids())
    )


def can_send_urgent(viewer: Viewer) -> bool:
    """An urgent notice reaches phones at night too: community staff only."""
    return viewer.is_staff


def can_manage(viewer: Viewer, notice: Notice) -> bool:
    """Edit, unpin, withdraw and see who read it: its author (while they may still post there) and staff."""
    return viewer.is_staff or (viewer.is_user(notice.author_id) and can_post_to(viewer, notice.building_id))


def in_scope(viewer: Viewer, notice: Notice) -> bool:
    """A building's notice is for the people of that building (and those who may post there)."""
    if notice.building_id is None or viewer.oversees or can_post_to(viewer, notice.building_id):
        return True
    return viewer.membership is not None and viewer.membership.building_id == notice.building_id


def can_view(viewer: Viewer, notice: Notice) -> bool:
    """Showing notices in scope; withdrawn and expired ones to those who manage them."""
    if can_manage(viewer, notice):
        return True
    return notice.is_active() and in_scope(viewer, notice)


def can_attach(viewer: Viewer, notice: Notice) -> bool:
    """Those who manage a notice attach files to it (a quote, a schedule, a map of the water cut)."""
    return can_manage(viewer, notice)


def can_remove_attachment(viewer: Viewer, notice: Notice) -> bool:
    """The same people remove an attached file (it stays in the record)."""
    return can_manage(viewer, notice)
