"""Getting back in: log in with an SMS code, set a new password with an SMS code or a code printed at the
community office, change the password in settings. The use cases flush; the edge commits.

Nothing here tells whether a number is registered. Asked for a login or reset code, an unknown number (or a
switched-off account) is counted against the same limits, gets a code row like any other (sent to nobody, so
trying codes behaves the same: wrong, then dead after five tries), and the request lasts about as long as a send
(core.sms.pretend_send). The pages say the same to both.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from app.accounts import codes, passwords, services, sessions, throttle
from app.accounts.codes import CodeRefused
from app.accounts.models import CodePurpose, User
from app.core import audit, ratelimit, sms
from app.core.errors import DomainError
from app.extensions import db

TEMPLATES = {
    CodePurpose.LOGIN: "login_code",
    CodePurpose.RESET: "reset_code",
    CodePurpose.CHANGE_PASSWORD: "change_password_code",
    CodePurpose.REGISTER: "register_code",
    CodePurpose.PROXY_APPOINT: "proxy_appoint_code",
}


class SendTooSoon(DomainError):
    """A code was asked for too often (per number or per address): how long to wait, in plain words."""

    status_code = 429

    def __init__(self, seconds: int, field: str | None = "phone"):
        super().__init__("send_too_soon", wait_message(seconds), field=field)
        self.seconds = seconds


class WrongPassword(DomainError):
    status_code = 401

    def __init__(self):
        super().__init__("wrong_password", _l("This is not your current password."), field="current_password")


def wait_message(seconds: int):
    """ "Please wait 45 seconds before asking for another code", in minutes or hours when it is that long."""
    if seconds < 120:
        return ngettext(
            "Please wait %(num)d second before asking for another code.",
            "Please wait %(num)d seconds before asking for another code.",
            seconds,
        )
    if seconds < 2 * 60 * 60:
        minutes = -(-seconds // 60)
        return ngettext(
            "Please wait %(num)d minute before asking for another code.",
            "Please wait %(num)d minutes before asking for another code.",
            minutes,
        )
    hours = -(-seconds // 3600)
    return ngettext(
        "Please wait %(num)d hour before asking for another code.",
        "Please wait %(num)d hours before asking for another code.",
        hours,
    )


def _buckets(phone: str, ip: str | None) -> list[tuple[str, str, str]]:
    config = current_app.config
    return [
        ("sms_code_address", ip or "unknown", config["RATELIMIT_SMS_ADDRESS"]),
        ("sms_code_number", phone, config["RATELIMIT_SMS_NUMBER"]),
    ]


def resend_wait(phone: str, ip: str | None) -> int:
    """Seconds until another code may be asked for this number from this address (0: now)."""
    return ratelimit.wait_seconds(*_buckets(phone, ip))


def _account(phone: str) -> User | None:
    """The active account of this number, or None."""
    user = db.session.scalar(select(User).where(User.phone == phone))
    return user if user is not None and user.active else None


def _send(phone: str, purpose: CodePurpose, *, ip: str | None, deliver: bool) -> None:
    """Count the request, write the code, send it if `deliver` (and pretend to otherwise: the same time)."""
    try:
        taken = ratelimit.take(*_buckets(phone, ip))
    except ratelimit.QuotaExhausted as err:
        raise SendTooSoon(err.seconds) from None
    code, _row = codes.issue(phone, purpose, ip=ip)
    if not deliver:
        sms.pretend_send()
        return
    try:
        sms.send_sms(phone, TEMPLATES[purpose], {"code": code, "minutes": current_app.config["SMS_CODE_MINUTES"]})
    except sms.SmsFailed:
        ratelimit.give_back(taken)  # not sent: the next try is not held back (the edge rolls the code back)
        raise


def send_login_code(phone: str, *, ip: str | None) -> None:
    """Text a login code to `phone` if it is registered; the same answer, limits and time if it is not."""
    _send(phone, CodePurpose.LOGIN, ip=ip, deliver=_account(phone) is not None)


def send_reset_code(phone: str, *, ip: str | None) -> None:
    """Text a password-reset code to `phone` if it is registered; the same answer either way."""
    _send(phone, CodePurpose.RESET, ip=ip, deliver=_account(phone) is not None)


def send_change_code(user: User, *, ip: str | None) -> None:
    """Text a code to the account's own number, to change the password without the current one."""
    _send(user.phone, CodePurpose.CHANGE_PASSWORD, ip=ip, deliver=True)


