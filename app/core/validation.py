"""Checks every feature's services make on raw input: a client-made id for idempotent submissions, text of a
bounded length, and characters a database cannot store. One wording, one limit.

Control characters: PostgreSQL refuses a NUL in text outright (a 500, then a failed transaction), SQLite
stores it and every later reader trips on it; the other C0 controls are never typed by a person. They are
refused wherever text comes in: every form field (core.forms.Form), every socket payload
(core.sockets.acknowledged), every service's text() and client_id(), query strings and URL path segments
(core.guards). Tab, CR and LF are allowed in multi-line text only. Lone surrogates (a JSON "\\ud800") cannot
be encoded for the database either.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError

MAX_CLIENT_ID = 64  # the client_id columns' length
MAX_ID = 2**31 - 1  # the INTEGER id columns' range: a larger id cannot exist
MIN_INTEGER = -(2**31)  # an INTEGER column's least value

_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")  # tab, LF, CR allowed
_UNSTORABLE_ONE_LINE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")

CONTROL_CHARACTER = _l(
    "This field contains a character that cannot be stored (a control character). Remove it and try again."
)
NUMBER_TOO_LARGE = _l("This number is too large.")


def unstorable(value: str, *, multiline: bool = True) -> bool:
    """Whether `value` holds a character refused as input: a C0 control (tab, CR and LF allowed in
    multi-line text), DEL, or a lone surrogate."""
    return (_UNSTORABLE if multiline else _UNSTORABLE_ONE_LINE).search(value) is not None


def storable(value: str, *, field: str, multiline: bool = True) -> str:
    """`value`, or a DomainError on `field` saying it holds a character that cannot be stored."""
    if unstorable(value, multiline=multiline):
        raise DomainError("control_character", CONTROL_CHARACTER, field=field)
    return value


def in_integer_range(value: int) -> bool:
    """Whether an INTEGER column can hold `value`."""
    return MIN_INTEGER <= value <= MAX_ID


def id_arg(value: str) -> int:
    """A `type=` for request.args.get: an id in range, or ValueError (the argument is then ignored)."""
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError(value)
    return number


def client_id(value) -> str:
    """A client-made id (a retry sends the same one): a non-blank string of at most 64 characters."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_CLIENT_ID or unstorable(value):
        raise DomainError("bad_request", _l("The request could not be understood."), field="client_id")
    return value.strip()


def text(value, *, field: str, low: int, high: int, message) -> str:
    """`value` stripped, between `low` and `high` characters long; otherwise `message` on `field`. A control
    character is refused with its own message."""
    cleaned = value.strip() if isinstance(value, str) else ""
    storable(cleaned, field=field)
    if not low <= len(cleaned) <= high:
        raise DomainError("bad_request", message, field=field)
    return cleaned
