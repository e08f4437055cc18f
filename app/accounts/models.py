"""User accounts."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
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

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)  # werkzeug default: scrypt

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

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
        return str(self.id)

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class CodePurpose(enum.StrEnum):
    """What a one-time code lets its holder do."""

    LOGIN = "login"  # log in (sent by SMS)
    RESET = "reset"  # set a new password without the old one (sent by SMS)
    CHANGE_PASSWORD = "change_password"  # change the password in settings instead of typing the old one (SMS)
    DESK_RESET = "desk_reset"  # set a new password: printed by community staff at the office


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
