"""Realtime helpers: room names, and what happens only after the transaction ends.

Models never emit; services queue an event here (they flush, the edge commits), and it leaves only if the
commit succeeds (a rolled-back change announces nothing). The other way round, `call_after_rollback`
queues clean-up of what a use case did outside the database (an uploaded photo's files) for when its
transaction does not commit.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid

import redis
import socketio as python_socketio
from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, Namespace, join_room
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core.i18n import select_locale
from app.core.logs import JobHealth
from app.core.sockets import handler_slot, remember_socket_user
from app.extensions import db, socketio

_PENDING = "yishi_pending_emits"
_READY = "yishi_ready_emits"
_UNDO = "yishi_undo_on_rollback"
_SAVEPOINTS = "yishi_emits_before_savepoints"
logger = logging.getLogger(__name__)


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def emit_after_commit(event_name: str, data, *, namespace: str, to: str) -> None:
    """Queue an emit that happens after the current transaction commits."""
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before any SQL still drops the queued event
    session.info.setdefault(_PENDING, []).append((event_name, data, namespace, to))


def call_after_commit(callback) -> None:
    """Queue a call (e.g. a coalesced broadcast) that happens after the current transaction commits."""
    session = db.session()
    if not session.in_transaction():
        session.begin()
    session.info.setdefault(_PENDING, []).append(callback)


def call_after_rollback(callback) -> None:
    """Queue a call that happens if the current transaction ends without committing (rolled back, or
    closed): undoing what it did outside the database. A commit forgets it."""
    session = db.session()
    if not session.in_transaction():
        session.begin()
    session.info.setdefault(_UNDO, []).append(callback)


@event.listens_for(Session, "after_commit")
def _commit_emits(session: Session) -> None:
    """The commit succeeded: the queued emits may go, once the connection is back in the pool. A savepoint
    released is no commit: the transaction around it may still roll back, and its emits with it."""
    if session.in_nested_transaction():
        session.info.get(_SAVEPOINTS, {}).pop(id(session.get_nested_transaction()), None)
        return
    session.info.pop(_UNDO, None)
    pending = session.info.pop(_PENDING, [])
    if pending:
        session.info.setdefault(_READY, []).extend(pending)


@event.listens_for(Session, "after_transaction_end")
def _flush_emits(session: Session, transaction) -> None:
    """Emit after the outermost transaction has ended and returned its connection: a broadcast (which
    yields to other green threads) never holds a pooled connection while it waits."""
    if transaction.parent is not None:
        return
    for undo in session.info.pop(_UNDO, []):  # still here: the transaction did not commit
        undo()
    ready = session.info.pop(_READY, [])
    for item in ready:
        if callable(item):
            item()
        else:
            event_name, data, namespace, to = item
            socketio.emit(event_name, data, namespace=namespace, to=to)


class Coalescer:
    """At most one broadcast per key per interval (REALTIME_COALESCE_SECONDS), carrying the latest state:
    a room of a thousand filling up, or voting, sends a few updates a second, not one per member.

    `send` is called later, in a fresh app context, so it must load what it sends by id.
    With an interval of 0 (tests) it sends at once.
    """

    def __init__(self) -> None:
        self._pending: dict = {}
        self._lock = threading.Lock()
        self._running = False

    def request(self, key, send) -> None:
        app = current_app._get_current_object()
        interval = app.config.get("REALTIME_COALESCE_SECONDS", 0)
        if interval <= 0:
            send()
            return
        with self._lock:
            self._pending[key] = send
            if self._running:
                return
            self._running = True
        socketio.start_background_task(self._flush_loop, app, interval)

    def _flush_loop(self, app, interval: float) -> None:
        while True:
            socketio.sleep(interval)
            with self._lock:
                pending, self._pending = self._pending, {}
                if not pending:
                    self._running = False
                    return
            for key, send in pending.items():
                try:
                    with app.app_context():
                        send()
                except Exception:
                    logger.exception("coalesced broadcast %r failed", key)


coalesced = Coalescer()


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction) -> None:
    """A savepoint remembers how many emits were queued before it."""
    if transaction.nested:
        session.info.setdefault(_SAVEPOINTS, {})[id(transaction)] = len(session.info.get(_PENDING, []))


@event.listens_for(Session, "after_soft_rollback")
def _drop_emits(session: Session, previous_transaction) -> None:
    """A rolled-back transaction's emits never go; a savepoint rolled back drops only those queued inside it
    (an IntegrityError caught for a retry keeps what the use case queued before)."""
    mark = session.info.get(_SAVEPOINTS, {}).pop(id(previous_transaction), None)
    if previous_transaction.nested and mark is not None:
        del session.info.get(_PENDING, [])[mark:]
    else:
        session.info.pop(_PENDING, None)
        session.info.pop(_SAVEPOINTS, None)


_PROCESS_ID = uuid.uuid4().hex

# Short timeouts for commands (never for the blocking pub/sub read, which waits for messages by design).
REDIS_TIMEOUTS = {"socket_connect_timeout": 2, "socket_timeout": 2}
REDIS_POOL_SIZE = 20  # connections of the shared client (REDIS_POOL_SIZE)
_shared_lock = threading.Lock()
_shared_clients: dict[tuple[str, int], redis.Redis] = {}


def shared_redis(url: str, app=None) -> redis.Redis:
    """The process's Redis client for short commands (presence, generation counters), on a bounded pool that
    a command waits for (at most 2 s). redis-py's default pool opens a connection for every command in flight
    and refuses past 100: a storm of a thousand joins would open a hundred connections, then fail the rest."""
    size = int((app or current_app).config.get("REDIS_POOL_SIZE", REDIS_POOL_SIZE))
    with _shared_lock:
        client = _shared_clients.get((url, size))
        if client is None:
            pool = redis.BlockingConnectionPool.from_url(url, max_connections=size, timeout=2, **REDIS_TIMEOUTS)
            client = _shared_clients[(url, size)] = redis.Redis(connection_pool=pool)
    return client


_LISTEN_OPTIONS = {"socket_connect_timeout": 2, "socket_keepalive": True, "health_check_interval": 30}
CONTROL_RETRY_SECONDS = 2.0  # the control listener's first wait after a failure (it doubles up to 10 s)
_LISTEN_RETRY_MAX = 2.0  # seconds between tries to resubscribe: the room comes back soon after Redis does


class YishiRedisManager(python_socketio.RedisManager):
    """python-socketio's Redis manager, with what a degraded Redis needs.

    Emits reach this process's own clients first (the base class does that), so
    a room keeps working inside one process when Redis is gone; this class also
    records whether the listener is subscribed (realtime_status reads it) and
    retries at most every two seconds rather than backing off to a minute.
    """

    def __init__(self, url: str, channel: str):
        super().__init__(url, channel=channel, redis_options=dict(_LISTEN_OPTIONS))
        self.listening = True  # until a failure says otherwise (the listener starts on the first connection)

    def _redis_listen_with_retries(self):  # pragma: no cover (runs in the server process; tests/serving)
        subscribed = False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    self.pubsub.subscribe(self.channel)
                    subscribed = True
                    if not self.listening:
                        logger.warning("realtime: Redis is back; rooms are shared across processes again")
                    self.listening = True
                yield from self.pubsub.listen()
            except Exception as exc:
                if self.listening:
                    logger.error("realtime degraded: cannot receive from Redis (%s)", exc)
                self.listening = False
                subscribed = False
                self.connected = False
                time.sleep(_LISTEN_RETRY_MAX)


def redis_key(*parts: str, app=None) -> str:
    """A Redis key or channel of this site: REDIS_PREFIX first, so that sites sharing a Redis stay apart."""
    config = (app or current_app).config
    return ":".join([config.get("REDIS_PREFIX") or "yishi", *parts])


def control_channel(app=None) -> str:
    """Where the processes of one site tell each other to disconnect the sockets of ended logins."""
    return redis_key("control", app=app)


def client_manager(app) -> YishiRedisManager | None:
    """The Socket.IO client manager for this app: Redis when REDIS_URL is set, else in-process."""
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    return YishiRedisManager(url, channel=app.config["SOCKETIO_CHANNEL"])


_health_lock = threading.Lock()
_health: dict = {"url": None, "client": None, "checked": 0.0, "ok": True}
HEALTH_CACHE_SECONDS = 1.0


def _redis_reachable(url: str) -> bool:
    """PING Redis, at most once a second per process (pages ask on every render)."""
    now = time.monotonic()
    with _health_lock:
        if _health["url"] == url and now - _health["checked"] < HEALTH_CACHE_SECONDS:
            return _health["ok"]
        if _health["url"] != url:
            if _health["client"] is not None:
                _health["client"].close()  # its pooled sockets, rather than leaving them to the garbage collector
            _health.update(url=url, client=redis.Redis.from_url(url, **REDIS_TIMEOUTS))
        client = _health["client"]
    try:
        ok = bool(client.ping())
    except (redis.RedisError, OSError):
        ok = False
    with _health_lock:
        _health.update(checked=time.monotonic(), ok=ok)
    return ok


def realtime_status() -> str:
    """ "ok", or "degraded" when Redis (the message queue between processes) is unreachable.

    Degraded: pages, forms and this process's own rooms keep working; speeches
    are stored and reach the people connected to the same process, but not
    those on other processes, until Redis returns.
    """
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "ok"  # one process, no queue: nothing to lose
    server = socketio.server
    listening = getattr(server.manager, "listening", True) if server is not None else True
    return "ok" if listening and _redis_reachable(url) else "degraded"


def register_realtime_status(app) -> None:
    """Templates can ask `realtime_degraded()` to show the banner."""

    @app.context_processor
    def _realtime():
        return {"realtime_degraded": lambda: realtime_status() == "degraded"}


def login_room(login_id: int) -> str:
    """The room of one login's sockets (every namespace): ending the login disconnects them."""
    return f"login:{login_id}"


