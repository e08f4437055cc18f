"""Notification use cases: send one (stored, then pushed live and delivered outside the app), list, mark read.

The kernel of notifications: it imports no feature (app/flows/notices.py wires the features' signals to
notify()). Nothing here commits: notify() adds a row and its delivery rows and flushes; the push to the
recipient's sockets and the deliveries leave only after the edge's commit (core.realtime); a rolled-back
use case stores and sends nothing."""

from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.core.models import utcnow
from app.core.realtime import emit_after_commit, user_room
from app.extensions import db
from app.notifications import delivery, preferences
from app.notifications.models import Notification

NAMESPACE = "/notifications"


def notify(
    user, kind: str, message, *, url: str = "", community_id: int | None = None, key: str | None = None
) -> Notification | None:
    """Store a notification in the recipient's language, plan its deliveries by the recipient's choices and,
    once the transaction commits, push it to their live sockets and send it.

    With a `key`, once per user: a second call with the same key stores and sends nothing (returns None)."""
    with force_locale(getattr(user, "locale", None) or "zh_CN"):
        text = str(message)
    item = Notification(user_id=user.id, community_id=community_id, kind=kind, text=text[:500], url=url, key=key)
    if key is not None:
        if db.session.scalar(select(Notification.id).where(Notification.user_id == user.id, Notification.key == key)):
            return None
        try:
            with db.session.begin_nested():
                db.session.add(item)
                db.session.flush()
        except IntegrityError:
            return None
    else:
        db.session.add(item)
        db.session.flush()
    modes = preferences.modes_for(user.id, kind)
    delivery.plan(item, user, modes, has_email=preferences.confirmed_email(user.id) is not None)
    emit_after_commit("notification", serialize(item), namespace=NAMESPACE, to=user_room(user.id))
    return item


def serialize(item: Notification) -> dict:
    return {
        "id": item.id,
        "kind": item.kind,
        "text": item.text,
        "url": item.url,
        "created_at": item.created_at.isoformat(),
    }


def inbox(user, limit: int = 100) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc()).limit(limit)
        )
    )


def unread_count(user) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def mark_all_read(user) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount


def unread_of_kinds(user, community_id: int, kinds, limit: int = 5) -> list[Notification]:
    """The user's unread notifications of these kinds in one community, newest first: what changed for them
    since they last looked."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(
                Notification.user_id == user.id,
                Notification.community_id == community_id,
                Notification.kind.in_(tuple(kinds)),
                Notification.read_at.is_(None),
            )
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )
