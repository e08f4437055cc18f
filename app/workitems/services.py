"""Work-item use cases: departments and officers, requests, the yearly round and urgent decisions, objections.

Every use case takes its actor (the district `Stance`, or the community `Viewer` for filing an objection),
checks it with `permissions`, changes state and flushes. Nothing here commits: the edge owns the transaction.
Read-only questions are in queries.py."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.communities.access import Viewer
from app.core import audit, validation
from app.core.clock import local_today
from app.core.errors import Conflict, DomainError, Forbidden
from app.core.models import utcnow
from app.core.phones import normalize_phone
from app.extensions import db
from app.workitems import permissions, queries, signals
from app.workitems.models import (
    MAX_HOURS,
    Department,
    DepartmentOfficer,
    RequestStatus,
    ReviewRound,
    WorkItemObjection,
    WorkItemRequest,
)
from app.workitems.standing import Stance

FIRST_YEAR = 2000
YEARS_AHEAD = 5


# -- checks on what is typed ---------------------------------------------------------------------------


def _date_in_range(value, *, field: str) -> date:
    """A date from 1 January 2000 to five years from today: anything else is a typing slip."""
    if not isinstance(value, date):
        raise DomainError("bad_request", _l("Give a date."), field=field)
    today = local_today()
    try:
        latest = today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        latest = today.replace(year=today.year + YEARS_AHEAD, day=28)
    if value < date(FIRST_YEAR, 1, 1) or value > latest:
        raise DomainError(
            "bad_request",
            _l("Give a date from 2000 to %(latest)s.", latest=format_date(latest, "long")),
            field=field,
        )
    return value


def _hours(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise DomainError("bad_request", _l("Estimate the hours per community per month."), field="hours_per_month")
    if value < 0:
        raise DomainError("bad_request", _l("The workload cannot be negative."), field="hours_per_month")
    if value > MAX_HOURS:
        raise DomainError(
            "bad_request",
            _l("At most %(n)d hours a month: a month has no more.", n=MAX_HOURS),
            field="hours_per_month",
        )
    return value


def _long_text(value, field: str, message) -> str:
    return validation.text(value, field=field, low=2, high=2000, message=message)


# -- departments and officers --------------------------------------------------------------------------


def create_department(stance: Stance, name) -> Department:
    if not permissions.can_manage_departments(stance):
        raise Forbidden()
    name = validation.text(name, field="name", low=2, high=60, message=_l("Give a name of 2 to 60 characters."))
    taken = db.session.scalar(
        select(Department.id).where(Department.district_id == stance.district_id, Department.name == name)
    )
    if taken is not None:
        raise DomainError("duplicate", _l("The district already has a department of this name."), field="name")
    department = Department(district_id=stance.district_id, name=name, created_by_id=stance.user_id)
    db.session.add(department)
    db.session.flush()
    audit.record(stance.user, "workitems.department", department, name=name)
    return department


def name_officer(stance: Stance, department: Department, phone) -> DepartmentOfficer:
    """District staff name a registered user, by mobile number, an officer of the department."""
    if not permissions.can_manage_departments(stance) or department.district_id != stance.district_id:
        raise Forbidden()
    phone = normalize_phone(phone if isinstance(phone, str) else "")
    user = db.session.scalar(select(User).where(User.phone == phone)) if phone else None
    if user is None:
        raise DomainError(
            "not_registered", _l("No account has this mobile number: they must register first."), field="phone"
        )
    if any(o.user_id == user.id for o in department.officers):
        raise DomainError(
            "duplicate", _l("%(name)s is already an officer of this department.", name=user.name), field="phone"
        )
    officer = DepartmentOfficer(department=department, user_id=user.id, named_by_id=stance.user_id)
    db.session.add(officer)
    db.session.flush()
    audit.record(stance.user, "workitems.officer", officer, department=department.id, user=user.id)
    return officer


def remove_officer(stance: Stance, officer: DepartmentOfficer) -> None:
    if not permissions.can_manage_departments(stance) or officer.department.district_id != stance.district_id:
        raise Forbidden()
    audit.record(stance.user, "workitems.officer_removed", officer, department=officer.department_id)
    db.session.delete(officer)
    db.session.flush()


# -- requests ------------------------------------------------------------------------------------------


def _round_of(district_id: int, year: int) -> ReviewRound | None:
    return queries.round_for(district_id, year)


def _details(
    district_id: int,
    *,
    already_in: int | None = None,
    title,
    duties,
    basis,
    hours_per_month,
    starts_on,
    urgent,
    urgent_reason,
) -> dict:
    """The checked fields of a request (new, or edited: `already_in` the year it was sent for)."""
    details = {
        "title": validation.text(
            title, field="title", low=2, high=100, message=_l("Name the work item in 2 to 100 characters.")
        ),
        "duties": _long_text(duties, "duties", _l("Say in 2 to 2000 characters what the communities must do.")),
        "basis": _long_text(basis, "basis", _l("Give the legal basis or purpose in 2 to 2000 characters.")),
        "hours_per_month": _hours(hours_per_month),
        "starts_on": _date_in_range(starts_on, field="starts_on"),
        "urgent": bool(urgent),
    }
    reason = urgent_reason.strip() if isinstance(urgent_reason, str) else ""
    validation.storable(reason, field="urgent_reason")
    if details["urgent"] and not reason:
        raise DomainError("bad_request", _l("Say why the item is urgent."), field="urgent_reason")
    details["urgent_reason"] = reason[:500] if details["urgent"] else ""
    details["year"] = details["starts_on"].year
    yearly = _round_of(district_id, details["year"])
    late = yearly is not None and local_today() > yearly.closes_on and already_in != yearly.year
    if not details["urgent"] and late:
        raise DomainError(
            "round_closed",
            _l(
                "Requests for %(year)d closed on %(date)s: mark the item urgent, or start it in a later year.",
                year=yearly.year,
                date=format_date(yearly.closes_on, "long"),
            ),
            field="starts_on",
        )
    return details


def _by_client(department_id: int, user_id: int, client_id: str) -> WorkItemRequest | None:
    return db.session.scalar(
        select(WorkItemRequest).where(
            WorkItemRequest.department_id == department_id,
            WorkItemRequest.requested_by_id == user_id,
            WorkItemRequest.client_id == client_id,
        )
    )


def submit_request(stance: Stance, department: Department, *, client_id, **fields) -> WorkItemRequest:
    """A department officer requests a work item. A retry (same client_id) returns the first request."""
    if not permissions.can_request(stance, department):
        raise Forbidden(_l("Only the department's officers may request its work items."))
    client_id = validation.client_id(client_id)
    existing = _by_client(department.id, stance.user_id, client_id)
    if existing is not None:
        return existing
    details = _details(stance.district_id, **fields)
    request = WorkItemRequest(
        district_id=stance.district_id,
        department_id=department.id,
        requested_by_id=stance.user_id,
        client_id=client_id,
        **details,
    )
    try:
        with db.session.begin_nested():  # the same form sent twice at once: only this part is undone
            db.session.add(request)
            db.session.flush()
    except IntegrityError:
        existing = _by_client(department.id, stance.user_id, client_id)
        if existing is None:
            raise
        return existing
    audit.record(stance.user, "workitems.request", request, department=department.id)
    signals.request_submitted.send(request, actor=stance.user)
    return request


def edit_request(stance: Stance, request: WorkItemRequest, **fields) -> WorkItemRequest:
    """The department's officers change a request until it is decided."""
    _editable(stance, request)
    # a request sent in time stays in its round when edited; moved to a closed year, it is refused
    for name, value in _details(stance.district_id, already_in=request.year, **fields).items():
        setattr(request, name, value)
    db.session.flush()
    audit.record(stance.user, "workitems.request_edited", request)
    return request


