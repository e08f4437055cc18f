"""Micro-project use cases: funds, applications with budgets, review with allocation, ratings."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.accounts import services as accounts
from app.accounts.models import User
from app.communities import services as communities
from app.communities.models import Community
from app.core import audit, validation
from app.core.errors import Conflict, DomainError, Forbidden, NotFound
from app.extensions import db
from app.microprojects import ledger, permissions, signals
from app.microprojects.models import (
    BudgetLine,
    EntryKind,
    Fund,
    LedgerEntry,
    MicroProject,
    ProgressPhoto,
    ProgressPost,
    ProjectEvent,
    ProjectStatus,
    Rating,
)

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
MAX_LINES = 50
# Money is spent only while the work is under way: an approved project is started first (one tap by the
# applicant or staff), and a completed or evaluated project is closed to new expenditures.
SPENDING = frozenset({ProjectStatus.IN_PROGRESS})
CLOSED = frozenset({ProjectStatus.COMPLETED, ProjectStatus.EVALUATED})


def _member(user: User, community_id: int):
    return communities.membership_of(user, community_id)


def fund_for(community: Community, year: int) -> Fund | None:
    return db.session.scalar(select(Fund).where(Fund.community_id == community.id, Fund.year == year))


def set_fund(user: User, community: Community, year: int, total_fen: int) -> Fund:
    """Staff set the year's fund total; it can never drop below what is already allocated."""
    if not permissions.can_review(_member(user, community.id), community.id):
        raise Forbidden()
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DomainError("bad_request", _l("Choose a year."), field="year")
    if not isinstance(total_fen, int) or not 0 <= total_fen <= ledger.MAX_FEN:
        raise DomainError("bad_amount", _l("An amount cannot be negative."), field="total")
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
                _l(
                    "%(allocated)s is already allocated; the total cannot be less.",
                    allocated=ledger.format_yuan(allocated),
                ),
                field="total",
                status=409,
            )
        fund.total_fen = total_fen
    audit.record(user, "fund.set", fund, community_id=community.id, total_fen=total_fen)
    db.session.commit()
    return fund


def _title_and_purpose(title, purpose) -> tuple[str, str]:
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


def _lines(lines) -> list[BudgetLine]:
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
        if not isinstance(unit_price_fen, int) or not 0 <= unit_price_fen <= ledger.MAX_FEN:
            raise DomainError("bad_amount", _l("A unit price cannot be negative."), field="lines")
        parsed.append(BudgetLine(position=position, item=item, quantity=quantity, unit_price_fen=unit_price_fen))
    if not parsed:
        raise DomainError("bad_request", _l("Add at least one budget line."), field="lines")
    if len(parsed) > MAX_LINES:
        raise DomainError("bad_request", _l("At most %(n)d budget lines.", n=MAX_LINES), field="lines")
    if sum(line.total_fen for line in parsed) > ledger.MAX_FEN:
        raise DomainError("bad_amount", _l("This budget is too large."), field="lines")
    return parsed


def _application_by_client(community_id: int, user_id: int, client_id: str) -> MicroProject | None:
    return db.session.scalar(
        select(MicroProject).where(
            MicroProject.community_id == community_id,
            MicroProject.applicant_id == user_id,
            MicroProject.client_id == client_id,
        )
    )


