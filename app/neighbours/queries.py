"""Read-only questions about neighbourhood groups, for the groups' pages and the community's home: the board,
what needs a resident now (someone took your request; a thank-you to say; requests waiting in your group)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select

from app.communities.access import Viewer
from app.communities.models import Household, MemberRole, Membership, MembershipStatus, Role
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


def member_count(group: NeighbourGroup) -> int:
    return db.session.scalar(select(func.count()).select_from(GroupMember).where(GroupMember.group_id == group.id))


def consultations(group: NeighbourGroup) -> list:
    return [
        link.consultation
        for link in db.session.scalars(
            select(GroupConsultation)
            .where(GroupConsultation.group_id == group.id)
            .order_by(GroupConsultation.id.desc())
        )
    ]


@dataclass
class Needs:
    """What the help board asks of one resident now (the home page's "需要您处理")."""

    taken: list[HelpPost] = field(default_factory=list)  # their own posts a neighbour has taken
    to_thank: list[HelpPost] = field(default_factory=list)  # help they received, done, not yet thanked
    waiting: list[tuple[int, str, int]] = field(default_factory=list)  # (group id, name, requests waiting)


def needs(viewer: Viewer) -> Needs:
    """In one query: the viewer's posts a neighbour took, the help they received and have not thanked for, and
    the requests for help waiting (not their own) in the groups they belong to or lead (staff are not counted
    in for every group)."""
    found = Needs()
    if viewer.user_id is None or not viewer.is_verified:
        return found
    me = viewer.user_id
    received = or_(
        (HelpPost.kind == PostKind.REQUEST) & (HelpPost.author_id == me),
        (HelpPost.kind == PostKind.OFFER) & (HelpPost.taker_id == me),
    )
    my_groups = select(GroupMember.group_id).where(GroupMember.user_id == me)
    led = permissions.leader_building_ids(viewer)
    if led:
        my_groups = my_groups.union(select(GroupBuilding.group_id).where(GroupBuilding.building_id.in_(led)))
    waiting = (
        (HelpPost.kind == PostKind.REQUEST)
        & (HelpPost.state == HelpState.POSTED)
        & (HelpPost.author_id != me)
        & HelpPost.group_id.in_(my_groups)
    )
    rows = db.session.execute(
        select(HelpPost, NeighbourGroup.name)
        .join(NeighbourGroup, NeighbourGroup.id == HelpPost.group_id)
        .where(
            HelpPost.community_id == viewer.community_id,
            HelpPost.hidden_at.is_(None),
            NeighbourGroup.dissolved_at.is_(None),  # a dissolved group's board asks nothing more of anyone
            or_(
                (HelpPost.author_id == me) & (HelpPost.state == HelpState.TAKEN),
                received & (HelpPost.state == HelpState.DONE),
                waiting,
            ),
        )
        .order_by(HelpPost.id)
    ).all()
    counts: dict[tuple[int, str], int] = {}
    for post, group_name in rows:
        if post.state == HelpState.TAKEN:
            found.taken.append(post)
        elif post.state == HelpState.DONE:
            found.to_thank.append(post)
        else:
            counts[(post.group_id, group_name)] = counts.get((post.group_id, group_name), 0) + 1
    found.waiting = [(group_id, name, n) for (group_id, name), n in sorted(counts.items())]
    return found


def reports_to_review(viewer: Viewer) -> list[tuple[NeighbourGroup, int]]:
    """(group, open reports) on the boards the viewer moderates (nothing asked of those who moderate none)."""
    if not viewer.is_staff and not permissions.leader_building_ids(viewer):
        return []
    rooms = {room: n for room, n in moderation.open_reports(viewer.community_id).items() if room and n}
    ids = [int(room.split(":", 1)[1]) for room in rooms if room.startswith("neighbours:")]
    if not ids:
        return []
    groups = db.session.scalars(select(NeighbourGroup).where(NeighbourGroup.id.in_(ids)).order_by(NeighbourGroup.id))
    return [(g, rooms[g.room]) for g in groups if permissions.can_moderate(viewer, g)]


def leaders(group: NeighbourGroup) -> list:
    """The group's leaders, by name: its buildings' leaders, and the resident group leaders and representatives
    who live in them (two queries)."""
    covered = group.building_ids
    rows = db.session.scalars(
        select(Membership)
        .join(MemberRole, MemberRole.membership_id == Membership.id)
        .outerjoin(Household, Household.id == Membership.household_id)
        .where(
            Membership.community_id == group.community_id,
            Membership.status == MembershipStatus.VERIFIED,
            or_(
                (MemberRole.role == Role.BUILDING_LEADER) & MemberRole.building_id.in_(covered),
                MemberRole.role.in_(permissions.RESIDENT_LEADERS) & Household.building_id.in_(covered),
            ),
        )
        .order_by(Membership.id)
    ).unique()
    return [m.user for m in rows]


def requests_waiting(older_than, newer_than) -> list[HelpPost]:
    """Requests for help posted between the two times and still waiting (not hidden, board not locked): for the
    reminder to the groups' leaders."""
    return list(
        db.session.scalars(
            select(HelpPost)
            .join(NeighbourGroup, NeighbourGroup.id == HelpPost.group_id)
            .where(
                HelpPost.kind == PostKind.REQUEST,
                HelpPost.state == HelpState.POSTED,
                HelpPost.hidden_at.is_(None),
                HelpPost.created_at < older_than,
                HelpPost.created_at >= newer_than,
                NeighbourGroup.locked.is_(False),
            )
            .order_by(HelpPost.id)
        )
    )
