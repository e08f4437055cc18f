"""Logins that end when they should: one record per login, checked on every request and socket event.

**The record.** Each login is a row of `user_sessions` holding the SHA-256 of a random token. The token is
what Flask-Login keeps as the user's id (`User.get_id`), so the session cookie's `_user_id` and the
remember cookie carry a secret of this one login, different at every login. `load_user`, Flask-Login's
user loader, looks the token's hash up: a login not ended, not expired, of an active user, in one indexed
query that loads the user with it. Anything else is anonymous. Ending a login sets `ended_at`, and from
the commit on every request replaying its cookies, in every process, gets the login page.

Every login goes through `log_in` (password, registration, and any other way later); logout, "end" and
"sign out everywhere" in the settings, a password change or reset and closing an account through
`end_current`, `end` and `end_all`. They flush; the edge commits, as for any use case.

**Expiry.** A remembered login lasts REMEMBER_COOKIE_DURATION (30 days) from the login, as its cookie does.
One not remembered (a shared phone) also ends after LOGIN_IDLE_MINUTES without being seen, and never lasts
longer than a remembered one. Logins from before this record existed carried a user id as `_user_id`:
no token has that form, so those cookies find nothing and their users log in again.

**Last seen** is written at most once every LOGIN_TOUCH_SECONDS per login, on a connection of its own once
the request's transaction has ended (`_touch_after_the_transaction`): a GET does not write on every hit,
a refused POST that rolls back still counts as seen, and the request never holds two pooled connections.

**Sockets: an ended login acts no more.** A socket joins the room of its login at connect
(`core.realtime.connect_user`); ending logins disconnects those rooms' sockets after the commit, in this
process at once and in the others through the Redis control channel (`core.realtime.disconnect_logins`).
Until that arrives (the moment between the commit and the message, or a process that missed the message
while Redis was away), nothing the socket sends acts: every handler that touches the database loads the
user through `load_user` from the socket's copy of the cookie, per event, and is refused as
`not_authenticated`; the one that does not (a vote, written in batches) carries its login id, which the
batch checks with the voter in the same query. What such a socket could still do is listen to its rooms:
`sweep_sockets`, run by every server process every LOGIN_SWEEP_SECONDS (`start_sweeper`), disconnects the
sockets of logins that ended or expired, bounding that to the sweep's interval without Redis; it also
counts a connected socket as its login being seen.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial

from flask import current_app, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy import and_, event, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.accounts import permissions
from app.accounts.devices import describe
from app.accounts.models import User, UserSession
from app.core import generations, snapshots
from app.core.errors import DomainError, NotFound
from app.core.logs import JobHealth
from app.core.models import utcnow
from app.core.realtime import call_after_commit, disconnect_logins, disconnect_logins_here, logins_connected_here
from app.core.sockets import connection_store
from app.core.validation import MAX_ID
from app.extensions import db, socketio

logger = logging.getLogger(__name__)

TOKEN_BYTES = 32  # secrets.token_urlsafe: 43 characters
MAX_TOKEN_LENGTH = 100  # anything longer in a cookie is not one of ours: no hashing, no query
REMEMBER_DAYS = 30  # REMEMBER_COOKIE_DURATION's default
IDLE_MINUTES = 120  # LOGIN_IDLE_MINUTES
TOUCH_SECONDS = 300  # LOGIN_TOUCH_SECONDS
SWEEP_SECONDS = 60  # LOGIN_SWEEP_SECONDS
RECHECK_SECONDS = 60  # LOGIN_RECHECK_SECONDS: a socket's kept login is looked up again at least this often
_KEPT = "yishi_kept_login"  # in a socket's session: (token hash, generation, kept at, login, user)
_TOUCHES = "yishi_login_touches"  # session.info: last-seen writes waiting for the transaction to end


class EndReason(StrEnum):
    """Why a login ended (UserSession.ended_reason). Callers may pass another short string (≤ 32)."""

    LOGOUT = "logout"
    ENDED = "ended"  # from the settings page ("End" beside it)
    EVERYWHERE = "signed_out_everywhere"
    REPLACED = "replaced"  # a new login in the same browser
    DEACTIVATED = "deactivated"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"


class AccountClosed(DomainError):
    status_code = 401

    def __init__(self):
        super().__init__("account_closed", _l("This account has been closed. Please ask your community office."))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def remember_duration() -> timedelta:
    value = current_app.config.get("REMEMBER_COOKIE_DURATION") or timedelta(days=REMEMBER_DAYS)
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


def _idle() -> timedelta:
    return timedelta(minutes=float(current_app.config.get("LOGIN_IDLE_MINUTES", IDLE_MINUTES)))


def _expiry(remember: bool, created_at: datetime, now: datetime) -> datetime:
    """When a login seen `now` expires: 30 days after it began; one not remembered, also after the idle time."""
    latest = created_at + remember_duration()
    return latest if remember else min(latest, now + _idle())


def live(now: datetime | None = None):
    """The SQL condition of a login still in force (not ended, not expired); its user's `active` apart."""
    return and_(UserSession.ended_at.is_(None), UserSession.expires_at > (now or utcnow()))