def save_application(
    user: User,
    community: Community,
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
    if not permissions.can_apply(_member(user, community.id)):
        raise Forbidden(_l("Verified residents and social organisations apply for micro-projects."))
    if project is None:
        client_id = validation.client_id(client_id)
        existing = _application_by_client(community.id, user.id, client_id)
        if existing is not None:
            return existing
    title, purpose = _title_and_purpose(title, purpose)
    parsed = _lines(lines)
    if project is None:
        project = MicroProject(community_id=community.id, applicant_id=user.id, client_id=client_id)
        db.session.add(project)
    elif project.applicant_id != user.id:
        raise Forbidden()
    elif project.status not in (ProjectStatus.DRAFT, ProjectStatus.CHANGES_REQUESTED):
        raise DomainError("wrong_status", _l("This application can no longer be changed."), status=409)
    project.title = title
    project.purpose = purpose
    project.lines = parsed
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = _application_by_client(community.id, user.id, client_id) if client_id else None
        if existing is None:
            raise
        return existing  # the same application, sent twice at once: the first one won
    return project


def get(project_id) -> MicroProject:
    project = db.session.get(MicroProject, project_id) if isinstance(project_id, int) else None
    if project is None:
        raise NotFound()
    return project


def visible(user: User, project: MicroProject):
    """Members read projects once submitted; drafts only their applicant and staff."""
    member = _member(user, project.community_id)
    oversees = project.community_id in communities.overseen_community_ids(user)
    if member is None and not oversees:
        raise NotFound()
    if (
        project.status == ProjectStatus.DRAFT
        and project.applicant_id != user.id
        and not permissions.can_review(member, project.community_id)
    ):
        raise NotFound()
    return member


def move(
    user: User, project: MicroProject, to, comment: str = "", *, granted_fen: int | None = None, year: int | None = None
) -> MicroProject:
    """Move a project along; approval allocates the granted amount from the year's fund in the same
    transaction (or nothing happens)."""
    member = visible(user, project)
    try:
        to = ProjectStatus(to)
    except ValueError:
        raise DomainError("bad_request", _l("Choose a status."), field="status") from None
    staff = permissions.can_review(member, project.community_id)
    applicant = project.applicant_id == user.id
    allowed = (STAFF_MOVES.get(project.status, set()) if staff else set()) | (
        APPLICANT_MOVES.get(project.status, set()) if applicant else set()
    )
    if to not in allowed:
        if not staff and not applicant:
            raise Forbidden()
        raise DomainError(
            "wrong_status", _l("This change is not possible from the project's current status."), status=409
        )
    comment = (comment or "").strip()
    if to in (ProjectStatus.CHANGES_REQUESTED, ProjectStatus.REJECTED) and not comment:
        raise DomainError("reason_required", _l("Say why: the applicant will read it."), field="comment")
    if len(comment) > 1000:
        raise DomainError("bad_request", _l("A comment is at most 1000 characters."), field="comment")
    if to == ProjectStatus.SUBMITTED and not project.lines:
        # a draft made from an adopted idea starts without a budget; it is never sent without one
        raise DomainError(
            "no_budget", _l("Add at least one budget line before sending the application."), field="lines", status=409
        )
    try:
        if to == ProjectStatus.APPROVED:
            if not isinstance(granted_fen, int) or granted_fen <= 0:
                raise DomainError("bad_amount", _l("Enter the amount granted."), field="amount")
            if not isinstance(year, int):
                raise DomainError("bad_request", _l("Choose a year."), field="year")
            fund = fund_for(db.session.get(Community, project.community_id), year)
            if fund is None:
                raise DomainError("no_fund", _l("There is no micro-fund for %(year)s yet.", year=year), field="year")
            ledger.allocate(fund, project, granted_fen, actor_id=user.id, note=project.title)
            project.fund_id = fund.id
            project.granted_fen = granted_fen
        db.session.add(
            ProjectEvent(
                project_id=project.id, actor_id=user.id, from_status=project.status, to_status=to, comment=comment
            )
        )
        project.status = to
        audit.record(user, "project.status", project, community_id=project.community_id, to=to.value)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return project


def check_spending(user: User, project: MicroProject):
    """Refuse, before anything is written (a receipt photo too), an expenditure `user` may not record on
    `project` now: only its applicant and the staff, and only while the project is in progress."""
    member = visible(user, project)
    if project.applicant_id != user.id and not permissions.can_review(member, project.community_id):
        raise Forbidden()
    if project.status in CLOSED:
        raise DomainError(
            "project_closed", _l("This project is closed: no more expenditures can be recorded."), status=409
        )
    if project.status not in SPENDING:
        raise DomainError("wrong_status", _l("Expenditures are recorded while the project is in progress."), status=409)
    return member


def expenditure_by_client(user: User, project: MicroProject, client_id) -> LedgerEntry | None:
    """The expenditure `user` already recorded on `project` from the form `client_id`, if any."""
    if not isinstance(client_id, str) or not client_id:
        return None
    return db.session.scalar(
        select(LedgerEntry).where(
            LedgerEntry.project_id == project.id,
            LedgerEntry.actor_id == user.id,
            LedgerEntry.client_id == client_id,
            LedgerEntry.kind == EntryKind.EXPENDITURE,
        )
    )


def spend(user: User, project: MicroProject, amount_fen: int, note: str, receipt_photo_id=None, *, client_id):
    """The applicant or staff record an expenditure with its receipt, within the allocation, while the
    project is in progress. A retry (same client_id) returns the first entry and records nothing."""
    try:
        client_id = validation.client_id(client_id)
        existing = expenditure_by_client(user, project, client_id)
        if existing is not None:
            return existing
        check_spending(user, project)
        entry = ledger.spend(
            project,
            amount_fen,
            actor_id=user.id,
            note=note or "",
            receipt_photo_id=receipt_photo_id,
            client_id=client_id,
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = expenditure_by_client(user, project, client_id)
        if existing is None:
            raise
        return existing  # the same expenditure, sent twice at once: the first one won
    except Exception:
        db.session.rollback()
        raise
    return entry


def rate(user: User, project: MicroProject, score, comment: str = "") -> Rating:
    """A household rates a completed project 1–5, once."""
    member = visible(user, project)
    if not permissions.can_rate(member):
        raise Forbidden(_l("Verified residents rate projects, one rating per household."))
    if project.status != ProjectStatus.COMPLETED:
        raise DomainError("wrong_status", _l("Projects are rated once they are completed."), status=409)
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise DomainError("bad_request", _l("Choose 1 to 5 stars."), field="score")
    existing = db.session.scalar(
        select(Rating).where(Rating.project_id == project.id, Rating.household_id == member.household_id)
    )
    if existing is not None:
        if existing.user_id == user.id and existing.score == score:
            return existing  # the same rating sent again
        raise Conflict("already_rated", _l("Your household has rated this project already."))
    rating = Rating(
        project_id=project.id,
        household_id=member.household_id,
        user_id=user.id,
        score=score,
        comment=(comment or "").strip()[:500],
    )
    try:
        with db.session.begin_nested():
            db.session.add(rating)
    except IntegrityError:
        raise Conflict("already_rated", _l("Your household has rated this project already.")) from None
    db.session.commit()
    return rating


def rating_summary(project: MicroProject) -> tuple[int, int]:
    """(count, sum of scores): the page shows the average as sum / count."""
    count, total = db.session.execute(
        select(func.count(), func.coalesce(func.sum(Rating.score), 0)).where(Rating.project_id == project.id)
    ).one()
    return int(count), int(total)


MAX_PROGRESS_PHOTOS = 6


def post_progress(user: User, project: MicroProject, *, client_id, body, milestone="", photos=(), store=None):
    """The applicant or staff report progress on a project under way, with up to six photos.

    A retry (same client_id) returns the first post; `store` saves and discards photos as for ideas.
    """
    member = visible(user, project)
    if project.applicant_id != user.id and not permissions.can_review(member, project.community_id):
        raise Forbidden(_l("The applicant and the community staff report progress."))
    if project.status not in (ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED):
        raise DomainError("wrong_status", _l("Progress is reported once the project is approved."), status=409)
    if not isinstance(client_id, str) or not client_id.strip() or len(client_id) > 64:
        raise DomainError("bad_request", _l("The request could not be understood."), field="client_id")
    existing = db.session.scalar(
        select(ProgressPost).where(
            ProgressPost.project_id == project.id,
            ProgressPost.author_id == user.id,
            ProgressPost.client_id == client_id,
        )
    )
    if existing is not None:
        return existing
    body = (body or "").strip() if isinstance(body, str) else ""
    if not 2 <= len(body) <= 2000:
        raise DomainError("bad_request", _l("Write 2 to 2000 characters about the progress."), field="body")
    milestone = (milestone or "").strip() if isinstance(milestone, str) else ""
    if len(milestone) > 100:
        raise DomainError("bad_request", _l("A milestone is at most 100 characters."), field="milestone")
    photos = [p for p in photos if p]
    if len(photos) > MAX_PROGRESS_PHOTOS:
        raise DomainError("bad_request", _l("At most %(n)d photos.", n=MAX_PROGRESS_PHOTOS), field="photos")
    post = ProgressPost(project_id=project.id, author_id=user.id, client_id=client_id, body=body, milestone=milestone)
    saved = []
    try:
        for position, data in enumerate(photos):
            saved.append(store.save(data))
            post.photos.append(ProgressPhoto(photo_id=saved[-1].id, position=position))
        db.session.add(post)
        db.session.commit()
    except Exception:
        db.session.rollback()
        for photo in saved:
            store.discard(photo)
        raise
    return post


def progress_of(project: MicroProject) -> list[ProgressPost]:
    return list(
        db.session.scalars(
            select(ProgressPost).where(ProgressPost.project_id == project.id).order_by(ProgressPost.id.desc())
        )
    )


# -- made by another feature: an adopted golden idea, a winning contest entry ------------------------


def _applicant_may_apply(applicant: User, community: Community) -> None:
    if not permissions.can_apply(_member(applicant, community.id)):
        raise DomainError(
            "applicant_cannot_apply",
            _l("The applicant is not (or no longer) a verified resident or social organisation of this community."),
            status=409,
        )


def draft_from_idea(
    actor: User, community: Community, *, idea_id: int, applicant: User, title, purpose
) -> MicroProject:
    """Staff adopt a golden idea as a draft application in its submitter's name, linked to the idea.

    The draft has no budget yet: the applicant (told in the inbox and live) completes the budget and sends
    it; sending still needs at least one line (see `move`). Called by ideas.services.adopt_as_micro_project,
    which changes the idea's status afterwards; every check here comes before anything is written.
    """
    if not permissions.can_review(_member(actor, community.id), community.id):
        raise Forbidden()
    _applicant_may_apply(applicant, community)
    title = title.strip()[:100] if isinstance(title, str) else ""
    purpose = purpose.strip()[:5000] if isinstance(purpose, str) else ""
    title, purpose = _title_and_purpose(title, purpose)
    if db.session.scalar(select(MicroProject.id).where(MicroProject.idea_id == idea_id)) is not None:
        raise Conflict("already_adopted", _l("A micro-project was already made from this idea."))
    project = MicroProject(
        community_id=community.id,
        applicant_id=applicant.id,
        idea_id=idea_id,
        title=title,
        purpose=purpose,
        status=ProjectStatus.DRAFT,
    )
    try:
        db.session.add(project)
        db.session.flush()
        audit.record(actor, "project.from_idea", project, community_id=community.id, idea_id=idea_id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    signals.project_drafted_for_applicant.send(project, actor=actor)
    return project


def projects_of_idea(idea_id: int) -> list[MicroProject]:
    return list(db.session.scalars(select(MicroProject).where(MicroProject.idea_id == idea_id)))


def create_granted(
    actor: User,
    community: Community,
    *,
    applicant: User,
    title: str,
    purpose: str,
    lines,
    granted_fen: int,
    year: int,
    source_note: str,
    client_id: str | None = None,
) -> MicroProject:
    """A micro-project granted outright (e.g. a winning proposal-contest entry), with its budget lines,
    approved with `granted_fen` allocated from the community's fund of `year` in the same transaction.

    `actor`: the community's staff, or street/district staff overseeing it (they run street- and
    district-wide contests). `applicant`: the entry's author, a verified resident or social organisation
    of the community. `lines`: (item, quantity, unit price in fen) as for an application.
    `source_note`: shown in the project's history (e.g. "2026 proposal contest, entry #12"), at most 1000
    characters. `client_id` (optional, e.g. "contest-entry-12"): a retry with the same one returns the
    first project and grants nothing more.

    Refuses, with nothing written, when the fund is missing or cannot cover `granted_fen`
    (DomainError "no_fund" / "over_fund", 409), and on any bad input (400) or role (403).
    """
    staff = permissions.can_review(_member(actor, community.id), community.id)
    if not staff and community.id not in communities.overseen_community_ids(actor):
        raise Forbidden()
    if client_id is not None:
        client_id = validation.client_id(client_id)
        existing = _application_by_client(community.id, applicant.id, client_id)
        if existing is not None:
            return existing
    _applicant_may_apply(applicant, community)
    title, purpose = _title_and_purpose(title, purpose)
    parsed = _lines(lines)
    if not isinstance(granted_fen, int) or isinstance(granted_fen, bool) or granted_fen <= 0:
        raise DomainError("bad_amount", _l("Enter the amount granted."), field="amount")
    if not isinstance(year, int) or isinstance(year, bool):
        raise DomainError("bad_request", _l("Choose a year."), field="year")
    source_note = source_note.strip() if isinstance(source_note, str) else ""
    if len(source_note) > 1000:
        raise DomainError("bad_request", _l("A comment is at most 1000 characters."), field="comment")
    fund = fund_for(community, year)
    if fund is None:
        raise DomainError(
            "no_fund", _l("There is no micro-fund for %(year)s yet.", year=year), field="year", status=409
        )
    project = MicroProject(
        community_id=community.id,
        applicant_id=applicant.id,
        client_id=client_id,
        title=title,
        purpose=purpose,
        status=ProjectStatus.APPROVED,
        fund_id=fund.id,
        granted_fen=granted_fen,
        lines=parsed,
    )
    try:
        # a savepoint: a refusal (the fund cannot cover it) or a concurrent retry undoes this grant only;
        # the caller (the contest-winners flow) owns the transaction and commits
        with db.session.begin_nested():
            db.session.add(project)
            db.session.flush()
            ledger.allocate(fund, project, granted_fen, actor_id=actor.id, note=title)  # locks the fund row
            db.session.add(
                ProjectEvent(
                    project_id=project.id,
                    actor_id=actor.id,
                    from_status=None,
                    to_status=ProjectStatus.APPROVED,
                    comment=source_note,
                )
            )
            audit.record(actor, "project.granted", project, community_id=community.id, granted_fen=granted_fen)
    except IntegrityError:
        existing = _application_by_client(community.id, applicant.id, client_id) if client_id else None
        if existing is None:
            raise
        return existing
    return project


# -- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Listed:
    """A project on the list, with its ratings' count and sum (the page shows the average)."""

    project: MicroProject
    rating_count: int
    rating_total: int


def listing(user: User, community: Community) -> list[Listed]:
    """The community's projects `user` may see, newest first, with budget lines and ratings: drafts only
    for their applicant and the staff. Two queries, however many projects."""
    member = _member(user, community.id)
    if member is None and community.id not in communities.overseen_community_ids(user):
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
        .where(MicroProject.community_id == community.id)
        .options(selectinload(MicroProject.lines))
        .order_by(MicroProject.id.desc())
    )
    if not permissions.can_review(member, community.id):
        query = query.where(or_(MicroProject.status != ProjectStatus.DRAFT, MicroProject.applicant_id == user.id))
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
    from app.microprojects.reports import ledger_rows

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