def withdraw_request(stance: Stance, request: WorkItemRequest) -> WorkItemRequest:
    _editable(stance, request)
    request.status = RequestStatus.WITHDRAWN
    db.session.flush()
    audit.record(stance.user, "workitems.request_withdrawn", request)
    return request


def _editable(stance: Stance, request: WorkItemRequest) -> None:
    if request.status != RequestStatus.PENDING and request.department_id in stance.officer_of:
        raise Conflict("decided", _l("This request has been decided or withdrawn: it can no longer be changed."))
    if not permissions.can_edit_request(stance, request):
        raise Forbidden()


# -- rounds and decisions ------------------------------------------------------------------------------


def open_round(stance: Stance, *, year, closes_on) -> ReviewRound:
    """District staff open the yearly round for a year's list, with the date requests close."""
    if not permissions.can_decide(stance):
        raise Forbidden()
    today = local_today()
    if not isinstance(year, int) or not FIRST_YEAR <= year <= today.year + YEARS_AHEAD:
        raise DomainError(
            "bad_request", _l("Give a year from 2000 to %(last)d.", last=today.year + YEARS_AHEAD), field="year"
        )
    closes_on = _date_in_range(closes_on, field="closes_on")
    if _round_of(stance.district_id, year) is not None:
        raise DomainError("duplicate", _l("The round for %(year)d is already open.", year=year), field="year")
    yearly = ReviewRound(district_id=stance.district_id, year=year, closes_on=closes_on, created_by_id=stance.user_id)
    db.session.add(yearly)
    db.session.flush()
    audit.record(stance.user, "workitems.round", yearly, year=year)
    return yearly