def send_proxy_code(user: User, *, ip: str | None) -> None:
    """Text a code to the account's own number, to confirm appointing a proxy without the password."""
    _send(user.phone, CodePurpose.PROXY_APPOINT, ip=ip, deliver=True)


def _registered(phone: str) -> User | None:
    """The account of this number, active or not (a closed account keeps its number)."""
    return db.session.scalar(select(User).where(User.phone == phone))


def send_register_code(phone: str, *, ip: str | None) -> None:
    """Text a code to a number that has no account yet, to prove it is the registrant's own phone. A registered
    number gets the same answer, limits and time, and no text: nothing tells a stranger it is registered (its
    owner logs in, or resets the password)."""
    _send(phone, CodePurpose.REGISTER, ip=ip, deliver=_registered(phone) is None)


def register_with_code(phone: str, code: str, name: str, password: str, locale: str = "zh_CN") -> User:
    """Create the account of a number proved with its code. The same form sent again by a flaky network (its
    code now used) returns the account it made, if the name and password are the same ones."""
    existing = _registered(phone)
    if existing is not None:  # a retry, or a guess at someone's password: counted as a login is (throttle)
        throttle.check(phone)
        if existing.active and existing.name == name and existing.check_password(password):
            throttle.succeeded(phone)
            return existing
        throttle.failed(phone)
    passwords.check(password, phone=phone)  # before the code is tried: a weak password costs no try
    codes.consume(phone, (CodePurpose.REGISTER,), code)
    if existing is not None:  # no code was sent to a registered number: whatever was typed, refused alike
        raise CodeRefused()
    return services.register(phone, name, password, locale)


def log_in_with_code(phone: str, code: str) -> User:
    """The account a right login code lets in (the code is then used up)."""
    codes.consume(phone, (CodePurpose.LOGIN,), code)
    user = _account(phone)
    if user is None:  # a code of an unknown number (nobody received it) or of a switched-off account
        raise CodeRefused()
    return user


def reset_password(phone: str, code: str, new_password: str) -> User:
    """Set a new password with an SMS reset code (6 digits) or a desk code (8 digits). Every login of the
    account ends with it (whoever knew the old password is out)."""
    passwords.check(new_password, phone=phone)  # before the code is tried: a weak password costs no try
    row = codes.consume(phone, (CodePurpose.RESET, CodePurpose.DESK_RESET), code)
    user = _account(phone)
    if user is None:
        raise CodeRefused()
    user.set_password(new_password)
    via = "desk" if row.purpose == CodePurpose.DESK_RESET else "sms"
    audit.record(user, "account.password_reset", user, via=via, code_issued_by=row.issued_by_id)
    sessions.end_all(user, reason=sessions.EndReason.PASSWORD_RESET)
    db.session.flush()
    return user


def change_password(user: User, new_password: str, *, current: str | None = None, code: str | None = None) -> User:
    """Change the password, proving it is the account holder with the current password or a fresh SMS code.
    Every other login of the account ends; this one stays."""
    passwords.check(new_password, phone=user.phone)
    if code:
        codes.consume(user.phone, (CodePurpose.CHANGE_PASSWORD,), code)
        via = "sms"
    elif current:
        if not user.check_password(current):
            raise WrongPassword()
        via = "password"
    else:
        raise DomainError(
            "proof_needed",
            _l("Enter your current password, or a code sent to your phone."),
            field="current_password",
        )
    user.set_password(new_password)
    audit.record(user, "account.password_changed", user, via=via)
    sessions.end_all(user, reason=sessions.EndReason.PASSWORD_CHANGED, keep_current=True)
    db.session.flush()
    return user


def issue_desk_code(user: User, *, issued_by: User) -> tuple[str, datetime]:
    """A reset code to print for `user` at the community office: (the code, when it expires). Who may is the
    caller's rule (communities); it records who issued it."""
    code, row = codes.issue(user.phone, CodePurpose.DESK_RESET, issued_by_id=issued_by.id)
    return code, row.expires_at
