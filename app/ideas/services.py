"""Golden-idea use cases: submit (with photos), list, endorse, comment, review, merge.

Every use case takes the `Viewer` (communities.access) as its actor and checks it with `permissions`.
Nothing here commits: the edge (a view, a CLI command, a test) owns the transaction. Adopting an idea as a
consultation or a micro-project spans features: see app/flows/ideas.py.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.communities.access import Viewer
from app.communities.models import Community, Membership, MembershipStatus, Role
from app.core import audit, validation
from app.core.errors import DomainError, Forbidden
from app.core.models import utcnow
from app.core.ratelimit import hit as rate_limit
from app.extensions import db
from app.ideas import permissions, signals
from app.ideas.labels import CATEGORY_LABELS, STATUS_LABELS  # noqa: F401  (read here by notifications)
from app.ideas.models import Category, Endorsement, Idea, IdeaComment, IdeaEvent, IdeaPhoto, IdeaStatus

MAX_PHOTOS = 6

# Every allowed status change; anything else is refused.
TRANSITIONS = {
    IdeaStatus.SUBMITTED: {IdeaStatus.UNDER_REVIEW, IdeaStatus.MERGED, IdeaStatus.DECLINED},
    IdeaStatus.UNDER_REVIEW: {IdeaStatus.ADOPTED, IdeaStatus.MERGED, IdeaStatus.DECLINED},
    IdeaStatus.ADOPTED: {IdeaStatus.IMPLEMENTED},
    IdeaStatus.MERGED: set(),
    IdeaStatus.DECLINED: set(),
    IdeaStatus.IMPLEMENTED: set(),
}
SORTS = ("newest", "endorsed")


def reason_for(reason) -> str:
    """The reason a status change is given with: the submitter reads it."""
    return validation.text(
        reason, field="reason", low=1, high=500, message=_l("Give a reason: the submitter will read it.")
    )


def _by_client(community_id: int, author_id: int, client_id: str) -> Idea | None:
    return db.session.scalar(
        select(Idea).where(Idea.community_id == community_id, Idea.author_id == author_id, Idea.client_id == client_id)
    )


def submit(viewer: Viewer, *, client_id, title, description, category, photos=(), store=None) -> Idea:
    """A verified resident submits an idea with up to six photos. A retry returns the first idea.

    `store` has save(data) -> Photo and discard(photo) (the view binds the upload settings); photos are
    stored with the idea, and their files removed if the idea cannot be stored.
    """
    if not permissions.can_submit(viewer):
        raise Forbidden(_l("Only verified residents can submit ideas."))
    user, community = viewer.user, viewer.community
    client_id = validation.client_id(client_id)
    existing = _by_client(community.id, user.id, client_id)
    if existing is not None:
        return existing
    title = validation.text(title, field="title", low=2, high=100, message=_l("Give a title of 2 to 100 characters."))
    description = validation.text(
        description, field="description", low=5, high=2000, message=_l("Describe the idea in 5 to 2000 characters.")
    )
    try:
        category = Category(category)
    except ValueError:
        raise DomainError("bad_request", _l("Choose a category."), field="category") from None
    photos = [p for p in photos if p]
    if len(photos) > MAX_PHOTOS:
        raise DomainError("bad_request", _l("At most %(n)d photos.", n=MAX_PHOTOS), field="photos")
    rate_limit("post", str(user.id), "RATELIMIT_POST")
    idea = Idea(
        community_id=community.id,
        building_id=viewer.membership.building_id,
        author_id=user.id,
        client_id=client_id,
        title=title,
        description=description,
        category=category,
    )
    saved = []
    try:
        with db.session.begin_nested():  # the same idea sent twice at once: only this part is undone
            for position, data in enumerate(photos):
                saved.append(store.save(data))
                idea.photos.append(IdeaPhoto(photo_id=saved[-1].id, position=position))
            db.session.add(idea)
            db.session.flush()
    except IntegrityError:
        for photo in saved:
            store.discard(photo)
        existing = _by_client(community.id, user.id, client_id)
        if existing is None:
            raise
        return existing
    except Exception:
        for photo in saved:
            store.discard(photo)
        raise
    idea.events.append(IdeaEvent(actor_id=user.id, from_status=None, to_status=IdeaStatus.SUBMITTED))
    db.session.flush()
    return idea


def listing(viewer: Viewer, *, category=None, status=None, building_id=None, sort: str = "newest") -> list[Idea]:
    """Ideas of the viewer's community with filters; newest first or most endorsed first."""
    if not viewer.may_see:
        raise Forbidden()
    query = select(Idea).where(Idea.community_id == viewer.community_id, Idea.hidden_at.is_(None))
    if category:
        query = query.where(Idea.category == Category(category))
    if status:
        query = query.where(Idea.status == IdeaStatus(status))
    if building_id:
        query = query.where(Idea.building_id == building_id)
    query = query.options(selectinload(Idea.photos))
    if sort == "endorsed":
        query = query.order_by(Idea.endorsement_count.desc(), Idea.id.desc())
    else:
        query = query.order_by(Idea.id.desc())
    return list(db.session.scalars(query.limit(200)))


