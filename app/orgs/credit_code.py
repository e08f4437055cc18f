"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a 31-character set
(digits and capitals without I, O, Z, S, V); the 18th is a check character computed from the first 17."""

from __future__ import annotations

import re

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# 1: the registering authority and 2: the kind; 3-8: the administrative division (digits); 9-18: the rest
PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def normalise(raw: str | None) -> str:
    """Spaces and dashes go, letters are made capitals (people copy the code from a certificate)."""
    return re.sub(r"[\s\-]", "", raw or "").upper()


def check_character(first17: str) -> str:
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """None for a valid code; otherwise what is wrong: "length", "characters" or "check"."""
    if len(code) != 18:
        return "length"
    if not PATTERN.match(code):
        return "characters"
    if check_character(code[:17]) != code[17]:
        return "check"
    return None
