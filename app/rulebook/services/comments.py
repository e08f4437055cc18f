"""Comments on a draft while it is open for them: plain text, rate-limited, and moderated like a room's
speeches (reports that hide a comment automatically, staff hiding and restoring, muting a commenter)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.communities.access import Viewer
from app.core import validation
from app.core.clock import local_time
from app.core.errors import Conflict, DomainError, Forbidden
from app.core.models import utcnow
from app.core.ratelimit import hit as rate_limit
from app.extensions import db
from app.moderation import services as moderation
from app.rulebook import permissions
from app.rulebook.models import DraftState, RuleComment, RuleDraft
from app.rulebook.services.common import check_visible

MAX_COMMENT = 1000


def comments(draft: RuleDraft) -> list[RuleComment]:
    return list(
        db.session.scalars(select(RuleComment).where(RuleComment.draft_id == draft.id).order_by(RuleComment.id))
    )


def is_open(draft: RuleDraft, now: datetime | None = None) -> bool:
    """Whether the draft takes comments now."""
    return draft.state == DraftState.COMMENTING and (now or utcnow()) < draft.comments_close_at


def _existing(draft: RuleDraft, author_id: int, client_id: str) -> RuleComment | None:
    return db.session.scalar(
        select(RuleComment).where(
            RuleComment.draft_id == draft.id, RuleComment.author_id == author_id, RuleComment.client_id == client_id
        )
    )


def comment(viewer: Viewer, draft: RuleDraft, *, client_id, body, now: datetime | None = None) -> RuleComment:
    """A verified member comments on the draft during its comment period; a retry returns the first comment."""
    check_visible(viewer, draft)
    if not permissions.can_comment(viewer):
        raise Forbidden(_l("Only verified members can comment."))
    client_id = validation.client_id(client_id)
    existing = _existing(draft, viewer.user_id, client_id)
    if existing is not None:
        return existing
    if not is_open(draft, now):
        message = (
            _l("Comments are not open yet.")
            if draft.state == DraftState.DRAFTING
            else _l("The comment period has ended: comments are no longer taken.")
        )
        raise Conflict("comments_closed", message)
    muted = moderation.muted_until(draft.room, viewer.user_id)
    if muted is not None:
        raise Forbidden(
            _l("You are muted in this room until %(time)s.", time=local_time(muted).strftime("%Y-%m-%d %H:%M")),
            code="muted",
        )
    body = validation.text(
        body, field="body", low=1, high=MAX_COMMENT, message=_l("A comment is 1 to 1000 characters.")
    )
    rate_limit("post", str(viewer.user_id), "RATELIMIT_POST")
    item = RuleComment(
        draft_id=draft.id, community_id=draft.community_id, author_id=viewer.user_id, client_id=client_id, body=body
    )
    try:
        with db.session.begin_nested():
            db.session.add(item)
    except IntegrityError:
        existing = _existing(draft, viewer.user_id, client_id)
        if existing is None:
            raise
        return existing
    db.session.flush()
    return item


def _draft_of(viewer: Viewer, item: RuleComment) -> RuleDraft:
    draft = db.session.get(RuleDraft, item.draft_id)
    check_visible(viewer, draft)
    return draft


def report(viewer: Viewer, item: RuleComment, reason):
    """A verified member reports someone else's comment; enough open reports hide it until staff review it."""
    draft = _draft_of(viewer, item)
    if not permissions.can_report(viewer, item):
        raise Forbidden()
    return moderation.report(
        viewer.user_id,
        item,
        community_id=draft.community_id,
        room=draft.room,
        reason=reason,
        threshold=draft.rule_set.auto_hide_reports,
    )


def hide(viewer: Viewer, item: RuleComment, reason):
    draft = _draft_of(viewer, item)
    if not permissions.can_moderate(viewer):
        raise Forbidden()
    return moderation.hide(viewer.user_id, item, community_id=draft.community_id, room=draft.room, reason=reason)


def restore(viewer: Viewer, item: RuleComment):
    draft = _draft_of(viewer, item)
    if not permissions.can_moderate(viewer):
        raise Forbidden()
    return moderation.restore(viewer.user_id, item, community_id=draft.community_id, room=draft.room)


def mute(viewer: Viewer, item: RuleComment, minutes, reason):
    """Staff mute a comment's author on this draft for some minutes."""
    draft = _draft_of(viewer, item)
    if not permissions.can_moderate(viewer):
        raise Forbidden()
    if item.author_id == viewer.user_id:
        raise DomainError("bad_request", _l("You cannot mute yourself."))
    return moderation.mute(
        viewer.user_id, item.author_id, community_id=draft.community_id, room=draft.room, minutes=minutes, reason=reason
    )
