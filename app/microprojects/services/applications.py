"""The year's fund, applications with their budgets, and moving a project along its statuses (approval
allocates from the fund: ledger.py keeps its invariants)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.communities.access import Viewer
from app.core import audit, validation
from app.core.errors import DomainError, Forbidden
from app.core.money import MAX_FEN, format_yuan
from app.extensions import db
from app.microprojects import ledger, permissions
from app.microprojects.models import BudgetLine, Fund, MicroProject, ProjectEvent, ProjectStatus

# Every allowed status change and who makes it.
APPLICANT_MOVES = {
    ProjectStatus.DRAFT: {ProjectStatus.SUBMITTED},
    ProjectStatus.CHANGES_REQUESTED: {ProjectStatus.SUBMITTED},
    ProjectStatus.APPROVED: {ProjectStatus.IN_PROGRESS},
}
STAFF_MOVES = {
    ProjectStatus.SUBMITTED: {ProjectStatus.UNDER_REVIEW},
    ProjectStatus.UNDER_REVIEW: {ProjectStatus.APPROVED, ProjectStatus.CHANGES_REQUESTED, ProjectStatus.REJECTED},
    ProjectStatus.APPROVED: {ProjectStatus.IN_PROGRESS},
    ProjectStatus.IN_PROGRESS: {ProjectStatus.COMPLETED},
    ProjectStatus.COMPLETED: {ProjectStatus.EVALUATED},
}
EDITABLE = frozenset({ProjectStatus.DRAFT, ProjectStatus.CHANGES_REQUESTED})
MAX_LINES = 50


def fund_for(community, year: int) -> Fund | None:
    return db.session.scalar(select(Fund).where(Fund.community_id == community.id, Fund.year == year))


def set_fund(viewer: Viewer, year: int, total_fen: int) -> Fund:
    """Staff set the year's fund total; it can never drop below what is already allocated."""
    if not permissions.can_review(viewer):
        raise Forbidden()
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DomainError("bad_request", _l("Choose a year."), field="year")
    if not isinstance(total_fen, int) or not 0 <= total_fen <= MAX_FEN:
        raise DomainError("bad_amount", _l("An amount cannot be negative."), field="total")
    community = viewer.community
    fund = fund_for(community, year)
    if fund is None:
        fund = Fund(community_id=community.id, year=year, total_fen=total_fen)
        db.session.add(fund)
        db.session.flush()
    else:
        allocated = ledger.balance(fund).allocated
        if total_fen < allocated:
            raise DomainError(
                "over_fund",
                _l("%(allocated)s is already allocated; the total cannot be less.", allocated=format_yuan(allocated)),
                field="total",
                status=409,
            )
        fund.total_fen = total_fen
    audit.record(viewer.user, "fund.set", fund, community_id=community.id, total_fen=total_fen)
    db.session.flush()
    return fund


def title_and_purpose(title, purpose) -> tuple[str, str]:
    title = title.strip() if isinstance(title, str) else ""
    if not 2 <= len(title) <= 100:
        raise DomainError("bad_request", _l("Give a title of 2 to 100 characters."), field="title")
    purpose = purpose.strip() if isinstance(purpose, str) else ""
    if not 10 <= len(purpose) <= 5000:
        raise DomainError(
            "bad_request",
            _l("Describe the purpose, beneficiaries and schedule (10 to 5000 characters)."),
            field="purpose",
        )
    return title, purpose


def budget_lines(lines) -> list[BudgetLine]:
    """Budget lines from (item, quantity, unit price in fen); at least one."""
    parsed = []
    for position, (item, quantity, unit_price_fen) in enumerate(lines):
        item = (item or "").strip()
        if not item:
            continue
        if len(item) > 100:
            raise DomainError("bad_request", _l("An item is at most 100 characters."), field="lines")
        if not isinstance(quantity, int) or not 1 <= quantity <= 100_000:
            raise DomainError("bad_request", _l("A quantity is a whole number from 1 to 100000."), field="lines")
        if not isinstance(unit_price_fen, int) or not 0 <= unit_price_fen <= MAX_FEN:
            raise DomainError("bad_amount", _l("A unit price cannot be negative."), field="lines")
        parsed.append(BudgetLine(position=position, item=item, quantity=quantity, unit_price_fen=unit_price_fen))
    if not parsed:
        raise DomainError("bad_request", _l("Add at least one budget line."), field="lines")
    if len(parsed) > MAX_LINES:
        raise DomainError("bad_request", _l("At most %(n)d budget lines.", n=MAX_LINES), field="lines")
    if sum(line.total_fen for line in parsed) > MAX_FEN:
        raise DomainError("bad_amount", _l("This budget is too large."), field="lines")
    return parsed


