"""Moderation use cases. The feature that owns the content checks who may moderate it and
calls these; they record, change state and log, and the caller commits and announces."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core import validation
from app.core.errors import Conflict, DomainError
from app.core.models import utcnow
from app.extensions import db
from app.moderation.models import ModerationAction, Mute, Report

MAX_MUTE_MINUTES = 7 * 24 * 60


def clean_reason(reason: str | None, *, required: bool = True) -> str:
    """A moderator's or reporter's reason, stripped: at most 200 characters, no control character, and not
    blank unless `required` is False (an unlock). Every moderation form's one check."""
    cleaned = reason.strip() if isinstance(reason, str) else ""
    validation.storable(cleaned, field="reason")
    if not cleaned and required:
        raise DomainError("bad_request", _l("Give a reason: it is shown to everyone in the room."), field="reason")
    if len(cleaned) > 200:
        raise DomainError("bad_request", _l("A reason can be at most 200 characters."), field="reason")
    return cleaned


def log(
    community_id: int,
    room: str | None,
    action: str,
    *,
    actor_id=None,
    target=None,
    target_user_id=None,
    reason: str = "",
    until=None,
) -> ModerationAction:
    entry = ModerationAction(
        community_id=community_id,
        room=room,
        action=action,
        target_type=getattr(target, "__tablename__", None),
        target_id=getattr(target, "id", None),
        target_user_id=target_user_id,
        reason=reason,
        actor_id=actor_id,
        until=until,
    )
    db.session.add(entry)
    return entry


def report(reporter_id: int, target, *, community_id: int, room: str | None, reason: str, threshold: int):
    """Record a report (once per member); returns (report, auto_hidden) — the content hides itself
    when the open reports reach the threshold."""
    reason = clean_reason(reason)
    target_type = target.__tablename__
    existing = db.session.scalar(
        select(Report).where(
            Report.target_type == target_type, Report.target_id == target.id, Report.reporter_id == reporter_id
        )
    )
    if existing is not None:
        return existing, None
    item = Report(
        community_id=community_id,
        room=room,
        target_type=target_type,
        target_id=target.id,
        reporter_id=reporter_id,
        reason=reason,
    )
    db.session.add(item)
    db.session.flush()
    open_reports = db.session.scalar(
        select(func.count())
        .select_from(Report)
        .where(Report.target_type == target_type, Report.target_id == target.id, Report.resolved_at.is_(None))
    )
    auto = None
    if open_reports >= threshold and not target.is_hidden:
        target.hidden_at = utcnow()
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # stored once, in the community's language
            target.hidden_reason = str(_l("Hidden after %(n)d reports, waiting for review.", n=open_reports))
        target.hidden_by_id = None
        auto = log(
            community_id,
            room,
            "auto_hide",
            target=target,
            target_user_id=getattr(target, "author_id", None),
            reason=target.hidden_reason,
        )
    return item, auto


def hide(actor_id: int, target, *, community_id: int, room: str | None, reason: str) -> ModerationAction:
    """Hide content; it is kept and its place shows the reason."""
    reason = clean_reason(reason)
    if target.is_hidden and target.hidden_by_id is not None:
        raise Conflict("already_hidden", _l("This is hidden already."))
    target.hidden_at = utcnow()
    target.hidden_reason = reason
    target.hidden_by_id = actor_id
    _resolve_reports(target)
    return log(
        community_id,
        room,
        "hide",
        actor_id=actor_id,
        target=target,
        target_user_id=getattr(target, "author_id", None),
        reason=reason,
    )


def restore(actor_id: int, target, *, community_id: int, room: str | None, reason: str = "") -> ModerationAction:
    """Show hidden content again (after review)."""
    if not target.is_hidden:
        raise Conflict("not_hidden", _l("This is not hidden."))
    target.hidden_at = None
    target.hidden_reason = None
    target.hidden_by_id = None
    _resolve_reports(target)
    return log(
        community_id,
        room,
        "restore",
        actor_id=actor_id,
        target=target,
        target_user_id=getattr(target, "author_id", None),
        reason=(reason or "").strip()[:200],
    )


def _resolve_reports(target) -> None:
    for item in db.session.scalars(
        select(Report).where(
            Report.target_type == target.__tablename__, Report.target_id == target.id, Report.resolved_at.is_(None)
        )
    ):
        item.resolved_at = utcnow()


def mute(actor_id: int, user_id: int, *, community_id: int, room: str, minutes: int, reason: str) -> ModerationAction:
    """Mute a member in a room for some minutes."""
    reason = clean_reason(reason)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_MUTE_MINUTES:
        raise DomainError("bad_request", _l("Mute for 1 to %(max)d minutes.", max=MAX_MUTE_MINUTES), field="minutes")
    until = utcnow() + timedelta(minutes=minutes)
    db.session.add(
        Mute(community_id=community_id, room=room, user_id=user_id, until=until, reason=reason, actor_id=actor_id)
    )
    return log(community_id, room, "mute", actor_id=actor_id, target_user_id=user_id, reason=reason, until=until)


def warn(actor_id: int, user_id: int, *, community_id: int, room: str, reason: str) -> ModerationAction:
    """Warn a member in a room: a logged, public caution short of a mute."""
    return log(community_id, room, "warn", actor_id=actor_id, target_user_id=user_id, reason=clean_reason(reason))


def muted_until(room: str, user_id: int):
    """When the member's mute in the room ends, or None."""
    return db.session.scalar(
        select(func.max(Mute.until)).where(Mute.room == room, Mute.user_id == user_id, Mute.until > utcnow())
    )


def room_log(room: str, limit: int = 50) -> list[ModerationAction]:
    return list(
        db.session.scalars(
            select(ModerationAction)
            .where(ModerationAction.room == room)
            .order_by(ModerationAction.id.desc())
            .limit(limit)
        )
    )


def room_history(room: str) -> list[ModerationAction]:
    """Every action of a room's moderator log, oldest first (for the minutes)."""
    return list(
        db.session.scalars(
            select(ModerationAction)
            .where(ModerationAction.room == room)
            .order_by(ModerationAction.created_at, ModerationAction.id)
        )
    )


def open_reports(community_id: int) -> dict[str | None, int]:
    """Reports not yet resolved in a community, counted per room (None: content outside a room)."""
    query = (
        select(Report.room, func.count())
        .where(Report.community_id == community_id, Report.resolved_at.is_(None))
        .group_by(Report.room)
    )
    return dict(db.session.execute(query).tuples().all())
