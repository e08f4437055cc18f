"""Mainland mobile numbers: one normaliser and one pattern for every feature."""

from __future__ import annotations

import re

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(raw: str | None) -> str:
    """Strip spaces, dashes and a +86 / 0086 prefix from a mainland mobile number."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits
