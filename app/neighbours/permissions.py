"""Who may do what in a neighbourhood group. Every rule takes the `Viewer` (communities.access) first.

- The group's page and its yearly summary: everyone who may see the community (its members, and the street
  and district staff who oversee it).
- The help board and its posts (people's needs: a lift to the doctor): the group's members, its leaders and
  the community's staff. Anyone else is answered 404.
- Leaders: the building leaders of a covered building, and the resident group leaders and resident
  representatives who live in one. Leaders and the community's staff moderate the board and convene the
  group's consultations; a leader of another group is refused.
- Editing: staff change a group's name, description and buildings; its leaders its name and description.
  Staff dissolve a group with a reason: from then on its board is read-only history (nothing is posted, taken,
  joined, moderated or convened), and its page says why.
"""

from __future__ import annotations

from sqlalchemy import select

from app.communities.access import Viewer
from app.communities.models import Role
from app.extensions import db
from app.moderation import services as moderation
from app.neighbours.models import GroupMember, HelpPost, HelpState, NeighbourGroup

RESIDENT_LEADERS = (Role.GROUP_LEADER, Role.RESIDENT_REP)


def _here(viewer: Viewer, group: NeighbourGroup) -> bool:
    return viewer.community_id == group.community_id


def is_active(group: NeighbourGroup) -> bool:
    """Not dissolved: a dissolved group's board is read-only history."""
    return group.dissolved_at is None


def leader_building_ids(viewer: Viewer) -> set[int]:
    """The buildings whose group the viewer leads: those they lead as building leader, and their home
    building if they are a resident group leader or representative (no query: the membership's roles)."""
    if not viewer.is_verified:
        return set()
    found = set(viewer.membership.led_building_ids())
    if viewer.has_role(*RESIDENT_LEADERS) and viewer.membership.building_id is not None:
        found.add(viewer.membership.building_id)
    return found


def is_leader(viewer: Viewer, group: NeighbourGroup) -> bool:
    """A building leader of a covered building, or a resident group leader / representative living in one."""
    return _here(viewer, group) and bool(leader_building_ids(viewer) & group.building_ids)


def is_member(viewer: Viewer, group: NeighbourGroup) -> bool:
    """A verified member of the community who joined the group."""
    if not viewer.is_verified or not _here(viewer, group):
        return False
    query = select(GroupMember.id).where(GroupMember.group_id == group.id, GroupMember.user_id == viewer.user_id)
    return db.session.scalar(query) is not None


def can_create(viewer: Viewer) -> bool:
    """Community staff set up groups for any buildings; a building leader for the buildings they lead."""
    return viewer.is_staff or viewer.has_role(Role.BUILDING_LEADER)


def can_create_for(viewer: Viewer, building_ids: set[int]) -> bool:
    if viewer.is_staff:
        return True
    return bool(building_ids) and building_ids <= viewer.membership.led_building_ids()


def can_view(viewer: Viewer, group: NeighbourGroup) -> bool:
    """The group's page and summary: whoever may see the community."""
    return viewer.may_see and _here(viewer, group)


def can_view_board(viewer: Viewer, group: NeighbourGroup) -> bool:
    """The help board: the group's members and leaders, and the community's staff."""
    return _here(viewer, group) and (viewer.is_staff or is_leader(viewer, group) or is_member(viewer, group))


def can_join(viewer: Viewer, group: NeighbourGroup) -> bool:
    """Verified members whose home is in a covered building (and not in the group yet)."""
    if not viewer.is_verified or not _here(viewer, group) or not is_active(group):
        return False
    return viewer.membership.building_id in group.building_ids and not is_member(viewer, group)


def can_leave(viewer: Viewer, group: NeighbourGroup) -> bool:
    return is_member(viewer, group)


def _oversees(viewer: Viewer, group: NeighbourGroup) -> bool:
    return _here(viewer, group) and (viewer.is_staff or is_leader(viewer, group))


def can_moderate(viewer: Viewer, group: NeighbourGroup) -> bool:
    """Hide and restore posts, mute members on the board, lock it: the group's leaders and community staff."""
    return is_active(group) and _oversees(viewer, group)


