"""Realtime helpers: room names and emitting only after the transaction commits.

Models never emit; services queue an event here before they commit, and it
leaves only if the commit succeeds (a rolled-back change announces nothing).
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db, socketio

_PENDING = "yishi_pending_emits"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def emit_after_commit(event_name: str, data, *, namespace: str, to: str) -> None:
    """Queue an emit that happens after the current transaction commits."""
    db.session.info.setdefault(_PENDING, []).append((event_name, data, namespace, to))


@event.listens_for(Session, "after_commit")
def _flush_emits(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    for event_name, data, namespace, to in pending:
        socketio.emit(event_name, data, namespace=namespace, to=to)


@event.listens_for(Session, "after_soft_rollback")
def _drop_emits(session: Session, previous_transaction) -> None:
    session.info.pop(_PENDING, None)


def disconnect_user(user_id: int) -> int:
    """Disconnect a user's live sockets in every namespace of this process; returns how many.

    Every namespace puts a connection in its user's room on connect, so the room
    finds them all.
    """
    server = socketio.server
    if server is None:
        return 0
    count = 0
    for namespace in list(server.manager.rooms):
        sids = [sid for sid, _eio in server.manager.get_participants(namespace, user_room(user_id))]
        for sid in sids:
            server.disconnect(sid, namespace=namespace)
            count += 1
    return count


def refuse_anonymous() -> None:
    """Refuse a socket connection that has no logged-in session (REALTIME.md)."""
    from flask_babel import gettext as _
    from flask_login import current_user

    if not current_user.is_authenticated:
        raise ConnectionRefusedError({"code": "not_authenticated", "message": _("Please log in to continue.")})
