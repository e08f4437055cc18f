"""Account use cases: register, authenticate, change settings, close and reopen an account. They flush; the
edge commits. Logging in and out, and ending logins, are accounts.sessions'."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts import passwords, sessions, throttle
from app.accounts.models import User
from app.core import audit
from app.core.errors import Conflict, DomainError
from app.extensions import db

# Checked against when the phone is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class BadCredentials(DomainError):
    status_code = 401

    def __init__(self):
        super().__init__("bad_credentials", _l("The mobile number or password is not right."))


def register(phone: str, name: str, password: str, locale: str = "zh_CN") -> User:
    """Create an account. A retried submission with the same details returns the same account."""
    passwords.check(password, phone=phone)
    existing = db.session.scalar(select(User).where(User.phone == phone))
    if existing is not None:
        if existing.name == name and existing.check_password(password):
            return existing  # the same form sent twice by a flaky network
        raise Conflict("phone_taken", _l("This mobile number is already registered. Log in instead."), field="phone")
    user = User(phone=phone, name=name, locale=locale)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:  # the same phone registered at the same moment: the edge rolls back
        raise Conflict(
            "phone_taken", _l("This mobile number is already registered. Log in instead."), field="phone"
        ) from None
    return user


def authenticate(phone: str, password: str) -> User:
    """The user with this phone and password; one error for unknown phone and wrong password.

    Failures are counted per number (throttle): past five, the number waits, growing to 15 minutes, and
    while it waits the password is not checked at all (TryLater says for how long).
    """
    throttle.check(phone)
    user = db.session.scalar(select(User).where(User.phone == phone))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        throttle.failed(phone)
        raise BadCredentials()
    if not user.check_password(password) or not user.active:
        throttle.failed(phone)
        raise BadCredentials()
    throttle.succeeded(phone)
    return user


def update_settings(user: User, *, name: str, locale: str, large_text: bool) -> User:
    """Change the user's display name, language and text size."""
    user.name = name
    user.locale = locale
    user.large_text = large_text
    db.session.flush()
    return user


def names_of(user_ids) -> dict[int, str]:
    """Display names by user id, in one query (for lists that name who did what)."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).tuples().all())


def set_locale(user: User, locale: str) -> User:
    """Remember the member's interface language."""
    user.locale = locale
    db.session.flush()
    return user


def toggle_large_text(user: User) -> User:
    """Switch the member's large-text mode (适老化) on or off."""
    user.large_text = not user.large_text
    db.session.flush()
    return user


def deactivate(user: User, *, actor: User | None = None) -> int:
    """Close an account: it cannot log in, and every login it has ends now, its live sockets with them
    (once the edge commits). `actor` is who did it, for the audit log (None: an operator's command).
    Returns how many logins ended."""
    user.active = False
    audit.record(actor, "user.deactivate", user)
    db.session.flush()
    return sessions.end_all(user, reason=sessions.EndReason.DEACTIVATED)


def activate(user: User, *, actor: User | None = None) -> User:
    """Reopen a closed account: it may log in again (its old logins stay ended)."""
    user.active = True
    audit.record(actor, "user.activate", user)
    db.session.flush()
    return user