def can_edit(viewer: Viewer, group: NeighbourGroup) -> bool:
    """Change the group's name and description: its leaders and the community's staff."""
    return is_active(group) and _oversees(viewer, group)


def can_edit_buildings(viewer: Viewer, group: NeighbourGroup) -> bool:
    """Change which buildings the group covers: the community's staff."""
    return is_active(group) and _here(viewer, group) and viewer.is_staff


def can_dissolve(viewer: Viewer, group: NeighbourGroup) -> bool:
    """Dissolve the group, with a reason: the community's staff."""
    return can_edit_buildings(viewer, group)


def can_convene(viewer: Viewer, group: NeighbourGroup) -> bool:
    """Start one of the group's consultations: its leaders and the community's staff."""
    return can_moderate(viewer, group)


def muted(viewer: Viewer, group: NeighbourGroup) -> bool:
    return viewer.user_id is not None and moderation.muted_until(group.room, viewer.user_id) is not None


def can_post(viewer: Viewer, group: NeighbourGroup) -> bool:
    """Members and leaders post requests and offers; nobody while muted; only leaders while the board is locked."""
    if not is_active(group) or not (is_member(viewer, group) or is_leader(viewer, group)):
        return False
    if group.locked and not can_moderate(viewer, group):
        return False
    return not muted(viewer, group)


def can_view_post(viewer: Viewer, post: HelpPost) -> bool:
    """Those who see the board; a hidden post only its author and the moderators."""
    group = post.group
    if not can_view_board(viewer, group):
        return False
    return not post.is_hidden or viewer.is_user(post.author_id) or _oversees(viewer, group)


def _active(post: HelpPost) -> bool:
    return not post.is_hidden and not post.group.locked and is_active(post.group)


def can_take(viewer: Viewer, post: HelpPost) -> bool:
    """A member or leader other than its author takes a waiting post (not while hidden or muted)."""
    group = post.group
    return (
        post.state == HelpState.POSTED
        and _active(post)
        and not viewer.is_user(post.author_id)
        and (is_member(viewer, group) or is_leader(viewer, group))
        and not muted(viewer, group)
    )


def can_release(viewer: Viewer, post: HelpPost) -> bool:
    """The one who took it gives it back (it waits again)."""
    return post.state == HelpState.TAKEN and viewer.is_user(post.taker_id) and is_active(post.group)


def is_party(viewer: Viewer, post: HelpPost) -> bool:
    return viewer.is_user(post.author_id) or viewer.is_user(post.taker_id)


def can_mark_done(viewer: Viewer, post: HelpPost) -> bool:
    """Either side says it is done."""
    return post.state == HelpState.TAKEN and is_party(viewer, post) and is_active(post.group)


def can_thank(viewer: Viewer, post: HelpPost) -> bool:
    """The one who was helped thanks the other."""
    return post.state == HelpState.DONE and viewer.is_user(post.receiver_id) and is_active(post.group)


def can_withdraw(viewer: Viewer, post: HelpPost) -> bool:
    """Its author withdraws it while it waits or is taken."""
    return (
        post.state in (HelpState.POSTED, HelpState.TAKEN) and viewer.is_user(post.author_id) and is_active(post.group)
    )


def can_share_contact(viewer: Viewer, post: HelpPost) -> bool:
    """Each side agrees to share their phone number once it is taken (and until it is thanked)."""
    return post.state in (HelpState.TAKEN, HelpState.DONE) and is_party(viewer, post) and is_active(post.group)


def sees_phone_of(viewer: Viewer, post: HelpPost, user_id: int | None) -> bool:
    """A side's phone number is shown only to the other side, and only when both agreed."""
    return post.contact_shared and is_party(viewer, post) and not viewer.is_user(user_id)


def can_report(viewer: Viewer, post: HelpPost) -> bool:
    """Verified members who see the post report it (not their own)."""
    return (
        viewer.is_verified
        and is_active(post.group)
        and can_view_board(viewer, post.group)
        and not viewer.is_user(post.author_id)
    )
