"""Helpers for Socket.IO handlers: one acknowledgement shape, payload parsing, no server errors."""

from __future__ import annotations

import functools
import logging
import threading

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user

from app.core.errors import DomainError
from app.extensions import db

logger = logging.getLogger(__name__)


class BadPayload(DomainError):
    def __init__(self, field: str):
        super().__init__("bad_request", _("The request could not be understood."), field=field)


def error(code: str, message) -> dict:
    return {"ok": False, "error": {"code": code, "message": str(message)}}


_slots: dict[int, threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


def _handler_slots() -> threading.BoundedSemaphore:
    """One semaphore per process and size: a burst of a thousand votes queues here, cheaply, instead of
    a thousand handlers each waiting (and timing out) for one of the pool's connections."""
    size = current_app.config.get("SOCKET_HANDLER_CONCURRENCY", 30)
    with _slots_lock:
        if size not in _slots:
            _slots[size] = threading.BoundedSemaphore(size)
        return _slots[size]


def acknowledged(handler):
    """Answer {"ok": true, ...} or {"ok": false, "error": {code, message}}; never raise to the client."""

    @functools.wraps(handler)
    def wrapper(self, data=None, *args):
        with _handler_slots():
            try:
                # inside the try: loading the user is a query, and a database failure must still be answered
                if not current_user.is_authenticated:
                    return error("not_authenticated", _("Please log in to continue."))
                if data is not None and not isinstance(data, dict):
                    return error("bad_request", _("The request could not be understood."))
                payload = handler(self, data or {})
                if db.session().in_transaction():
                    db.session.commit()  # a read-only handler's transaction: its connection goes back now
            except DomainError as err:
                db.session.rollback()
                return error(err.code, err.message)
            except Exception:
                db.session.rollback()
                logger.exception("socket handler %s failed", handler.__name__)
                return error("server_error", _("Something went wrong on our side. Please try again."))
            return {"ok": True, **(payload or {})}

    return wrapper


MAX_ID = 2**31 - 1  # the INTEGER columns' range: a larger id cannot exist


def int_field(data: dict, name: str, *, required: bool = True, low: int = 0, high: int = MAX_ID) -> int | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise BadPayload(name)
    return value


def str_field(data: dict, name: str, *, required: bool = True, max_length: int = 10_000) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or len(value) > max_length:
        raise BadPayload(name)
    return value
