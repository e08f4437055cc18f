"""Micro-project use cases: funds, applications with budgets, review with allocation, ratings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.communities import services as communities
from app.communities.models import Community
from app.core import audit
from app.core.errors import Conflict, DomainError, Forbidden, NotFound
from app.extensions import db
from app.microprojects import ledger, permissions
from app.microprojects.models import (
    BudgetLine,
    Fund,
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


def save_application(
    user: User, community: Community, *, title: str, purpose: str, lines, project: MicroProject | None = None
) -> MicroProject:
    """Draft (or revise, after changes were requested) an application with its budget."""
    if not permissions.can_apply(_member(user, community.id)):
        raise Forbidden(_l("Verified residents and social organisations apply for micro-projects."))
    title = (title or "").strip()
    if not 2 <= len(title) <= 100:
        raise DomainError("bad_request", _l("Give a title of 2 to 100 characters."), field="title")
    purpose = (purpose or "").strip()
    if not 10 <= len(purpose) <= 5000:
        raise DomainError(
            "bad_request",
            _l("Describe the purpose, beneficiaries and schedule (10 to 5000 characters)."),
            field="purpose",
        )
    parsed = _lines(lines)
    if project is None:
        project = MicroProject(community_id=community.id, applicant_id=user.id)
        db.session.add(project)
    elif project.applicant_id != user.id:
        raise Forbidden()
    elif project.status not in (ProjectStatus.DRAFT, ProjectStatus.CHANGES_REQUESTED):
        raise DomainError("wrong_status", _l("This application can no longer be changed."), status=409)
    project.title = title
    project.purpose = purpose
    project.lines = parsed
    db.session.commit()
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


def spend(user: User, project: MicroProject, amount_fen: int, note: str, receipt_photo_id=None):
    """The applicant or staff record an expenditure with its receipt, within the allocation."""
    try:
        member = visible(user, project)
        if project.applicant_id != user.id and not permissions.can_review(member, project.community_id):
            raise Forbidden()
        if project.status not in (ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED):
            raise DomainError("wrong_status", _l("Expenditures are recorded once the project is approved."), status=409)
        entry = ledger.spend(project, amount_fen, actor_id=user.id, note=note or "", receipt_photo_id=receipt_photo_id)
        db.session.commit()
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
