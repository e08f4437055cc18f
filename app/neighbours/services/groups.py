"""Setting up a group, joining and leaving it, the group's own consultations and its yearly summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.communities.access import Viewer
from app.communities.models import Building
from app.consultations.models import Consultation, Motion, MotionState
from app.core import audit, validation
from app.core.clock import local_zone
from app.core.errors import DomainError, Forbidden
from app.core.models import insert_or_ignore, utcnow
from app.extensions import db
from app.neighbours import permissions
from app.neighbours.models import (
    GroupBuilding,
    GroupConsultation,
    GroupMember,
    HelpCategory,
    HelpPost,
    HelpState,
    NeighbourGroup,
)


def chosen_buildings(viewer: Viewer, building_ids, *, group: NeighbourGroup | None = None) -> set[int]:
    """The chosen buildings: of this community, at least one, none already in another group than `group` (the
    one being edited; None when setting one up, which a building leader does only for buildings they lead)."""
    try:
        ids = {int(b) for b in building_ids or ()}
    except (TypeError, ValueError):
        ids = {0}  # no building has it: refused below with the others
    known = {b.id for b in viewer.community.buildings}
    if not ids or not ids <= known:
        raise DomainError(
            "bad_request", _l("Choose the buildings of this community the group covers."), field="buildings"
        )
    taken_query = select(GroupBuilding.building_id).where(GroupBuilding.building_id.in_(ids))
    if group is not None:
        taken_query = taken_query.where(GroupBuilding.group_id != group.id)
    taken = db.session.scalars(taken_query).all()
    if taken:
        names = ", ".join(sorted(b.name for b in viewer.community.buildings if b.id in set(taken)))
        raise DomainError(
            "building_taken",
            _l("These buildings have a neighbourhood group already: %(names)s.", names=names),
            field="buildings",
            status=409,
        )
    if group is None and not permissions.can_create_for(viewer, ids):
        raise DomainError(
            "not_your_building",
            _l("A building leader sets up a group only for the buildings they lead."),
            field="buildings",
            status=403,
        )
    return ids


def clean_name(name) -> str:
    return validation.text(name, field="name", low=2, high=60, message=_l("Give a name of 2 to 60 characters."))


def clean_description(description) -> str:
    return validation.text(description, field="description", low=0, high=2000, message=_l("At most 2000 characters."))


def name_taken(viewer: Viewer, name: str) -> bool:
    query = select(NeighbourGroup.id).where(
        NeighbourGroup.community_id == viewer.community_id, NeighbourGroup.name == name
    )
    return db.session.scalar(query) is not None


def _by_client(viewer: Viewer, client_id: str) -> NeighbourGroup | None:
    return db.session.scalar(
        select(NeighbourGroup).where(
            NeighbourGroup.community_id == viewer.community_id,
            NeighbourGroup.created_by_id == viewer.user_id,
            NeighbourGroup.client_id == client_id,
        )
    )


def create(viewer: Viewer, *, client_id, name, description, building_ids) -> NeighbourGroup:
    """Set up a group for one building or several; a retry of the same form returns the first group."""
    if not permissions.can_create(viewer):
        raise Forbidden(_l("Community staff and building leaders set up neighbourhood groups."))
    client_id = validation.client_id(client_id)
    existing = _by_client(viewer, client_id)
    if existing is not None:
        return existing
    name, description = clean_name(name), clean_description(description)
    ids = chosen_buildings(viewer, building_ids)
    if name_taken(viewer, name):
        raise DomainError("name_taken", _l("A group of this community has this name already."), field="name")
    group = NeighbourGroup(
        community_id=viewer.community_id,
        name=name,
        description=description,
        created_by_id=viewer.user_id,
        client_id=client_id,
        buildings=[GroupBuilding(building_id=b) for b in sorted(ids)],
    )
    try:
        with db.session.begin_nested():  # the same form twice at once, or a building taken meanwhile
            db.session.add(group)
            db.session.flush()
    except IntegrityError:
        existing = _by_client(viewer, client_id)
        if existing is None:
            raise DomainError(
                "building_taken", _l("One of these buildings was just given a group."), field="buildings", status=409
            ) from None
        return existing
    audit.record(viewer.user, "neighbours.create", group, community_id=group.community_id)
    return group


def join(viewer: Viewer, group: NeighbourGroup) -> NeighbourGroup:
    """A verified member from a covered building joins (once: a second tap changes nothing)."""
    if permissions.is_member(viewer, group):
        return group
    if not permissions.is_active(group):
        raise DomainError("dissolved", _l("This group has been dissolved: nobody joins it any more."), status=409)
    if not permissions.can_join(viewer, group):
        raise Forbidden(_l("Verified residents of the group's buildings join it."))
    db.session.execute(
        insert_or_ignore(GroupMember).values(group_id=group.id, user_id=viewer.user_id, joined_at=utcnow())
    )
    db.session.flush()
    return group


def leave(viewer: Viewer, group: NeighbourGroup) -> NeighbourGroup:
    """A member leaves; their posts stay on the board."""
    member = db.session.scalar(
        select(GroupMember).where(GroupMember.group_id == group.id, GroupMember.user_id == viewer.user_id)
    )
    if member is not None:
        db.session.delete(member)
        db.session.flush()
    return group


@dataclass
class Summary:
    year: int
    consultations: list[tuple[Consultation, list[Motion]]] = field(default_factory=list)
    counts: dict[HelpCategory, dict[HelpState, int]] = field(default_factory=dict)
    total: int = 0
    helped: int = 0  # done or thanked
    members: int = 0


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    start = datetime.combine(datetime(year, 1, 1).date(), time(0), tzinfo=local_zone())
    end = datetime.combine(datetime(year + 1, 1, 1).date(), time(0), tzinfo=local_zone())
    return start, end


def summary(group: NeighbourGroup, year: int) -> Summary:
    """What the group settled (its consultations of the year, with their motions' results) and helped with
    (its posts of the year, counted by category and state). Counts only: no names."""
    start, end = _year_bounds(year)
    found = Summary(year=year)
    rows = db.session.scalars(
        select(Consultation)
        .join(GroupConsultation, GroupConsultation.consultation_id == Consultation.id)
        .where(GroupConsultation.group_id == group.id, Consultation.created_at >= start, Consultation.created_at < end)
        .order_by(Consultation.id)
    ).all()
    for consultation in rows:
        motions = db.session.scalars(
            select(Motion)
            .where(
                Motion.consultation_id == consultation.id, Motion.state.in_((MotionState.CARRIED, MotionState.FAILED))
            )
            .order_by(Motion.id)
        ).all()
        found.consultations.append((consultation, list(motions)))
    counts = db.session.execute(
        select(HelpPost.category, HelpPost.state, func.count())
        .where(HelpPost.group_id == group.id, HelpPost.created_at >= start, HelpPost.created_at < end)
        .group_by(HelpPost.category, HelpPost.state)
    ).all()
    found.counts = {c: dict.fromkeys(HelpState, 0) for c in HelpCategory}
    for category, state, n in counts:
        found.counts[category][state] = n
        found.total += n
        if state in (HelpState.DONE, HelpState.THANKED):
            found.helped += n
    found.members = db.session.scalar(
        select(func.count()).select_from(GroupMember).where(GroupMember.group_id == group.id)
    )
    return found


def groups_of(viewer: Viewer) -> list[NeighbourGroup]:
    return list(
        db.session.scalars(
            select(NeighbourGroup).where(NeighbourGroup.community_id == viewer.community_id).order_by(NeighbourGroup.id)
        )
    )


def buildings_without_group(viewer: Viewer) -> list[Building]:
    taken = set(db.session.scalars(select(GroupBuilding.building_id)))
    return [b for b in viewer.community.buildings if b.id not in taken]
