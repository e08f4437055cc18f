"""Realtime helpers: room names and emitting only after the transaction commits.

Models never emit; services queue an event here before they commit, and it
leaves only if the commit succeeds (a rolled-back change announces nothing).
"""

from __future__ import annotations

import json
import logging
import uuid

import redis
from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import ConnectionRefusedError
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db, socketio

_PENDING = "yishi_pending_emits"
logger = logging.getLogger(__name__)


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def emit_after_commit(event_name: str, data, *, namespace: str, to: str) -> None:
    """Queue an emit that happens after the current transaction commits."""
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before any SQL still drops the queued event
    session.info.setdefault(_PENDING, []).append((event_name, data, namespace, to))


@event.listens_for(Session, "after_commit")
def _flush_emits(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    for event_name, data, namespace, to in pending:
        socketio.emit(event_name, data, namespace=namespace, to=to)


@event.listens_for(Session, "after_soft_rollback")
def _drop_emits(session: Session, previous_transaction) -> None:
    session.info.pop(_PENDING, None)


CONTROL_CHANNEL = "yishi:control"
_PROCESS_ID = uuid.uuid4().hex


def disconnect_user(user_id: int) -> int:
    """Disconnect a user's live sockets in every namespace, in every server process.

    This process's sockets go at once (the count is returned); with Redis, the
    other processes hear it on the control channel and do the same.
    """
    count = _disconnect_local(user_id)
    url = current_app.config.get("REDIS_URL")
    if url:
        message = {"action": "disconnect_user", "user_id": user_id, "origin": _PROCESS_ID}
        redis.Redis.from_url(url).publish(CONTROL_CHANNEL, json.dumps(message))
    return count


def _disconnect_local(user_id: int) -> int:
    """Every namespace puts a connection in its user's room on connect, so the room finds them all."""
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


def start_control_listener(app) -> None:
    """In a server process with Redis: act on other processes' control messages (logout)."""
    url = app.config.get("REDIS_URL")
    if not url:
        return

    def listen():
        while True:
            try:
                pubsub = redis.Redis.from_url(url).pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CONTROL_CHANNEL)
                for item in pubsub.listen():
                    message = json.loads(item["data"])
                    if message.get("origin") != _PROCESS_ID and message.get("action") == "disconnect_user":
                        _disconnect_local(int(message["user_id"]))
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
                logger.warning("realtime control channel lost; retrying in 2 s")
                socketio.sleep(2)

    socketio.start_background_task(listen)


def refuse_anonymous() -> None:
    """Refuse a socket connection that has no logged-in session (REALTIME.md)."""
    if not current_user.is_authenticated:
        message = _("Please log in to continue.")
        raise ConnectionRefusedError(message, {"code": "not_authenticated", "message": message})