# -- logging in ---------------------------------------------------------------------------------


def start(user: User, *, remember: bool, device: str = "", ip: str | None = None) -> tuple[UserSession, str]:
    """Record a new login of `user` and return it with its token (shown once: only its hash is stored).

    `log_in` calls it for a request; a script or a test that needs a login without one may call it too.
    """
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    login = UserSession(
        user_id=user.id,
        token_hash=hash_token(token),
        created_at=now,
        last_seen_at=now,
        expires_at=_expiry(remember, now, now),
        remember=remember,
        device=device[:80],
        ip=(ip or None) and ip[:45],
    )
    db.session.add(login)
    db.session.flush()
    return login, token


def log_in(user: User, *, remember: bool) -> UserSession:
    """Log `user` in for this request's browser: a new login record, and Flask-Login's cookies carrying its
    token. Every way of logging in ends here. A login this browser held before ends (replaced)."""
    if not user.is_active:
        raise AccountClosed()
    previous = current()
    if previous is not None:
        _end([previous.id], EndReason.REPLACED)
    login, token = start(user, remember=remember, device=describe(request.user_agent.string), ip=_address())
    _bind(user, login, token)
    login_user(user, remember=remember, duration=remember_duration())
    return login


def _bind(user: User, login: UserSession, token: str) -> None:
    user._login = login
    user._login_token = token


def _address() -> str | None:
    return (request.remote_addr or None) if has_request_context() else None


