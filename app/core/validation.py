"""Checks every feature's services make on raw input: a client-made id for idempotent submissions, and
text of a bounded length. One wording, one limit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError

MAX_CLIENT_ID = 64  # the client_id columns' length
MAX_ID = 2**31 - 1  # the INTEGER id columns' range: a larger id cannot exist


def client_id(value) -> str:
    """A client-made id (a retry sends the same one): a non-blank string of at most 64 characters."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_CLIENT_ID:
        raise DomainError("bad_request", _l("The request could not be understood."), field="client_id")
    return value.strip()


def text(value, *, field: str, low: int, high: int, message) -> str:
    """`value` stripped, between `low` and `high` characters long; otherwise `message` on `field`."""
    cleaned = value.strip() if isinstance(value, str) else ""
    if not low <= len(cleaned) <= high:
        raise DomainError("bad_request", message, field=field)
    return cleaned