def endorse(viewer: Viewer, idea: Idea) -> Idea:
    """Endorse once; a retried endorsement changes nothing. Staff hear when the threshold is reached."""
    if not permissions.can_endorse(viewer, idea):
        if viewer.is_user(idea.author_id):
            raise Forbidden(_l("You submitted this idea: other residents endorse it."), code="own_idea")
        raise Forbidden(_l("Only verified residents can endorse ideas."))
    if idea.status in (IdeaStatus.MERGED, IdeaStatus.DECLINED):
        raise DomainError("wrong_phase", _l("This idea is closed."), status=409)
    try:
        with db.session.begin_nested():
            db.session.add(Endorsement(idea_id=idea.id, user_id=viewer.user_id))
    except IntegrityError:
        return idea  # endorsed already
    idea.endorsement_count = db.session.scalar(
        select(func.count()).select_from(Endorsement).where(Endorsement.idea_id == idea.id)
    )
    reached = idea.threshold_notified_at is None and idea.endorsement_count >= idea_threshold(idea)
    if reached:
        idea.threshold_notified_at = utcnow()
    db.session.flush()
    if reached:
        signals.idea_threshold_reached.send(idea, staff=staff_of(idea.community_id))
    return idea


def idea_threshold(idea: Idea) -> int:
    return db.session.get(Community, idea.community_id).idea_threshold


def staff_of(community_id: int) -> list[User]:
    rows = db.session.scalars(
        select(Membership).where(
            Membership.community_id == community_id, Membership.status == MembershipStatus.VERIFIED
        )
    )
    return [m.user for m in rows if m.has_role(Role.COMMUNITY_STAFF)]


def has_endorsed(viewer: Viewer, idea: Idea) -> bool:
    if viewer.user_id is None:
        return False
    query = select(Endorsement.id).where(Endorsement.idea_id == idea.id, Endorsement.user_id == viewer.user_id)
    return db.session.scalar(query) is not None


def comment(viewer: Viewer, idea: Idea, *, client_id, body) -> IdeaComment:
    """Comment on an idea; a retry returns the first comment."""
    if not permissions.can_comment(viewer):
        raise Forbidden(_l("Only verified members can comment."))
    client_id = validation.client_id(client_id)
    existing = db.session.scalar(
        select(IdeaComment).where(
            IdeaComment.idea_id == idea.id, IdeaComment.author_id == viewer.user_id, IdeaComment.client_id == client_id
        )
    )
    if existing is not None:
        return existing
    body = validation.text(body, field="body", low=1, high=1000, message=_l("A comment is 1 to 1000 characters."))
    rate_limit("post", str(viewer.user_id), "RATELIMIT_POST")
    item = IdeaComment(idea_id=idea.id, author_id=viewer.user_id, client_id=client_id, body=body)
    db.session.add(item)
    db.session.flush()
    idea.comment_count = db.session.scalar(
        select(func.count()).select_from(IdeaComment).where(IdeaComment.idea_id == idea.id)
    )
    db.session.flush()
    return item


def comments(idea: Idea) -> list[IdeaComment]:
    return list(db.session.scalars(select(IdeaComment).where(IdeaComment.idea_id == idea.id).order_by(IdeaComment.id)))


def check_adoptable(viewer: Viewer, idea: Idea) -> None:
    """Refuse, before anything is made from the idea, an adoption the viewer may not make now."""
    if not permissions.can_review(viewer):
        raise Forbidden()
    if IdeaStatus.ADOPTED not in TRANSITIONS[idea.status]:
        raise DomainError("wrong_status", _l("Put the idea under review before adopting it."), status=409)


def change_status(viewer: Viewer, idea: Idea, to, reason, *, merged_into_id=None, consultation_id=None) -> Idea:
    """Staff move an idea on, with a reason the submitter reads; only the allowed changes."""
    if not permissions.can_review(viewer):
        raise Forbidden()
    try:
        to = IdeaStatus(to)
    except ValueError:
        raise DomainError("bad_request", _l("Choose a status."), field="status") from None
    reason = reason_for(reason)
    if to not in TRANSITIONS[idea.status]:
        raise DomainError(
            "wrong_status",
            _l(
                "An idea that is %(old)s cannot become %(new)s.",
                old=STATUS_LABELS[idea.status],
                new=STATUS_LABELS[to],
            ),
            status=409,
        )
    if to == IdeaStatus.MERGED:
        idea.merged_into_id = _merge_target(idea, merged_into_id).id
    if to == IdeaStatus.ADOPTED and consultation_id is not None:
        idea.consultation_id = consultation_id
    event = IdeaEvent(actor_id=viewer.user_id, from_status=idea.status, to_status=to, reason=reason)
    idea.events.append(event)
    idea.status = to
    audit.record(viewer.user, "idea.status", idea, community_id=idea.community_id, to=to.value)
    db.session.flush()
    signals.idea_status_changed.send(idea, event=event, actor=viewer.user)
    return idea


def _merge_target(idea: Idea, merged_into_id) -> Idea:
    target = db.session.get(Idea, merged_into_id) if isinstance(merged_into_id, int) else None
    if target is None or target.community_id != idea.community_id or target.id == idea.id:
        raise DomainError("bad_request", _l("Choose the idea it duplicates."), field="merged_into_id")
    if target.status == IdeaStatus.MERGED:
        raise DomainError(
            "bad_request",
            _l("That idea was itself merged; choose the one it was merged into."),
            field="merged_into_id",
        )
    return target


def ideas_of_consultation(consultation_id: int) -> list[Idea]:
    return list(db.session.scalars(select(Idea).where(Idea.consultation_id == consultation_id)))


def merge_candidates(idea: Idea) -> list[Idea]:
    return list(
        db.session.scalars(
            select(Idea)
            .where(Idea.community_id == idea.community_id, Idea.id != idea.id, Idea.status != IdeaStatus.MERGED)
            .order_by(Idea.id.desc())
            .limit(100)
        )
    )
