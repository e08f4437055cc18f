"""Helpers for Socket.IO handlers: one acknowledgement shape, payload parsing, no server errors."""

from __future__ import annotations

import functools
import logging
import threading

from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import Namespace as _Namespace
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core import priority, snapshots
from app.core.errors import DomainError, NotFound
from app.core.models import in_transaction
from app.core.validation import CONTROL_CHARACTER, MAX_ID, unstorable
from app.extensions import db

logger = logging.getLogger(__name__)


class BadPayload(DomainError):
    def __init__(self, field: str):
        super().__init__("bad_request", _("The request could not be understood."), field=field)


def error(code: str, message, **extra) -> dict:
    return {"ok": False, "error": {"code": code, "message": str(message), **extra}}


def busy() -> dict:
    """The answer of a saturated process: come back after a few seconds (the client waits that long, with
    jitter, and asks again) rather than an acknowledgement that never comes. Cheap: in the connection's
    language, without loading the user. (A wait worked out from the queue's length was tried: the retries came
    back after the queue had drained, and a storm took four times as long; bench/NOTES.md.)"""
    wait = int(current_app.config.get("SOCKET_RETRY_AFTER_SECONDS", 2))
    locale = session.get(SOCKET_LOCALE) or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        message = _("Many people are coming in at once. Trying again in a moment…")
    return error("busy", message, retry_after=wait)