def load_user(token: str) -> User | None:
    """Flask-Login's user loader: the user of the live login with this token, or None (anonymous).

    One query, the user loaded with the login. Marks the login seen when it was last seen long enough ago.
    A socket's events take what its connection kept instead, while it holds (`_kept_by_socket`).
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    now = utcnow()
    socket = connection_store()
    token_hash = hash_token(token)
    if socket is not None:
        user = _kept_by_socket(socket, token, token_hash, now)
        if user is not None:
            return user
    row = db.session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == token_hash, live(now), User.active)
    ).first()
    if row is None:
        return None
    login, user = row
    _bind(user, login, token)
    _touch_later(login, now)
    if socket is not None:
        # read after the query only at the connection's first load (later ones read it before: see above,
        # once per event); a bump in between is still met by the disconnect it comes with
        generation = generations.read(generations.rights(user.id), generations.EVERY_RIGHT)
        if generation is not None:
            socket[_KEPT] = (token_hash, generation, time.monotonic(), snapshots.keep(login), snapshots.keep(user))
    return user


# -- a socket's login, kept for its connection ------------------------------------------------------------


def _kept_by_socket(socket, token: str, token_hash: str, now: datetime) -> User | None:
    """The user and login the connection loaded at connect (or since), if nothing says they changed: the
    login's counter (bumped when it ends, core.generations) as it was, the login not expired by its kept
    expiry, and kept less than LOGIN_RECHECK_SECONDS (a bound for a bump that Redis lost). No query."""
    kept = socket.get(_KEPT)
    if kept is None:
        return None
    kept_hash, generation, kept_at, login, user = kept
    recheck = float(current_app.config.get("LOGIN_RECHECK_SECONDS", RECHECK_SECONDS))
    # the counter is read first (and once per event): a change committed after it is seen by the next event
    # (with every user's counter, which access reads next: one round trip for both)
    now_generation = generations.read(generations.rights(user.id), generations.EVERY_RIGHT)
    if (
        kept_hash != token_hash
        or now_generation != generation
        or time.monotonic() - kept_at > recheck
        or login.expires_at <= now
    ):
        socket.pop(_KEPT, None)
        return None
    user = snapshots.attach(user)
    _bind(user, snapshots.attach(login), token)
    return user


def current() -> UserSession | None:
    """The login of the request or socket event being handled; None when anonymous or outside a request."""
    if not has_request_context():
        return None
    user = current_user
    if user is None or not user.is_authenticated:
        return None
    return getattr(user, "login", None)


# -- last seen ------------------------------------------------------------------------------------


def _touch_later(login: UserSession, now: datetime) -> None:
    """Queue `login` to be marked seen once the transaction ends, if it was last seen long enough ago."""
    interval = timedelta(seconds=float(current_app.config.get("LOGIN_TOUCH_SECONDS", TOUCH_SECONDS)))
    if now - login.last_seen_at < interval:
        return
    values = {"last_seen_at": now, "expires_at": _expiry(login.remember, login.created_at, now)}
    address = _address()
    if address:
        values["ip"] = address
    session = db.session()
    session.info.setdefault(_TOUCHES, {})[login.id] = (db.engine, now - interval, values)


@event.listens_for(Session, "after_transaction_end")
def _touch_after_the_transaction(session: Session, transaction) -> None:
    """Write the queued last-seen marks once the outermost transaction has ended (committed or not) and
    returned its connection: on a connection of their own, committed at once, whatever the request did."""
    if transaction.parent is not None or _TOUCHES not in session.info:
        return
    for login_id, (engine, seen_before, values) in session.info.pop(_TOUCHES).items():
        _mark_seen(engine, [login_id], seen_before, values)


def _mark_seen(engine, login_ids, seen_before: datetime, values: dict) -> int:
    """Set `values` on those of the logins still live and last seen before `seen_before` (a login marked
    meanwhile by another request is left alone); returns how many. A failure is logged, never raised."""
    table = UserSession.__table__
    statement = (
        update(table)
        .where(
            table.c.id.in_(login_ids),
            table.c.ended_at.is_(None),
            table.c.expires_at > values["last_seen_at"],
            table.c.last_seen_at < seen_before,
        )
        .values(**values)
    )
    try:
        with engine.begin() as connection:
            return connection.execute(statement).rowcount
    except SQLAlchemyError as err:
        logger.warning("could not mark logins %s as seen: %s", login_ids, err)
        return 0


# -- ending ---------------------------------------------------------------------------------------


def _end(login_ids, reason) -> int:
    """End these logins (those not ended yet); their sockets are disconnected once the transaction commits."""
    ids = sorted(set(login_ids))
    if not ids:
        return 0
    reason = str(reason)
    if len(reason) > 32:
        raise ValueError(f"an end reason has at most 32 characters: {reason!r}")
    ended = db.session.execute(
        update(UserSession)
        .where(UserSession.id.in_(ids), UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_reason=reason)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    db.session.flush()
    # first the counter, then the word: a process that misses the word still sees the counter (load_user)
    users = db.session.scalars(select(UserSession.user_id).where(UserSession.id.in_(ids)).distinct())
    generations.bump_after_commit(*(generations.rights(user_id) for user_id in users))
    call_after_commit(partial(disconnect_logins, ids))
    return ended


@event.listens_for(Session, "after_flush")
def _note_changed_accounts(session: Session, _context) -> None:
    """An account changed (closed, reopened): the sockets that kept it load it again."""
    changed = [obj.id for obj in session.dirty if isinstance(obj, User) and session.is_modified(obj)]
    if changed:
        generations.bump_after_commit(*(generations.rights(user_id) for user_id in changed))


def _forget_if_current(login_ids) -> None:
    """The request's own login among those ended: log this browser out too (its cookies cleared)."""
    login = current()
    if login is not None and login.id in set(login_ids):
        logout_user()


