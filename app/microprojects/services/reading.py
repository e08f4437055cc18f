"""Reading projects and the fund: the list, a project's history and ledger, the fund's balances."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.accounts import services as accounts
from app.communities.access import Viewer
from app.core.errors import Forbidden
from app.extensions import db
from app.microprojects import ledger, permissions
from app.microprojects.models import EntryKind, Fund, LedgerEntry, MicroProject, ProjectEvent, ProjectStatus, Rating
from app.microprojects.reports import ledger_rows


@dataclass(frozen=True)
class Listed:
    """A project on the list, with its ratings' count and sum (the page shows the average)."""

    project: MicroProject
    rating_count: int
    rating_total: int


def listing(viewer: Viewer) -> list[Listed]:
    """The community's projects the viewer may see, newest first, with budget lines and ratings: drafts only
    for their applicant and the staff. Two queries, however many projects."""
    if not viewer.may_see:
        raise Forbidden()
    ratings = (
        select(
            Rating.project_id.label("project_id"),
            func.count().label("n"),
            func.sum(Rating.score).label("total"),
        )
        .group_by(Rating.project_id)
        .subquery()
    )
    query = (
        select(MicroProject, func.coalesce(ratings.c.n, 0), func.coalesce(ratings.c.total, 0))
        .outerjoin(ratings, ratings.c.project_id == MicroProject.id)
        .where(MicroProject.community_id == viewer.community_id)
        .options(selectinload(MicroProject.lines))
        .order_by(MicroProject.id.desc())
    )
    if not permissions.can_review(viewer):
        query = query.where(
            or_(MicroProject.status != ProjectStatus.DRAFT, MicroProject.applicant_id == viewer.user_id)
        )
    return [Listed(project, int(n), int(total)) for project, n, total in db.session.execute(query)]


def history(project: MicroProject) -> list[ProjectEvent]:
    """A project's status changes, oldest first, with their actors."""
    return list(
        db.session.scalars(
            select(ProjectEvent)
            .where(ProjectEvent.project_id == project.id)
            .options(selectinload(ProjectEvent.actor))
            .order_by(ProjectEvent.created_at, ProjectEvent.id)
        )
    )


def entries_of(*, fund_id: int | None = None, project_id: int | None = None) -> list[LedgerEntry]:
    """Ledger entries of a fund or of a project, oldest first."""
    query = select(LedgerEntry).order_by(LedgerEntry.created_at, LedgerEntry.id)
    if fund_id is not None:
        query = query.where(LedgerEntry.fund_id == fund_id)
    if project_id is not None:
        query = query.where(LedgerEntry.project_id == project_id)
    return list(db.session.scalars(query))


def titles_of(project_ids) -> dict[int, str]:
    """Project titles by id."""
    ids = set(project_ids)
    if not ids:
        return {}
    return dict(
        db.session.execute(select(MicroProject.id, MicroProject.title).where(MicroProject.id.in_(ids))).tuples().all()
    )


def ledger_of(*, project: MicroProject | None = None, fund: Fund | None = None) -> list:
    """The ledger of a project or of a fund as rows (reports.LedgerRow), oldest first, with project titles
    and the recorders' names: three queries."""
    if project is None and fund is None:
        return []
    entries = entries_of(project_id=project.id) if project is not None else entries_of(fund_id=fund.id)
    titles = {project.id: project.title} if project is not None else titles_of(e.project_id for e in entries)
    return ledger_rows(entries, titles=titles, names=accounts.names_of(e.actor_id for e in entries))


@dataclass(frozen=True)
class ProjectMoney:
    project: MicroProject
    allocated: int
    spent: int


def fund_balances(fund: Fund) -> tuple[ledger.FundBalance, list[ProjectMoney]]:
    """The fund's total, allocated and spent, and each funded project's allocation and spending (in the
    order they were funded): two queries."""
    sums: dict[tuple[int, EntryKind], int] = {}
    rows = db.session.execute(
        select(LedgerEntry.project_id, LedgerEntry.kind, func.sum(LedgerEntry.amount_fen))
        .where(LedgerEntry.fund_id == fund.id)
        .group_by(LedgerEntry.project_id, LedgerEntry.kind)
    )
    for project_id, kind, amount in rows:
        sums[(project_id, EntryKind(kind))] = int(amount)
    projects = db.session.scalars(select(MicroProject).where(MicroProject.fund_id == fund.id).order_by(MicroProject.id))
    per_project = [
        ProjectMoney(
            project, sums.get((project.id, EntryKind.ALLOCATION), 0), sums.get((project.id, EntryKind.EXPENDITURE), 0)
        )
        for project in projects
    ]
    balance = ledger.FundBalance(
        total=fund.total_fen,
        allocated=sum(v for (_p, kind), v in sums.items() if kind == EntryKind.ALLOCATION),
        spent=sum(v for (_p, kind), v in sums.items() if kind == EntryKind.EXPENDITURE),
    )
    return balance, per_project


def fund_year(project: MicroProject) -> int | None:
    """The year of the fund a project was granted money from."""
    fund = db.session.get(Fund, project.fund_id) if project.fund_id is not None else None
    return fund.year if fund is not None else None


def household_rating(project: MicroProject, household_id: int | None) -> Rating | None:
    """The rating a household gave the project, if any."""
    if household_id is None:
        return None
    return db.session.scalar(select(Rating).where(Rating.project_id == project.id, Rating.household_id == household_id))