def application_by_client(community_id: int, user_id: int, client_id: str) -> MicroProject | None:
    return db.session.scalar(
        select(MicroProject).where(
            MicroProject.community_id == community_id,
            MicroProject.applicant_id == user_id,
            MicroProject.client_id == client_id,
        )
    )


def save_application(
    viewer: Viewer,
    *,
    title: str,
    purpose: str,
    lines,
    project: MicroProject | None = None,
    client_id: str | None = None,
) -> MicroProject:
    """Draft (or revise, after changes were requested) an application with its budget.

    A new application carries the `client_id` of the form it came from: a retry (a double tap, a resent
    request) returns the first draft and changes nothing, even when it races the first request.
    """
    if not permissions.can_apply(viewer):
        raise Forbidden(_l("Verified residents and social organisations apply for micro-projects."))
    community_id, user_id = viewer.community_id, viewer.user_id
    if project is None:
        client_id = validation.client_id(client_id)
        existing = application_by_client(community_id, user_id, client_id)
        if existing is not None:
            return existing
    title, purpose = title_and_purpose(title, purpose)
    parsed = budget_lines(lines)
    if project is not None:
        check_editable(viewer, project)
        project.title, project.purpose, project.lines = title, purpose, parsed
        db.session.flush()
        return project
    project = MicroProject(
        community_id=community_id, applicant_id=user_id, client_id=client_id, title=title, purpose=purpose
    )
    project.lines = parsed
    try:
        with db.session.begin_nested():
            db.session.add(project)
            db.session.flush()
    except IntegrityError:
        existing = application_by_client(community_id, user_id, client_id)
        if existing is None:
            raise
        return existing  # the same application, sent twice at once: the first one won
    return project


def check_editable(viewer: Viewer, project: MicroProject) -> None:
    """Refuse a revision the viewer may not make now: only the applicant's draft or sent-back application."""
    if not permissions.can_edit(viewer, project):
        raise Forbidden()
    if project.status not in EDITABLE:
        raise DomainError("wrong_status", _l("This application can no longer be changed."), status=409)


def move(
    viewer: Viewer,
    project: MicroProject,
    to,
    comment: str = "",
    *,
    granted_fen: int | None = None,
    year: int | None = None,
) -> MicroProject:
    """Move a project along; approval allocates the granted amount from the year's fund in the same
    transaction (or nothing happens)."""
    try:
        to = ProjectStatus(to)
    except ValueError:
        raise DomainError("bad_request", _l("Choose a status."), field="status") from None
    staff = permissions.can_review(viewer)
    applicant = permissions.is_applicant(viewer, project)
    allowed = (STAFF_MOVES.get(project.status, set()) if staff else set()) | (
        APPLICANT_MOVES.get(project.status, set()) if applicant else set()
    )
    if to not in allowed:
        if not staff and not applicant:
            raise Forbidden()
        raise DomainError(
            "wrong_status", _l("This change is not possible from the project's current status."), status=409
        )
    comment = _comment(to, comment)
    if to == ProjectStatus.SUBMITTED and not project.lines:
        # a draft made from an adopted idea starts without a budget; it is never sent without one
        raise DomainError(
            "no_budget", _l("Add at least one budget line before sending the application."), field="lines", status=409
        )
    if to == ProjectStatus.APPROVED:
        _grant(viewer, project, granted_fen, year)
    db.session.add(
        ProjectEvent(
            project_id=project.id, actor_id=viewer.user_id, from_status=project.status, to_status=to, comment=comment
        )
    )
    project.status = to
    audit.record(viewer.user, "project.status", project, community_id=project.community_id, to=to.value)
    db.session.flush()
    return project


def _comment(to: ProjectStatus, comment) -> str:
    comment = (comment or "").strip()
    if to in (ProjectStatus.CHANGES_REQUESTED, ProjectStatus.REJECTED) and not comment:
        raise DomainError("reason_required", _l("Say why: the applicant will read it."), field="comment")
    if len(comment) > 1000:
        raise DomainError("bad_request", _l("A comment is at most 1000 characters."), field="comment")
    return comment


def _grant(viewer: Viewer, project: MicroProject, granted_fen, year) -> None:
    if not isinstance(granted_fen, int) or granted_fen <= 0:
        raise DomainError("bad_amount", _l("Enter the amount granted."), field="amount")
    if not isinstance(year, int):
        raise DomainError("bad_request", _l("Choose a year."), field="year")
    fund = fund_for(viewer.community, year)
    if fund is None:
        raise DomainError("no_fund", _l("There is no micro-fund for %(year)s yet.", year=year), field="year")
    ledger.allocate(fund, project, granted_fen, actor_id=viewer.user_id, note=project.title)
    project.fund_id = fund.id
    project.granted_fen = granted_fen
