"""Golden-idea use cases: submit (with photos), list, endorse, comment, review, merge, adopt."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.communities import services as communities
from app.communities.models import Community, Membership, MembershipStatus, Role
from app.core import audit, validation
from app.core.errors import DomainError, Forbidden, NotFound
from app.core.models import utcnow
from app.core.ratelimit import hit as rate_limit
from app.extensions import db
from app.ideas import permissions, signals
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

STATUS_LABELS = {
    IdeaStatus.SUBMITTED: _l("Submitted"),
    IdeaStatus.UNDER_REVIEW: _l("Under review"),
    IdeaStatus.ADOPTED: _l("Adopted"),
    IdeaStatus.MERGED: _l("Merged"),
    IdeaStatus.DECLINED: _l("Declined"),
    IdeaStatus.IMPLEMENTED: _l("Implemented"),
}
CATEGORY_LABELS = {
    Category.ELDERLY: _l("Elderly care (养老)"),
    Category.YOUTH: _l("Children and youth (青少年)"),
    Category.ENVIRONMENT: _l("Cleanliness and environment (环境卫生)"),
    Category.SAFETY: _l("Safety (安全)"),
    Category.PARKING: _l("Parking (停车)"),
    Category.CULTURE: _l("Culture (文化)"),
    Category.OTHER: _l("Other (其他)"),
}
SORTS = ("newest", "endorsed")


@dataclass(frozen=True)
class Actor:
    user: User
    member: Membership | None
    oversees: bool


def _actor(user: User, community_id: int) -> Actor:
    return Actor(
        user, communities.membership_of(user, community_id), community_id in communities.overseen_community_ids(user)
    )


def visible(user: User, idea: Idea) -> Actor:
    """The actor, if they may read the idea; NotFound otherwise (another community's ideas are not theirs)."""
    actor = _actor(user, idea.community_id)
    if not permissions.can_view(actor.member, idea.community_id, oversees=actor.oversees):
        raise NotFound()
    if idea.is_hidden and not (idea.author_id == user.id or permissions.can_review(actor.member, idea.community_id)):
        raise NotFound()
    return actor


def get(idea_id) -> Idea:
    idea = db.session.get(Idea, idea_id) if isinstance(idea_id, int) else None
    if idea is None:
        raise NotFound()
    return idea


def _reason(reason) -> str:
    """The reason a status change is given with: the submitter reads it."""
    return validation.text(
        reason, field="reason", low=1, high=500, message=_l("Give a reason: the submitter will read it.")
    )


def submit(user: User, community: Community, *, client_id, title, description, category, photos=(), store=None) -> Idea:
    """A verified resident submits an idea with up to six photos. A retry returns the first idea.

    `store` has save(data) -> Photo and discard(photo) (the view binds the upload settings);
    photos are checked and stored with the idea in one transaction, and their files removed
    if it fails.
    """
    member = communities.membership_of(user, community.id)
    if not permissions.can_submit(member):
        raise Forbidden(_l("Only verified residents can submit ideas."))
    client_id = validation.client_id(client_id)
    existing = db.session.scalar(
        select(Idea).where(Idea.community_id == community.id, Idea.author_id == user.id, Idea.client_id == client_id)
    )
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
        building_id=member.building_id,
        author_id=user.id,
        client_id=client_id,
        title=title,
        description=description,
        category=category,
    )
    saved = []
    try:
        for position, data in enumerate(photos):
            saved.append(store.save(data))
            idea.photos.append(IdeaPhoto(photo_id=saved[-1].id, position=position))
        db.session.add(idea)
        db.session.flush()
        idea.events.append(IdeaEvent(actor_id=user.id, from_status=None, to_status=IdeaStatus.SUBMITTED))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        for photo in saved:
            store.discard(photo)
        existing = db.session.scalar(
            select(Idea).where(
                Idea.community_id == community.id, Idea.author_id == user.id, Idea.client_id == client_id
            )
        )
        if existing is None:
            raise
        return existing
    except Exception:
        db.session.rollback()
        for photo in saved:
            store.discard(photo)
        raise
    return idea


def listing(
    user: User, community: Community, *, category=None, status=None, building_id=None, sort: str = "newest"
) -> list[Idea]:
    """Ideas of the community with filters; newest first or most endorsed first."""
    actor = _actor(user, community.id)
    if not permissions.can_view(actor.member, community.id, oversees=actor.oversees):
        raise Forbidden()
    query = select(Idea).where(Idea.community_id == community.id, Idea.hidden_at.is_(None))
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


def endorse(user: User, idea: Idea) -> Idea:
    """Endorse once; a retried endorsement changes nothing. Staff hear when the threshold is reached."""
    actor = visible(user, idea)
    if not permissions.can_endorse(actor.member):
        raise Forbidden(_l("Only verified residents can endorse ideas."))
    if idea.status in (IdeaStatus.MERGED, IdeaStatus.DECLINED):
        raise DomainError("wrong_phase", _l("This idea is closed."), status=409)
    try:
        with db.session.begin_nested():
            db.session.add(Endorsement(idea_id=idea.id, user_id=user.id))
    except IntegrityError:
        return idea  # endorsed already
    idea.endorsement_count = db.session.scalar(
        select(func.count()).select_from(Endorsement).where(Endorsement.idea_id == idea.id)
    )
    reached = idea.threshold_notified_at is None and idea.endorsement_count >= idea_threshold(idea)
    if reached:
        idea.threshold_notified_at = utcnow()
    db.session.commit()
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


