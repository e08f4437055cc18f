"""User accounts, and their logins (one row per login: accounts/sessions.py)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.core.models import TimestampMixin, UTCDateTime, str_enum, utcnow
from app.extensions import db


class User(TimestampMixin, db.Model):
    """A person, identified by a mainland mobile number."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("length(phone) = 11", name="phone_length"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(11), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    large_text: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    # The login this object was loaded for or logged in with, and its token (accounts.sessions sets both;
    # not a column). None for a user loaded any other way.
    _login = None
    _login_token = None

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)  # werkzeug default: scrypt

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def login(self) -> UserSession | None:
        """The login (UserSession) of the request or socket this user is current in, if any."""
        return self._login

    @property
    def login_session_id(self) -> int | None:
        """The id of that login: a socket joins its room, so ending the login closes the socket."""
        return self._login.id if self._login is not None else None

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """What Flask-Login keeps in the session cookie (`_user_id`) and the remember cookie: the token of
        this login, not the user id, so that each cookie is a secret of one login, which ending it revokes.

        Only accounts.sessions.log_in and load_user give a user a login: logging in any other way fails here.
        """
        if self._login_token is None:
            raise RuntimeError("log users in through app.accounts.sessions.log_in, never login_user directly")
        return self._login_token

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class UserSession(db.Model):
    """One login of a user on one phone or computer, until it is ended or expires.

    The token the cookies carry is never stored: only its SHA-256 (a database leak opens no account).
    A remembered login lasts REMEMBER_COOKIE_DURATION (30 days) from the login, like its cookie; one not
    remembered also ends after LOGIN_IDLE_MINUTES without being seen.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # hex SHA-256 of the token
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    device: Mapped[str] = mapped_column(String(80), default="")  # "Chrome · Android" (accounts.devices)
    ip: Mapped[str | None] = mapped_column(String(45))  # where it was last seen from
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_reason: Mapped[str | None] = mapped_column(String(32))  # sessions.EndReason, or another caller's

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<UserSession {self.id} of user {self.user_id}>"


class CodePurpose(enum.StrEnum):
    """What a one-time code lets its holder do."""

    LOGIN = "login"  # log in (sent by SMS)
    RESET = "reset"  # set a new password without the old one (sent by SMS)
    CHANGE_PASSWORD = "change_password"  # change the password in settings instead of typing the old one (SMS)
    DESK_RESET = "desk_reset"  # set a new password: printed by community staff at the office
    REGISTER = "register"  # prove the number is yours when creating an account (sent by SMS)
    PROXY_APPOINT = "proxy_appoint"  # confirm appointing a proxy to vote in an owners' decision (sent by SMS)


class OneTimeCode(db.Model):
    """A one-time code for a mobile number: kept only as an HMAC, single use, short-lived, a few tries.

    A newer code for the same number and purpose replaces the older (accounts.codes.issue). A code is also
    written for a number nobody registered (and sent to nobody), so that asking for and trying codes behave
    the same whether the number is registered or not.
    """

    __tablename__ = "one_time_codes"
    __table_args__ = (
        Index("ix_one_time_codes_phone_purpose", "phone", "purpose"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(11))
    purpose: Mapped[CodePurpose] = mapped_column(str_enum(CodePurpose, "code_purpose"))
    code_hash: Mapped[str] = mapped_column(String(64))  # hex HMAC-SHA256 under SECRET_KEY, never the code
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    requested_ip: Mapped[str | None] = mapped_column(String(45))
    # the staff member who printed a desk code (the audit log says so too)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<OneTimeCode {self.id} {self.purpose.value}>"