def disconnect_logins(login_ids) -> int:
    """Disconnect the live sockets of these logins in every namespace, in every server process.

    This process's sockets go at once (the count is returned); with Redis, the other processes hear it on
    the control channel and do the same. A process that misses the message refuses those sockets' events
    anyway (accounts.sessions says how) and disconnects them at its next sweep.
    """
    ids = sorted({int(i) for i in login_ids})
    if not ids:
        return 0
    count = disconnect_logins_here(ids)
    url = current_app.config.get("REDIS_URL")
    if url:
        message = {"action": "disconnect_logins", "login_ids": ids, "origin": _PROCESS_ID}
        client = redis.Redis.from_url(url, **REDIS_TIMEOUTS)
        try:
            client.publish(control_channel(), json.dumps(message))
        except (redis.RedisError, OSError) as err:
            # Ending a login must not fail with Redis: the login is ended, so every event is refused anyway.
            logger.warning("realtime degraded: could not tell other processes to disconnect logins %s (%s)", ids, err)
        finally:
            client.close()
    return count


def disconnect_logins_here(login_ids) -> int:
    """Disconnect this process's sockets of these logins; every namespace's connect joins its login's room."""
    server = socketio.server
    if server is None:
        return 0
    count = 0
    for login_id in login_ids:
        for namespace in list(server.manager.rooms):
            for sid, _eio in list(server.manager.get_participants(namespace, login_room(login_id))):
                server.disconnect(sid, namespace=namespace)
                count += 1
    return count