_slots: dict[int, threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


def handler_slot() -> threading.BoundedSemaphore:
    """One semaphore per process and size: a burst of a thousand votes queues here, cheaply, instead of
    a thousand handlers each waiting (and timing out) for one of the pool's connections."""
    size = current_app.config.get("SOCKET_HANDLER_CONCURRENCY", 30)
    with _slots_lock:
        if size not in _slots:
            _slots[size] = threading.BoundedSemaphore(size)
        return _slots[size]


SOCKET_USER = "yishi_socket_user_id"
SOCKET_LOGIN = "yishi_socket_login_id"
SOCKET_LOCALE = "yishi_socket_locale"


def remember_socket_user(user_id: int, login_id: int, locale: str | None = None) -> None:
    """At connect, after the user was loaded and checked: whom this connection is for, and through which login
    (accounts.sessions: the login may end while the socket stays; what skips the database checks it), and in
    which language it is answered when there is no time to ask (busy())."""
    session[SOCKET_USER] = user_id
    session[SOCKET_LOGIN] = login_id
    if locale:
        session[SOCKET_LOCALE] = locale


def connection_store() -> dict | None:
    """What a socket connection keeps between its events (its user, its memberships): its own session, which
    Flask-SocketIO holds in memory per connection and never writes to a cookie. None outside a socket event
    (an HTTP request's session is a cookie: nothing is kept there)."""
    if not has_request_context() or getattr(request, "sid", None) is None:
        return None
    return session


def socket_user_id() -> int | None:
    """The user this connection authenticated as at connect, without a query (see remember_socket_user).

    Not proof that the login still holds: a handler that takes it instead of loading the user passes
    `socket_login_id()` on to be checked where its work meets the database (the vote batch does)."""
    value = session.get(SOCKET_USER)
    return value if isinstance(value, int) else None


def socket_login_id() -> int | None:
    """The login this connection authenticated through at connect (see remember_socket_user)."""
    value = session.get(SOCKET_LOGIN)
    return value if isinstance(value, int) else None


def acknowledged(
    handler=None,
    *,
    database: bool = True,
    slot_wait: str = "SOCKET_SLOT_WAIT_SECONDS",
    expect=None,
    slot_when_needed: bool = False,
    yields_to_pages: bool = False,
    as_kept: bool = False,
):
    """Answer {"ok": true, ...} or {"ok": false, "error": {code, message}}; never raise to the client.

    A handler that does no database work of its own (database=False: it hands its work to a batch
    writer, core.batching) does not load the user, whose id it takes from the connection, and does
    not wait for one of the handler slots that stand for the pool's connections. `expect(data)`: called
    first, with the payload as sent, to ask at once for what the handler will read (core.generations).
    `slot_when_needed`: the handler usually answers from what the connection and the process keep (a join):
    it takes its slot only when it is about to query (`_slot_before_a_query`), so that a storm of such events
    is not held to the pool's size for work that needs no connection.
    `yields_to_pages`: the event can wait (its client asks again when told to): in a `Namespace` of this module
    it waits for its turn behind the HTTP requests in flight (core.priority), at most its slot wait, past which
    it is answered busy().
    `as_kept`: the handler only reads the rows its connection and the process keep (its user and memberships, a
    room): they are used as kept, not copied into the event's session (core.snapshots.as_kept).
    """
    if handler is None:
        return functools.partial(
            acknowledged,
            database=database,
            slot_wait=slot_wait,
            expect=expect,
            slot_when_needed=slot_when_needed,
            yields_to_pages=yields_to_pages,
            as_kept=as_kept,
        )

    def answer(self, data):
        if not as_kept:
            return answer_with(self, data)
        with snapshots.as_kept():
            return answer_with(self, data)

    def answer_with(self, data):
        try:
            if expect is not None:
                expect(data)
            # inside the try: loading the user is a query, and a database failure must still be answered
            if not (current_user.is_authenticated if database else socket_user_id() is not None):
                return error("not_authenticated", _("Please log in to continue."))
            if data is not None and not isinstance(data, dict):
                return error("bad_request", _("The request could not be understood."))
            if data and _holds_unstorable(data):
                return error("control_character", CONTROL_CHARACTER)
            payload = handler(self, data or {})
            if in_transaction():
                db.session.commit()  # a read-only handler's transaction: its connection goes back now
        except Busy:
            db.session.rollback()
            return busy()
        except DomainError as err:
            db.session.rollback()
            return error(err.code, err.message)
        except Exception:
            db.session.rollback()
            logger.exception("socket handler %s failed", handler.__name__)
            return error("server_error", _("Something went wrong on our side. Please try again."))
        return {"ok": True, **(payload or {})}

    @functools.wraps(handler)
    def wrapper(self, data=None, *args):
        if not database:
            return answer(self, data)
        # a bounded wait for one of the slots: past it the process is saturated, and says so
        slot = handler_slot()
        wait = current_app.config.get(slot_wait, 5)
        if slot_when_needed:
            g.yishi_slot_wanted = (slot, wait)
        elif slot.acquire(timeout=wait):
            g.yishi_handler_slot = slot
        else:
            return busy()
        try:
            return answer(self, data)
        finally:
            leave_slot()

    if yields_to_pages:
        wrapper.yields_to_pages = slot_wait
    return wrapper


class Namespace(_Namespace):
    """A Socket.IO namespace whose handlers marked `yields_to_pages` (acknowledged) take their turn at the
    process's gate (core.priority) before anything of theirs runs: before Flask's contexts are built for them.
    """

    def trigger_event(self, event, *args):
        slot_wait = getattr(getattr(self, f"on_{event or ''}", None), "yields_to_pages", None)
        environ = self.socketio.server.get_environ(args[0], namespace=self.namespace) if slot_wait and args else None
        if not environ:
            return super().trigger_event(event, *args)
        config = environ["flask.app"].config
        wide, narrow = config["SOCKET_DEFERRED_CONCURRENCY"], config["SOCKET_DEFERRED_DURING_PAGES"]
        grace = config["SOCKET_PAGES_GRACE_SECONDS"]
        if not priority.gate.enter(wide, narrow, timeout=config.get(slot_wait, 5), grace=grace):
            return self.socketio._handle_event(_answer_busy, event, self.namespace, *args)
        try:
            return super().trigger_event(event, *args)
        finally:
            priority.gate.leave()


def _answer_busy(*_args) -> dict:
    return busy()


class Busy(Exception):
    """No handler slot came free in time for a query (slot_when_needed): answered busy()."""


@event.listens_for(Session, "do_orm_execute")
def _slot_before_a_query(_state) -> None:
    """A handler that takes its slot when needed takes it before its first query (and waits as long as it would
    have at its start)."""
    if not has_app_context():
        return
    wanted = g.get("yishi_slot_wanted")
    if wanted is None or "yishi_handler_slot" in g:
        return
    slot, wait = wanted
    if not slot.acquire(timeout=wait):
        raise Busy()
    g.yishi_handler_slot = slot


def leave_slot() -> None:
    """Give the handler's slot back before the handler ends: its database work is done (committed) and what
    remains is a wait (a batch being written, core.batching) that holds no pooled connection. Without it the
    slots would be held by waiters, and a storm would be written ten at a time. (A query after it takes no
    slot: the batch's leader writes on the connection the batch stands for.)"""
    g.pop("yishi_slot_wanted", None)
    slot = g.pop("yishi_handler_slot", None)
    if slot is not None:
        slot.release()


def _holds_unstorable(value, depth: int = 0) -> bool:
    """Whether a payload holds, anywhere (keys too), text with a character no database stores (a NUL)."""
    if isinstance(value, str):
        return unstorable(value)
    if depth > 8:  # no event nests this deep: refuse rather than walk it
        return True
    if isinstance(value, dict):
        return any(_holds_unstorable(k, depth + 1) or _holds_unstorable(v, depth + 1) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_unstorable(v, depth + 1) for v in value)
    return False


def int_field(data: dict, name: str, *, required: bool = True, low: int = 0, high: int = MAX_ID) -> int | None:
    """A whole number from the payload; an id (`*_id`) beyond an INTEGER column is not found, as in a URL (a
    negative one is malformed)."""
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadPayload(name)
    if value > high and name.endswith("_id"):
        raise NotFound()  # no such row can exist, as with an id of 2**63 in a URL
    if not low <= value <= high:
        raise BadPayload(name)
    return value


def str_field(data: dict, name: str, *, required: bool = True, max_length: int = 10_000) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or len(value) > max_length:
        raise BadPayload(name)
    return value
