"""Read-only questions about neighbourhood groups, for the groups' pages and the community's home: the board,
what needs a resident now (someone took your request; a thank-you to say; requests waiting in your group)."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from app.communities.access import Viewer
from app.extensions import db
from app.moderation import services as moderation
from app.neighbours import permissions
from app.neighbours.models import (
    GroupBuilding,
    GroupConsultation,
    GroupMember,
    HelpPost,
    HelpState,
    NeighbourGroup,
    PostKind,
)

BOARD_LIMIT = 100


def groups(viewer: Viewer) -> list[NeighbourGroup]:
    """The community's groups (every member sees which groups there are)."""
    query = select(NeighbourGroup).where(NeighbourGroup.community_id == viewer.community_id)
    return [g for g in db.session.scalars(query.order_by(NeighbourGroup.id)) if permissions.can_view(viewer, g)]


def group_of_building(building_id: int | None) -> NeighbourGroup | None:
    if building_id is None:
        return None
    return db.session.scalar(
        select(NeighbourGroup)
        .join(GroupBuilding, GroupBuilding.group_id == NeighbourGroup.id)
        .where(GroupBuilding.building_id == building_id)
    )


def board(viewer: Viewer, group: NeighbourGroup, *, closed: bool = False) -> list[HelpPost]:
    """The board's posts the viewer may see: open ones (waiting, taken), or the closed ones; newest first."""
    if not permissions.can_view_board(viewer, group):
        return []
    states = (HelpState.DONE, HelpState.THANKED, HelpState.WITHDRAWN) if closed else (HelpState.POSTED, HelpState.TAKEN)
    query = (
        select(HelpPost)
        .where(HelpPost.group_id == group.id, HelpPost.state.in_(states))
        .order_by(HelpPost.id.desc())
        .limit(BOARD_LIMIT)
    )
    return [p for p in db.session.scalars(query) if permissions.can_view_post(viewer, p)]


def members(group: NeighbourGroup) -> list[GroupMember]:
    return list(
        db.session.scalars(select(GroupMember).where(GroupMember.group_id == group.id).order_by(GroupMember.id))
    )


def consultations(group: NeighbourGroup) -> list:
    return [
        link.consultation
        for link in db.session.scalars(
            select(GroupConsultation)
            .where(GroupConsultation.group_id == group.id)
            .order_by(GroupConsultation.id.desc())
        )
    ]


def _mine(viewer: Viewer):
    return select(HelpPost).where(HelpPost.community_id == viewer.community_id, HelpPost.hidden_at.is_(None))


def taken_from_me(viewer: Viewer) -> list[HelpPost]:
    """The viewer's own requests and offers a neighbour has taken (not yet done)."""
    if viewer.user_id is None:
        return []
    query = _mine(viewer).where(HelpPost.author_id == viewer.user_id, HelpPost.state == HelpState.TAKEN)
    return list(db.session.scalars(query.order_by(HelpPost.id)))


def to_thank(viewer: Viewer) -> list[HelpPost]:
    """Help the viewer received, done and not yet thanked."""
    if viewer.user_id is None:
        return []
    received = or_(
        (HelpPost.kind == PostKind.REQUEST) & (HelpPost.author_id == viewer.user_id),
        (HelpPost.kind == PostKind.OFFER) & (HelpPost.taker_id == viewer.user_id),
    )
    query = _mine(viewer).where(received, HelpPost.state == HelpState.DONE)
    return list(db.session.scalars(query.order_by(HelpPost.id)))


def waiting_requests(viewer: Viewer) -> list[tuple[NeighbourGroup, int]]:
    """(group, how many) requests for help waiting in the groups whose board the viewer sees as member or
    leader (not their own; staff are not counted in for every group)."""
    if viewer.user_id is None or not viewer.is_verified:
        return []
    found = []
    for group in db.session.scalars(
        select(NeighbourGroup).where(NeighbourGroup.community_id == viewer.community_id).order_by(NeighbourGroup.id)
    ):
        if not (permissions.is_member(viewer, group) or permissions.is_leader(viewer, group)):
            continue
        count = db.session.scalar(
            select(func.count())
            .select_from(HelpPost)
            .where(
                HelpPost.group_id == group.id,
                HelpPost.kind == PostKind.REQUEST,
                HelpPost.state == HelpState.POSTED,
                HelpPost.hidden_at.is_(None),
                HelpPost.author_id != viewer.user_id,
            )
        )
        if count:
            found.append((group, count))
    return found


def reports_to_review(viewer: Viewer) -> list[tuple[NeighbourGroup, int]]:
    """(group, open reports) on the boards the viewer moderates."""
    if not viewer.is_verified:
        return []
    rooms = moderation.open_reports(viewer.community_id)
    found = []
    for group in db.session.scalars(
        select(NeighbourGroup).where(NeighbourGroup.community_id == viewer.community_id).order_by(NeighbourGroup.id)
    ):
        if rooms.get(group.room) and permissions.can_moderate(viewer, group):
            found.append((group, rooms[group.room]))
    return found
