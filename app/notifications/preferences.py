"""Each person's choice of channels per kind, and their email address (used once confirmed by a link)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from app.core import validation
from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.realtime import call_after_commit
from app.extensions import db
from app.notifications import channels, kinds
from app.notifications.kinds import Channel, Mode
from app.notifications.models import EmailAddress, Preference

logger = logging.getLogger(__name__)

CONFIRM_DAYS = 3
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def modes_for(user_id: int, kind: str) -> dict[Channel, Mode]:
    """The person's mode per channel for one kind (their choice, else the kind's default)."""
    chosen = {
        p.channel: p.mode
        for p in db.session.scalars(select(Preference).where(Preference.user_id == user_id, Preference.kind == kind))
    }
    found = kinds.get(kind)
    return {channel: chosen.get(channel, found.default(channel)) for channel in Channel}


def table(user_id: int) -> list[tuple[kinds.Kind, dict[Channel, Mode]]]:
    """Every registered kind with the person's modes: the preferences page."""
    chosen: dict[tuple[str, Channel], Mode] = {
        (p.kind, p.channel): p.mode for p in db.session.scalars(select(Preference).where(Preference.user_id == user_id))
    }
    return [
        (kind, {channel: chosen.get((kind.name, channel), kind.default(channel)) for channel in Channel})
        for kind in kinds.all_kinds()
    ]


def confirmed_email(user_id: int) -> str | None:
    found = db.session.get(EmailAddress, user_id)
    return found.address if found is not None and found.confirmed_at is not None else None


def pending_email(user_id: int) -> str | None:
    """An address given but not yet confirmed."""
    found = db.session.get(EmailAddress, user_id)
    return found.address if found is not None and found.confirmed_at is None else None


def save(user, choices: dict[tuple[str, Channel], str]) -> int:
    """Store the person's modes; email needs a confirmed address. Returns how many choices changed."""
    known = {kind.name for kind in kinds.all_kinds()}
    has_email = confirmed_email(user.id) is not None
    existing = {
        (p.kind, p.channel): p for p in db.session.scalars(select(Preference).where(Preference.user_id == user.id))
    }
    changed = 0
    for (kind, channel), value in choices.items():
        if kind not in known:
            raise DomainError("bad_request", _l("There is no such kind of message."))
        try:
            mode = Mode(value)
        except ValueError:
            raise DomainError("bad_request", _l("Choose at once, daily digest or off.")) from None
        if channel == Channel.EMAIL and mode != Mode.OFF and not has_email:
            raise DomainError("no_email", _l("Add and confirm an email address before choosing email."), field="email")
        row = existing.get((kind, channel))
        if row is None:
            if mode == kinds.get(kind).default(channel):
                continue
            db.session.add(Preference(user_id=user.id, kind=kind, channel=channel, mode=mode))
            changed += 1
        elif row.mode != mode:
            row.mode = mode
            changed += 1
    db.session.flush()
    return changed


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="yishi-email-confirm")


def set_email(user, address, *, link: Callable[[str], str]) -> EmailAddress:
    """Keep a new address unconfirmed and mail it a confirmation link (after the commit)."""
    address = validation.text(
        address, field="email", low=3, high=254, message=_l("Give an email address such as name@example.com.")
    ).lower()
    if not _EMAIL.match(address):
        raise DomainError("bad_request", _l("Give an email address such as name@example.com."), field="email")
    row = db.session.get(EmailAddress, user.id)
    if row is None:
        row = EmailAddress(user_id=user.id, address=address)
        db.session.add(row)
    elif row.address != address:
        row.address, row.confirmed_at = address, None
    db.session.flush()
    if row.confirmed_at is None:
        url = link(_serializer().dumps({"u": user.id, "a": address}))
        with force_locale(user.locale or "zh_CN"):
            subject = _("Confirm your email address for Yishi")
            body = _("Open this link to receive Yishi messages at this address:\n\n%(url)s", url=url)
        call_after_commit(lambda: _send_confirmation(address, subject, body))
    return row


def _send_confirmation(address: str, subject: str, body: str) -> None:
    try:
        channels.send_email(address, subject, body)
    except Exception:  # the person asks again: the page says the link was sent
        logger.exception("confirmation email to %s failed", address)


def confirm_email(user, token: str) -> EmailAddress:
    """The link from the confirmation email, opened by the same person, for the address they last gave."""
    token = validation.text(token, field="token", low=1, high=500, message=_l("This link is not valid."))
    try:
        data = _serializer().loads(token, max_age=CONFIRM_DAYS * 24 * 3600)
    except SignatureExpired:
        raise DomainError("expired", _l("This link has expired: add the address again.")) from None
    except BadSignature:
        raise DomainError("bad_request", _l("This link is not valid.")) from None
    row = db.session.get(EmailAddress, user.id)
    if data.get("u") != user.id or row is None or row.address != data.get("a"):
        raise DomainError("bad_request", _l("This link is not valid."))
    if row.confirmed_at is None:
        row.confirmed_at = utcnow()
        db.session.flush()
    return row


def remove_email(user) -> None:
    """Forget the address; email choices fall back to off."""
    row = db.session.get(EmailAddress, user.id)
    if row is not None:
        db.session.delete(row)
    for pref in db.session.scalars(
        select(Preference).where(Preference.user_id == user.id, Preference.channel == Channel.EMAIL)
    ):
        pref.mode = Mode.OFF
    db.session.flush()