def logins_connected_here() -> set[int]:
    """The logins with a socket connected to this process (from the login rooms of every namespace)."""
    server = socketio.server
    if server is None:
        return set()
    found = set()
    for rooms in list(server.manager.rooms.values()):
        for room, participants in list(rooms.items()):
            if isinstance(room, str) and room.startswith("login:") and participants:
                found.add(int(room.removeprefix("login:")))
    return found


def _on_control_message(data) -> None:
    """Act on one message of the control channel; a message this process cannot read is logged and skipped
    (the listener goes on)."""
    try:
        message = json.loads(data)
        if message.get("origin") != _PROCESS_ID and message.get("action") == "disconnect_logins":
            disconnect_logins_here([int(i) for i in message["login_ids"]])
    except Exception:
        logger.exception("realtime: could not act on the control message %r", data)


def start_control_listener(app) -> None:
    """In a server process with Redis: act on other processes' control messages (logins ended)."""
    url = app.config.get("REDIS_URL")
    if not url:
        return

    channel = control_channel(app)
    health = JobHealth("realtime control channel", logger, interval=CONTROL_RETRY_SECONDS, max_interval=10)

    def listen():
        while True:
            try:
                pubsub = redis.Redis.from_url(url, **_LISTEN_OPTIONS).pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(channel)
                health.succeeded()
                for item in pubsub.listen():
                    _on_control_message(item["data"])
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as err:
                socketio.sleep(health.failed(err))

    socketio.start_background_task(listen)


def connect_user(also=None) -> int:
    """A namespace's connect: refuse a connection without a logged-in session (docs/realtime.md), remember whom
    it is for and through which login, and join their own room and their login's. `also(user)`: what else the
    connection should load and keep now, once, rather than at its events (communities.access.keep_standing).

    The user is loaded within a handler slot (core.sockets) and the transaction ends at once, so that two
    thousand phones connecting together wait their turn in memory, not for one of the pool's connections.
    """
    with handler_slot():
        try:
            user = current_user._get_current_object() if current_user.is_authenticated else None
            user_id, login_id = (user.id, user.login_session_id) if user is not None else (None, None)
            if user_id is not None and login_id is not None:
                remember_socket_user(user_id, login_id, select_locale())
                if also is not None:
                    also(user)
        finally:
            if db.session().in_transaction():
                db.session.commit()
    if user_id is None or login_id is None:
        message = _("Please log in to continue.")
        raise ConnectionRefusedError(message, {"code": "not_authenticated", "message": message})
    join_room(user_room(user_id))
    join_room(login_room(login_id))
    return user_id


class DefaultNamespace(Namespace):
    """The default namespace `/`: no feature uses it, and it refuses anonymous connections like the others."""

    def on_connect(self, auth=None):
        connect_user()
