"""A project under way and after: progress reports with photos, and the households' ratings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.communities.access import Viewer
from app.core.errors import Conflict, DomainError, Forbidden
from app.extensions import db
from app.microprojects import permissions
from app.microprojects.models import MicroProject, ProgressPhoto, ProgressPost, ProjectStatus, Rating

MAX_PROGRESS_PHOTOS = 6
PROGRESS = frozenset({ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED})


def rate(viewer: Viewer, project: MicroProject, score, comment: str = "") -> Rating:
    """A household rates a completed project 1–5, once."""
    if not permissions.can_rate(viewer):
        raise Forbidden(_l("Verified residents rate projects, one rating per household."))
    if project.status != ProjectStatus.COMPLETED:
        raise DomainError("wrong_status", _l("Projects are rated once they are completed."), status=409)
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise DomainError("bad_request", _l("Choose 1 to 5 stars."), field="score")
    household_id = viewer.membership.household_id
    existing = db.session.scalar(
        select(Rating).where(Rating.project_id == project.id, Rating.household_id == household_id)
    )
    if existing is not None:
        if existing.user_id == viewer.user_id and existing.score == score:
            return existing  # the same rating sent again
        raise Conflict("already_rated", _l("Your household has rated this project already."))
    rating = Rating(
        project_id=project.id,
        household_id=household_id,
        user_id=viewer.user_id,
        score=score,
        comment=(comment or "").strip()[:500],
    )
    try:
        with db.session.begin_nested():
            db.session.add(rating)
    except IntegrityError:
        raise Conflict("already_rated", _l("Your household has rated this project already.")) from None
    return rating


def rating_summary(project: MicroProject) -> tuple[int, int]:
    """(count, sum of scores): the page shows the average as sum / count."""
    count, total = db.session.execute(
        select(func.count(), func.coalesce(func.sum(Rating.score), 0)).where(Rating.project_id == project.id)
    ).one()
    return int(count), int(total)


def post_progress(viewer: Viewer, project: MicroProject, *, client_id, body, milestone="", photos=(), store=None):
    """The applicant or staff report progress on a project under way, with up to six photos.

    A retry (same client_id) returns the first post; `store` saves and discards photos as for ideas.
    """
    if not permissions.can_keep_books(viewer, project):
        raise Forbidden(_l("The applicant and the community staff report progress."))
    if project.status not in PROGRESS:
        raise DomainError("wrong_status", _l("Progress is reported once the project is approved."), status=409)
    if not isinstance(client_id, str) or not client_id.strip() or len(client_id) > 64:
        raise DomainError("bad_request", _l("The request could not be understood."), field="client_id")
    existing = db.session.scalar(
        select(ProgressPost).where(
            ProgressPost.project_id == project.id,
            ProgressPost.author_id == viewer.user_id,
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
    post = ProgressPost(
        project_id=project.id, author_id=viewer.user_id, client_id=client_id, body=body, milestone=milestone
    )
    saved = []
    try:
        for position, data in enumerate(photos):
            saved.append(store.save(data))
            post.photos.append(ProgressPhoto(photo_id=saved[-1].id, position=position))
        db.session.add(post)
        db.session.flush()
    except Exception:
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
