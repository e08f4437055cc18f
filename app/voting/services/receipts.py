"""Tracking codes (回执码) and voter keys: derived, never stored beside a secret ballot's voter."""

from __future__ import annotations

import functools
import hashlib
import hmac

from flask import current_app

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 12


def receipt_for(poll_type: str, subject_id: int, voter_key: str, key: bytes | str | None = None) -> str:
    """The tracking code (回执码) of a voter's ballot: 12 characters without 0/O or 1/I.

    Derived from the app's secret key, so a retried submission gets the same code without the
    database storing anything that links a secret ballot to its voter.
    """
    if key is None:
        key = current_app.config["SECRET_KEY"]
    return _receipt(key.encode() if isinstance(key, str) else key, f"receipt|{poll_type}|{subject_id}|{voter_key}")


@functools.lru_cache(maxsize=65536)
def _receipt(key: bytes, message: str) -> str:
    """Kept for a while: a burst of votes asks for each receipt more than once (a retry, the lookup, the insert)."""
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:10], "big")
    chars = []
    for _ in range(RECEIPT_LENGTH):
        number, index = divmod(number, len(RECEIPT_ALPHABET))
        chars.append(RECEIPT_ALPHABET[index])
    return "".join(chars)


def normalise_receipt(code: str) -> str:
    """What a voter types, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:32]


def user_key(user_id: int) -> str:
    return f"user:{user_id}"


def household_key(household_id: int) -> str:
    return f"household:{household_id}"