def end_current(reason=EndReason.LOGOUT) -> bool:
    """Log out: end the login of this request and clear its cookies. True if a login was ended."""
    login = current()
    ended = _end([login.id], reason) == 1 if login is not None else False
    logout_user()
    return ended


def end(user: User, session_id, reason=EndReason.ENDED) -> UserSession:
    """End one of `user`'s logins (from the settings page). Another user's login, or none with that id,
    is NotFound; one already ended is left as it is (a second tap)."""
    known = isinstance(session_id, int) and not isinstance(session_id, bool) and 0 < session_id <= MAX_ID
    login = db.session.get(UserSession, session_id) if known else None
    if login is None or not permissions.can_end_login(user, login):
        raise NotFound(_l("This login does not exist or has already ended."))
    if login.ended_at is None:
        _end([login.id], reason)
    _forget_if_current([login.id])
    return login


def end_all(user: User, *, reason, keep_current: bool = False) -> int:
    """End every live login of `user`; with `keep_current`, all but the request's own (a password changed
    here). Works without a request or a login (a password reset, a command). Returns how many ended."""
    keep = current() if keep_current else None
    query = select(UserSession.id).where(UserSession.user_id == user.id, live())
    if keep is not None and keep.user_id == user.id:
        query = query.where(UserSession.id != keep.id)
    ids = list(db.session.scalars(query))
    ended = _end(ids, reason)
    _forget_if_current(ids)
    return ended


def active(user: User) -> list[UserSession]:
    """`user`'s logins in force, the most recently seen first (the settings page's list)."""
    return list(
        db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id, live())
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


# -- this process's sockets -----------------------------------------------------------------------


def sweep_sockets() -> tuple[int, int]:
    """Disconnect this process's sockets whose login is no longer in force (ended, expired, user closed),
    and mark the others' logins seen. Returns (logins disconnected, logins marked seen). One query."""
    connected = logins_connected_here()
    if not connected:
        return 0, 0
    now = utcnow()
    rows = db.session.execute(
        select(UserSession.id, UserSession.remember, UserSession.created_at, UserSession.last_seen_at)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.id.in_(connected), live(now), User.active)
    ).all()
    db.session.commit()  # the read's transaction: its connection goes back before anything else
    gone = connected - {row.id for row in rows}
    if gone:
        disconnect_logins_here(gone)
    interval = timedelta(seconds=float(current_app.config.get("LOGIN_TOUCH_SECONDS", TOUCH_SECONDS)))
    due = [row for row in rows if now - row.last_seen_at >= interval]
    remembered = [row.id for row in due if row.remember]  # the same values for all: one statement
    touched = _mark_seen(db.engine, remembered, now - interval, {"last_seen_at": now}) if remembered else 0
    for row in due:
        if not row.remember:  # each one's expiry moves on from now, within its own 30 days
            values = {"last_seen_at": now, "expires_at": _expiry(False, row.created_at, now)}
            touched += _mark_seen(db.engine, [row.id], now - interval, values)
    return len(gone), touched


def start_sweeper(app) -> None:
    """In a server process: sweep its sockets every LOGIN_SWEEP_SECONDS (see the module's docstring)."""
    interval = float(app.config.get("LOGIN_SWEEP_SECONDS", SWEEP_SECONDS))
    if interval <= 0:
        return
    health = JobHealth("login sweep", logger, interval=interval, max_interval=max(interval, 300))

    def sweep_forever():
        wait = interval
        while True:
            socketio.sleep(wait)
            try:
                with app.app_context():
                    sweep_sockets()
                wait = health.succeeded()
            except Exception as err:  # a database outage, or a bug: logged, and the sweep goes on
                wait = health.failed(err)

    socketio.start_background_task(sweep_forever)
