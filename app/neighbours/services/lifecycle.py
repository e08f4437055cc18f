"""A group changed after it was set up: its name, description and buildings edited, or the group dissolved
(its board kept as read-only history, its open posts closed with the reason, its members told)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.communities.access import Viewer
from app.core import audit, validation
from app.core.errors import Conflict, DomainError, Forbidden
from app.core.models import utcnow
from app.extensions import db
from app.neighbours import permissions, signals
from app.neighbours.models import OPEN_STATES, GroupBuilding, GroupMember, HelpPost, HelpState, NeighbourGroup
from app.neighbours.services.groups import chosen_buildings, clean_description, clean_name, name_taken

DISSOLVED = _l("This group has been dissolved: its board is kept as a record and nothing more is done on it.")


def check_active(group: NeighbourGroup) -> None:
    """Refuse any change on a dissolved group's board, with the reason why."""
    if not permissions.is_active(group):
        raise Conflict("dissolved", DISSOLVED)


def update(viewer: Viewer, group: NeighbourGroup, *, name, description, buildings=None) -> NeighbourGroup:
    """Its leaders and staff change the name and description; staff also the buildings (`buildings`; None
    leaves them as they are). A building in another group is refused, naming it."""
    check_active(group)
    if not permissions.can_edit(viewer, group):
        raise Forbidden(_l("The group's leaders and the community's staff edit the group."))
    name, description = clean_name(name), clean_description(description)
    wanted = None
    if buildings is not None:
        if not permissions.can_edit_buildings(viewer, group):
            raise Forbidden(_l("Only the community's staff change the buildings a group covers."))
        wanted = chosen_buildings(viewer, buildings, group=group)
    if name != group.name and name_taken(viewer, name):
        raise DomainError("name_taken", _l("A group of this community has this name already."), field="name")
    group.name, group.description = name, description
    try:
        with db.session.begin_nested():  # a building given to another group meanwhile
            if wanted is not None and wanted != group.building_ids:
                _set_buildings(group, wanted)
            db.session.flush()
    except IntegrityError:
        raise DomainError(
            "building_taken", _l("One of these buildings was just given a group."), field="buildings", status=409
        ) from None
    audit.record(viewer.user, "neighbours.update", group, community_id=group.community_id)
    return group


def _set_buildings(group: NeighbourGroup, wanted: set[int]) -> None:
    for link in [b for b in group.buildings if b.building_id not in wanted]:
        group.buildings.remove(link)
    db.session.flush()  # the freed buildings first: one may move to a new link below
    group.buildings.extend(GroupBuilding(building_id=b) for b in sorted(wanted - group.building_ids))


def dissolve(viewer: Viewer, group: NeighbourGroup, reason) -> NeighbourGroup:
    """Staff dissolve the group: its open posts are closed with the reason, its buildings are free for a new
    group, its board and yearly summary stay as a record, and its members are told."""
    check_active(group)
    if not permissions.can_dissolve(viewer, group):
        raise Forbidden(_l("The community's staff dissolve a group."))
    reason = validation.text(
        reason, field="reason", low=2, high=200, message=_l("Give the reason in 2 to 200 characters.")
    )
    now = utcnow()
    group.dissolved_at, group.dissolved_reason, group.dissolved_by_id = now, reason, viewer.user_id
    open_posts = db.session.scalars(
        select(HelpPost).where(HelpPost.group_id == group.id, HelpPost.state.in_(OPEN_STATES))
    ).all()
    told = {m.user_id: m.user for m in db.session.scalars(select(GroupMember).where(GroupMember.group_id == group.id))}
    for item in open_posts:
        item.state, item.withdrawn_at, item.closed_reason = HelpState.WITHDRAWN, now, reason
        item.author_shares = item.taker_shares = False
        told.setdefault(item.author_id, item.author)
        if item.taker is not None:
            told.setdefault(item.taker_id, item.taker)
    group.buildings.clear()
    audit.record(viewer.user, "neighbours.dissolve", group, community_id=group.community_id, posts=len(open_posts))
    db.session.flush()
    recipients = [user for user_id, user in sorted(told.items()) if user_id != viewer.user_id]
    signals.group_dissolved.send(group, actor=viewer.user, recipients=recipients)
    return group
