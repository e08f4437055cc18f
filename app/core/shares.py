"""Shares and thresholds are exact fractions; residents type them as "3/4", "75%" or "0.75"."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError


def parse_share(text, *, field: str) -> Fraction:
    """A share typed as a fraction ("3/4"), a percentage ("75%") or a decimal ("0.75"), exactly; within (0, 1]."""
    raw = (text or "").strip().replace("％", "%").replace("／", "/") if isinstance(text, str) else ""
    message = _l('Enter a share such as "3/4", "75%" or "0.75".')
    if not raw or len(raw) > 20:
        raise DomainError("bad_share", message, field=field)
    try:
        if "/" in raw:
            top, _sep, bottom = raw.partition("/")
            if not top.strip().isdigit() or not bottom.strip().isdigit() or int(bottom) == 0:
                raise ValueError
            share = Fraction(int(top), int(bottom))
        elif raw.endswith("%"):
            share = Fraction(Decimal(raw[:-1].strip())) / 100
        else:
            share = Fraction(Decimal(raw))
    except (ValueError, InvalidOperation, ZeroDivisionError):
        raise DomainError("bad_share", message, field=field) from None
    if not 0 < share <= 1:
        raise DomainError("bad_share", _l("A share is more than 0 and at most 1 (100%)."), field=field)
    return share