def has_endorsed(user: User, idea: Idea) -> bool:
    return (
        db.session.scalar(select(Endorsement.id).where(Endorsement.idea_id == idea.id, Endorsement.user_id == user.id))
        is not None
    )


def comment(user: User, idea: Idea, *, client_id, body) -> IdeaComment:
    """Comment on an idea; a retry returns the first comment."""
    actor = visible(user, idea)
    if not permissions.can_comment(actor.member):
        raise Forbidden(_l("Only verified members can comment."))
    client_id = validation.client_id(client_id)
    existing = db.session.scalar(
        select(IdeaComment).where(
            IdeaComment.idea_id == idea.id, IdeaComment.author_id == user.id, IdeaComment.client_id == client_id
        )
    )
    if existing is not None:
        return existing
    body = validation.text(body, field="body", low=1, high=1000, message=_l("A comment is 1 to 1000 characters."))
    rate_limit("post", str(user.id), "RATELIMIT_POST")
    item = IdeaComment(idea_id=idea.id, author_id=user.id, client_id=client_id, body=body)
    db.session.add(item)
    db.session.flush()
    idea.comment_count = db.session.scalar(
        select(func.count()).select_from(IdeaComment).where(IdeaComment.idea_id == idea.id)
    )
    db.session.commit()
    return item


def comments(idea: Idea) -> list[IdeaComment]:
    return list(db.session.scalars(select(IdeaComment).where(IdeaComment.idea_id == idea.id).order_by(IdeaComment.id)))


def change_status(user: User, idea: Idea, to, reason, *, merged_into_id=None, consultation_id=None) -> Idea:
    """Staff move an idea on, with a reason the submitter reads; only the allowed changes."""
    actor = visible(user, idea)
    if not permissions.can_review(actor.member, idea.community_id):
        raise Forbidden()
    try:
        to = IdeaStatus(to)
    except ValueError:
        raise DomainError("bad_request", _l("Choose a status."), field="status") from None
    reason = _reason(reason)
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
        target = db.session.get(Idea, merged_into_id) if isinstance(merged_into_id, int) else None
        if target is None or target.community_id != idea.community_id or target.id == idea.id:
            raise DomainError("bad_request", _l("Choose the idea it duplicates."), field="merged_into_id")
        if target.status == IdeaStatus.MERGED:
            raise DomainError(
                "bad_request",
                _l("That idea was itself merged; choose the one it was merged into."),
                field="merged_into_id",
            )
        idea.merged_into_id = target.id
    if to == IdeaStatus.ADOPTED and consultation_id is not None:
        idea.consultation_id = consultation_id
    event = IdeaEvent(actor_id=user.id, from_status=idea.status, to_status=to, reason=reason)
    idea.events.append(event)
    idea.status = to
    audit.record(user, "idea.status", idea, community_id=idea.community_id, to=to.value)
    db.session.commit()
    signals.idea_status_changed.send(idea, event=event, actor=user)
    return idea


def adopt_as_consultation(user: User, idea: Idea, *, chair_id: int, rule_set_id: int, reason) -> Idea:
    """Turn an idea under review into a draft consultation, linked both ways."""
    from app.consultations import services as consultations  # the consultation's public use case

    actor = visible(user, idea)
    if not permissions.can_review(actor.member, idea.community_id):
        raise Forbidden()
    if IdeaStatus.ADOPTED not in TRANSITIONS[idea.status]:
        raise DomainError("wrong_status", _l("Put the idea under review before adopting it."), status=409)
    # checked before anything is made, so a refused adoption leaves no draft behind
    reason = _reason(reason)
    consultation = consultations.create_draft(
        communities.viewer(user, db.session.get(Community, idea.community_id)),
        title=idea.title,
        background=str(
            _l("%(description)s\n\n(From the golden idea #%(id)d)", description=idea.description, id=idea.id)
        ),
        building_id=None,
        parties=["residents_committee", "residents"],
        chair_id=chair_id,
        rule_set_id=rule_set_id,
    )
    return change_status(user, idea, IdeaStatus.ADOPTED, reason, consultation_id=consultation.id)


def adopt_as_micro_project(user: User, idea: Idea, *, reason) -> Idea:
    """Turn an idea under review into a draft micro-project application in its submitter's name, linked
    both ways (MicroProject.idea_id; the idea page lists it). The submitter is told to add the budget."""
    from app.microprojects import services as microprojects  # the micro-project's public use case

    actor = visible(user, idea)
    if not permissions.can_review(actor.member, idea.community_id):
        raise Forbidden()
    if IdeaStatus.ADOPTED not in TRANSITIONS[idea.status]:
        raise DomainError("wrong_status", _l("Put the idea under review before adopting it."), status=409)
    # checked before anything is made, so a refused adoption leaves no draft behind
    reason = _reason(reason)
    microprojects.draft_from_idea(
        user,
        db.session.get(Community, idea.community_id),
        idea_id=idea.id,
        applicant=db.session.get(User, idea.author_id),
        title=idea.title,
        purpose=str(_l("%(description)s\n\n(From the golden idea #%(id)d)", description=idea.description, id=idea.id)),
    )
    return change_status(user, idea, IdeaStatus.ADOPTED, reason)


def micro_projects_of(idea: Idea) -> list:
    from app.microprojects import services as microprojects

    return microprojects.projects_of_idea(idea.id)


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