def decidable(request: WorkItemRequest, yearly: ReviewRound | None) -> bool:
    """Whether the request can be decided now: pending, and urgent or in a round that has closed."""
    if request.status != RequestStatus.PENDING:
        return False
    return request.urgent or (yearly is not None and local_today() > yearly.closes_on)


def decide(stance: Stance, request: WorkItemRequest, decision, reason) -> WorkItemRequest:
    """District staff admit or refuse a request: an urgent one at any time, the others in their year's round
    once it has closed. Refusing needs a reason; a decided request is not decided again."""
    if not permissions.can_decide(stance) or request.district_id != stance.district_id:
        raise Forbidden()
    if request.status != RequestStatus.PENDING:
        raise Conflict("decided", _l("This request has already been decided or withdrawn."))
    if decision not in ("admit", "refuse"):
        raise DomainError("bad_request", _l("Choose to admit or refuse."), field="decision")
    reason = reason.strip() if isinstance(reason, str) else ""
    validation.storable(reason, field="reason")
    if len(reason) > 500:
        raise DomainError("bad_request", _l("Give a reason of at most 500 characters."), field="reason")
    if decision == "refuse" and not reason:
        raise DomainError(
            "bad_request", _l("Give the reason for refusing: the department will read it."), field="reason"
        )
    yearly = None
    if not request.urgent:
        yearly = _round_of(request.district_id, request.year)
        if yearly is None or local_today() <= yearly.closes_on:
            raise DomainError(
                "round_open",
                _l("Requests that are not urgent are decided together, in the yearly round after it closes."),
                field="decision",
            )
    request.status = RequestStatus.ADMITTED if decision == "admit" else RequestStatus.REFUSED
    request.decision_reason = reason
    request.decided_by_id = stance.user_id
    request.decided_at = utcnow()
    request.round_id = yearly.id if yearly is not None else None
    db.session.flush()
    audit.record(stance.user, "workitems.decision", request, decision=decision)
    signals.request_decided.send(request, actor=stance.user)
    return request


# -- objections ----------------------------------------------------------------------------------------


def _objection_by_client(community_id: int, user_id: int, client_id: str) -> WorkItemObjection | None:
    return db.session.scalar(
        select(WorkItemObjection).where(
            WorkItemObjection.community_id == community_id,
            WorkItemObjection.reporter_id == user_id,
            WorkItemObjection.client_id == client_id,
        )
    )


def file_objection(viewer: Viewer, *, client_id, department_id, what, placed_on, evidence) -> WorkItemObjection:
    """Community staff report work placed on their community outside the admitted list."""
    if not permissions.can_object(viewer):
        raise Forbidden(_l("Only the community's staff may report work placed on it."))
    client_id = validation.client_id(client_id)
    existing = _objection_by_client(viewer.community_id, viewer.user_id, client_id)
    if existing is not None:
        return existing
    department = (
        db.session.get(Department, department_id)
        if isinstance(department_id, int) and 0 < department_id <= validation.MAX_ID
        else None
    )
    if department is None or department.district_id != viewer.community.street.district_id:
        raise DomainError("bad_request", _l("Choose the department."), field="department_id")
    evidence = evidence.strip() if isinstance(evidence, str) else ""
    validation.storable(evidence, field="evidence")
    if len(evidence) > 2000:
        raise DomainError("bad_request", _l("Give the evidence in at most 2000 characters."), field="evidence")
    objection = WorkItemObjection(
        community_id=viewer.community_id,
        department_id=department.id,
        reporter_id=viewer.user_id,
        client_id=client_id,
        what=_long_text(what, "what", _l("Say in 2 to 2000 characters what work was placed on the community.")),
        placed_on=_date_in_range(placed_on, field="placed_on"),
        evidence=evidence,
    )
    try:
        with db.session.begin_nested():
            db.session.add(objection)
            db.session.flush()
    except IntegrityError:
        existing = _objection_by_client(viewer.community_id, viewer.user_id, client_id)
        if existing is None:
            raise
        return existing
    audit.record(viewer.user, "workitems.objection", objection, community_id=viewer.community_id)
    signals.objection_filed.send(objection, actor=viewer.user)
    return objection


def answer_objection(stance: Stance, objection: WorkItemObjection, answer) -> WorkItemObjection:
    """District staff answer an objection; the community reads the answer. One answer each."""
    if not permissions.can_answer(stance, objection):
        raise Forbidden()
    if objection.answered_at is not None:
        raise Conflict("answered", _l("This report has already been answered."))
    objection.answer = _long_text(answer, "answer", _l("Write an answer of 2 to 2000 characters."))
    objection.answered_by_id = stance.user_id
    objection.answered_at = utcnow()
    db.session.flush()
    audit.record(stance.user, "workitems.answer", objection, community_id=objection.community_id)
    signals.objection_answered.send(objection, actor=stance.user)
    return objection
