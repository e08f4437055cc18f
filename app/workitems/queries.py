"""Read-only questions of the work items: the departments, requests awaiting a decision, the round's
requests, the admitted list of a year, objections and their counts per department."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.communities import access
from app.communities.models import Community
from app.extensions import db
from app.workitems.models import (
    Department,
    RequestStatus,
    ReviewRound,
    WorkItemObjection,
    WorkItemRequest,
)
from app.workitems.standing import Stance


def departments(district_id: int) -> list[Department]:
    return list(
        db.session.scalars(select(Department).where(Department.district_id == district_id).order_by(Department.id))
    )


def rounds(district_id: int) -> list[ReviewRound]:
    return list(
        db.session.scalars(
            select(ReviewRound).where(ReviewRound.district_id == district_id).order_by(ReviewRound.year.desc())
        )
    )


def round_for(district_id: int, year: int) -> ReviewRound | None:
    return db.session.scalar(
        select(ReviewRound).where(ReviewRound.district_id == district_id, ReviewRound.year == year)
    )


def _requests(*where) -> list[WorkItemRequest]:
    query = (
        select(WorkItemRequest)
        .options(joinedload(WorkItemRequest.department))
        .where(*where)
        .order_by(WorkItemRequest.department_id, WorkItemRequest.id)
    )
    return list(db.session.scalars(query))


def requests_of(department: Department) -> list[WorkItemRequest]:
    return list(
        db.session.scalars(
            select(WorkItemRequest)
            .where(WorkItemRequest.department_id == department.id)
            .order_by(WorkItemRequest.id.desc())
        )
    )


def pending_urgent(district_id: int) -> list[WorkItemRequest]:
    """Urgent requests awaiting a decision: decided one at a time, between rounds."""
    return _requests(
        WorkItemRequest.district_id == district_id,
        WorkItemRequest.urgent.is_(True),
        WorkItemRequest.status == RequestStatus.PENDING,
    )


def round_requests(yearly: ReviewRound) -> list[WorkItemRequest]:
    """The round's requests: those for its year that are not urgent, awaiting a decision or decided in it."""
    return _requests(
        WorkItemRequest.district_id == yearly.district_id,
        WorkItemRequest.year == yearly.year,
        WorkItemRequest.urgent.is_(False),
        WorkItemRequest.status != RequestStatus.WITHDRAWN,
    )


def admitted(district_id: int, year: int) -> list[WorkItemRequest]:
    """The admitted list of a year, by department: the round's items and the urgent ones admitted in between."""
    return _requests(
        WorkItemRequest.district_id == district_id,
        WorkItemRequest.year == year,
        WorkItemRequest.status == RequestStatus.ADMITTED,
    )


def listed_years(district_id: int) -> list[int]:
    """Years with an admitted item or a round, newest first."""
    years = set(
        db.session.scalars(
            select(WorkItemRequest.year).where(
                WorkItemRequest.district_id == district_id, WorkItemRequest.status == RequestStatus.ADMITTED
            )
        )
    )
    years.update(db.session.scalars(select(ReviewRound.year).where(ReviewRound.district_id == district_id)))
    return sorted(years, reverse=True)


def _objections_where(stance: Stance) -> list:
    """What of the district's objections the stance sees: all for district staff, their streets' for street staff."""
    where = [Department.district_id == stance.district_id]
    if not stance.is_district_staff:
        where.append(Community.street_id.in_(stance.street_ids))
    return where


def objections(stance: Stance) -> list[WorkItemObjection]:
    query = (
        select(WorkItemObjection)
        .join(Department, WorkItemObjection.department_id == Department.id)
        .join(Community, WorkItemObjection.community_id == Community.id)
        .options(joinedload(WorkItemObjection.department), joinedload(WorkItemObjection.community))
        .where(*_objections_where(stance))
        .order_by(WorkItemObjection.id.desc())
    )
    return list(db.session.scalars(query))


def objection_counts(stance: Stance) -> list[tuple[str, int, int]]:
    """(department, objections, of them unanswered) for the objections the stance sees, most first."""
    rows = db.session.execute(
        select(
            Department.name,
            func.count(WorkItemObjection.id),
            func.count(WorkItemObjection.id).filter(WorkItemObjection.answered_at.is_(None)),
        )
        .join(WorkItemObjection, WorkItemObjection.department_id == Department.id)
        .join(Community, WorkItemObjection.community_id == Community.id)
        .where(*_objections_where(stance))
        .group_by(Department.id, Department.name)
        .order_by(func.count(WorkItemObjection.id).desc(), Department.name)
    )
    return [(name, total, open_) for name, total, open_ in rows]


def community_objections(community_id: int) -> list[WorkItemObjection]:
    return list(
        db.session.scalars(
            select(WorkItemObjection)
            .options(joinedload(WorkItemObjection.department))
            .where(WorkItemObjection.community_id == community_id)
            .order_by(WorkItemObjection.id.desc())
        )
    )


def district_staff(district_id: int) -> list[User]:
    """The district's staff: told of urgent requests and of objections."""
    return access.district_staff(district_id)
