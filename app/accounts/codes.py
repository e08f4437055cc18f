"""One-time codes: made, kept as an HMAC, tried, used once.

    issue(phone, purpose, ip=..., issued_by=None) -> (the code, its row)   a newer code replaces the older
    consume(phone, purposes, code)                -> the row, now used      or CodeRefused (the try counted)

An SMS code has 6 digits and lasts SMS_CODE_MINUTES (5); a desk code, printed by community staff for a member at
the office, has 8 digits and lasts DESK_CODE_HOURS (24: the member may set the new password at home that evening,
with family to help, rather than at the counter before the office closes). Either is dead after
CODE_MAX_ATTEMPTS tries (5), right or wrong, and once used.

A wrong try must be counted even though the use case is refused: CodeRefused keeps what was written
(DomainError.keeps_writes), so the edge commits the count instead of rolling it back. Nothing else may be written
before a code is consumed in a use case.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from app.accounts.models import CodePurpose, OneTimeCode
from app.core.errors import DomainError
from app.core.models import utcnow
from app.extensions import db

SMS_DIGITS = 6
DESK_DIGITS = 8
_DUMMY_HASH = "0" * 64  # compared against when there is no code, so that both take the same time


class CodeRefused(DomainError):
    """The code did not let its holder in: wrong, expired, used, or tried too often. The try is counted."""

    keeps_writes = True

    def __init__(self, message=None, *, field: str = "code"):
        super().__init__(
            "code_refused",
            message or _l("This code is not right, or it has expired. Check the text message, or ask for a new code."),
            field=field,
        )


def digits_of(purpose: CodePurpose) -> int:
    return DESK_DIGITS if purpose == CodePurpose.DESK_RESET else SMS_DIGITS


def lifetime(purpose: CodePurpose) -> timedelta:
    config = current_app.config
    if purpose == CodePurpose.DESK_RESET:
        return timedelta(hours=config.get("DESK_CODE_HOURS", 24))
    return timedelta(minutes=config.get("SMS_CODE_MINUTES", 5))


def digest(phone: str, purpose: CodePurpose, code: str) -> str:
    """The code as stored: HMAC-SHA256 under the site's SECRET_KEY, bound to the number and the purpose."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose.value}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def new_code(digits: int) -> str:
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def issue(
    phone: str, purpose: CodePurpose, *, ip: str | None = None, issued_by_id: int | None = None
) -> tuple[str, OneTimeCode]:
    """A fresh code for `phone` and `purpose`, replacing any earlier one (and clearing long-dead codes).
    Returns the code itself (to send or print, never stored) and its row. Flushes."""
    now = utcnow()
    db.session.execute(
        delete(OneTimeCode).where(
            (OneTimeCode.phone == phone) & (OneTimeCode.purpose == purpose)
            | (OneTimeCode.expires_at < now - timedelta(days=1))
        )
    )
    code = new_code(digits_of(purpose))
    row = OneTimeCode(
        phone=phone,
        purpose=purpose,
        code_hash=digest(phone, purpose, code),
        expires_at=now + lifetime(purpose),
        attempts=0,
        requested_ip=ip,
        issued_by_id=issued_by_id,
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    return code, row


def consume(phone: str, purposes: tuple[CodePurpose, ...], code: str) -> OneTimeCode:
    """Use the code: the row of `phone`'s live code for one of `purposes` that `code` matches, now marked used.

    A code is tried against the purpose its length names (6 digits: SMS, 8: desk). Every try counts, right or
    wrong; after CODE_MAX_ATTEMPTS the code is dead. Refusals are CodeRefused, whose counted try the edge
    commits. The comparison takes the same time whether or not there is a code."""
    code = "".join((code or "").split())
    candidates = [p for p in purposes if digits_of(p) == len(code)] if code.isdigit() else []
    row = _live(phone, candidates) if candidates else None
    if row is None:
        hmac.compare_digest(_DUMMY_HASH, digest(phone, purposes[0], code))
        raise CodeRefused()
    # counted first, in one statement: tries sent at the same moment cannot pass the limit between them
    counted = db.session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.id == row.id, OneTimeCode.attempts < current_app.config.get("CODE_MAX_ATTEMPTS", 5))
        .values(attempts=OneTimeCode.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not counted:
        raise CodeRefused(_l("This code was tried too many times and no longer works. Ask for a new code."))
    if not hmac.compare_digest(row.code_hash, digest(phone, row.purpose, code)):
        raise CodeRefused()
    used = db.session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.id == row.id, OneTimeCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not used:  # the same code used by another request a moment ago
        raise CodeRefused()
    db.session.refresh(row)
    return row


def _live(phone: str, purposes: list[CodePurpose]) -> OneTimeCode | None:
    """The newest unused, unexpired code of `phone` for one of `purposes`."""
    return db.session.scalar(
        select(OneTimeCode)
        .where(
            OneTimeCode.phone == phone,
            OneTimeCode.purpose.in_(purposes),
            OneTimeCode.used_at.is_(None),
            OneTimeCode.expires_at > utcnow(),
        )
        .order_by(OneTimeCode.created_at.desc(), OneTimeCode.id.desc())
        .limit(1)
    )
