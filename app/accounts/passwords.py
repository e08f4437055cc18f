"""The one password rule, for registration, a reset (by SMS or at the desk) and a change in settings.

8 to 128 characters, and not easy to guess: not among the most common passwords (zxcvbn's list of the 30,000
most common, and those common in China), not one character or a few repeated (88888888, 12121212), not a
run of consecutive characters (12345678, 87654321, abcdefgh), not a date such as a birthday (19600101), and not
the user's own mobile number.

    problem(password, phone=...)  -> the translated reason, or None
    check(password, phone=...)    -> raises WeakPassword (a DomainError on the field "password")
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError

MIN_LENGTH = 8
MAX_LENGTH = 128

# Common in China and missing from (or short of 8 characters in) zxcvbn's list, which is mostly English.
CHINESE_COMMON = {
    "12345678",
    "123456789",
    "1234567890",
    "88888888",
    "66666666",
    "5201314",
    "52013140",
    "5201314520",
    "1314520",
    "13145200",
    "1314520520",
    "woaini1314",
    "woaini520",
    "woaini123",
    "woaiwojia",
    "a123456789",
    "a12345678",
    "aa123456",
    "abc123456",
    "qq123456",
    "qq5201314",
    "asd123456",
    "zxc123456",
    "qwe123456",
    "123456789a",
    "123456aa",
    "1qaz2wsx",
    "1q2w3e4r",
    "147258369",
    "159357456",
    "123123123",
    "12341234",
    "11223344",
    "112233445566",
    "12344321",
    "123456abc",
    "iloveyou",
    "password",
    "password1",
    "p@ssw0rd",
    "admin123",
    "admin888",
    "wangyuan",
    "zhang123",
    "wang1234",
    "li123456",
    "yishi123",
    "yishi2026",  # the demo accounts' password: never a real one
}

_DATE = re.compile(r"(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])")
_RUNS = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm")


class WeakPassword(DomainError):
    def __init__(self, message, field: str = "password"):
        super().__init__("weak_password", message, field=field)


@cache
def _common() -> frozenset[str]:
    """Common passwords of at least MIN_LENGTH characters, lower case (shorter ones fail the length rule)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    words = FREQUENCY_LISTS["passwords"]
    words = words.split(",") if isinstance(words, str) else list(words)
    return frozenset(w.lower() for w in [*words, *CHINESE_COMMON] if len(w) >= MIN_LENGTH)


def problem(password: str, *, phone: str | None = None):
    """Why `password` is not allowed (a translated message), or None when it is."""
    password = password or ""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        return _l("A password needs %(min)d to %(max)d characters.", min=MIN_LENGTH, max=MAX_LENGTH)
    lowered = password.lower()
    if phone and (phone in password or password == phone[-MIN_LENGTH:] or password == phone[::-1]):
        return _l("Do not use your mobile number as your password: others know it.")
    if _repeated(lowered):
        return _l("A password of one character or a few repeated (like 88888888) is easy to guess. Choose another.")
    if _consecutive(lowered):
        return _l("A run of keys in order (like 12345678 or abcdefgh) is easy to guess. Choose another.")
    if _is_date(password):
        return _l("A date such as a birthday (like 19600101) is easy to guess. Choose another.")
    if lowered in _common():
        return _l("This is one of the most common passwords, the first that anyone tries. Choose another.")
    return None


def check(password: str, *, phone: str | None = None, field: str = "password") -> None:
    """Raise WeakPassword when `password` breaks the rule."""
    message = problem(password, phone=phone)
    if message is not None:
        raise WeakPassword(message, field=field)


def _repeated(text: str) -> bool:
    """One character, or a few, repeated over the whole password (88888888, 12121212, 52013145201314)."""
    return any(text == (text[:size] * len(text))[: len(text)] for size in range(1, len(text) // 2 + 1))


def _consecutive(text: str) -> bool:
    """The whole password a run of consecutive characters, forwards or backwards (wrapping 9 to 0)."""
    for run in _RUNS:
        cycle = run * 3
        if text in cycle or text in cycle[::-1]:
            return True
    return False


def _is_date(text: str) -> bool:
    """Eight digits that are a real date between 1900 and 2099, as year, month, day (19600101)."""
    if not _DATE.fullmatch(text):
        return False
    try:
        date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return False
    return True
