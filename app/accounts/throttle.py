"""Failed logins counted per mobile number, on top of the per-address limit (RATELIMIT_LOGIN).

Forty addresses with ten guesses each would otherwise get four hundred guesses at one resident's password.
Here every number has its own count of failures, whoever sends them and whether or not the number is
registered (a refusal must not tell which), and a growing delay:

    after failure:  1-4    5     6      7      8      9      10, 11, ...
    wait:           none   30 s  1 min  2 min  4 min  8 min  15 min (the cap)

The wait is counted from the latest failure and never exceeds MAX_DELAY: an attacker can hold a resident
up for at most 15 minutes after their last guess, never lock them out for good. A success clears the count;
a day after the first failure it is forgotten anyway. While a number must wait, its password is not even
checked.

The counts live in the rate limits' storage (Redis in production, shared by every process; memory in
development), not in the database: the login edge rolls back its transaction on a refused login, and a
count written there would vanish with it. Keys carry a keyed hash of the number, not the number.

Guesses sent side by side must not each get a free try: check() takes one of the tries left at the
current count (a "claim", atomically, by counting), so when a number may try again only one of a burst
goes ahead; the others wait. A claim not followed by failed() or succeeded() (a crash) lapses after
CLAIM_SECONDS.

The interface, for every way of logging in (password, SMS code):

    throttle.check(phone)      # before checking the secret: raises TryLater (a DomainError) with the wait
    throttle.failed(phone)     # the secret was wrong (or the number unknown)
    throttle.succeeded(phone)  # it was right: the count starts again

Counting is off where rate limits are (RATELIMIT_ENABLED=0, the test suite's default).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math

from flask import current_app
from flask_babel import ngettext

from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.phones import normalize_phone
from app.extensions import limiter

logger = logging.getLogger(__name__)

FREE_FAILURES = 5  # failures before the first wait
FIRST_DELAY = 30  # seconds, after the fifth failure; doubled with each one after
MAX_DELAY = 15 * 60  # the longest wait, however many failures
FORGET_AFTER = 24 * 60 * 60  # a count is forgotten this long after its first failure
CLAIM_SECONDS = 30  # a try taken by check() and never reported lapses after this long
_KEEP = 60  # seconds a wait's record outlives the wait (clocks of processes differ a little)


class TryLater(DomainError):
    """Too many failures for this number: try again in `seconds` (said in minutes from a minute up)."""

    status_code = 429

    def __init__(self, seconds: int):
        self.retry_after = max(1, int(seconds))
        super().__init__("login_throttled", wait_message(self.retry_after))


def wait_message(seconds: int) -> str:
    """The wait in words: in seconds under a minute, in whole minutes (rounded up) from a minute up."""
    if seconds < 60:
        return ngettext(
            "Too many wrong attempts for this number. Try again in %(num)d second.",
            "Too many wrong attempts for this number. Try again in %(num)d seconds.",
            seconds,
        )
    return ngettext(
        "Too many wrong attempts for this number. Try again in %(num)d minute.",
        "Too many wrong attempts for this number. Try again in %(num)d minutes.",
        math.ceil(seconds / 60),
    )


def delay_after(failures: int) -> int:
    """Seconds to wait after `failures` failures in a row."""
    if failures < FREE_FAILURES:
        return 0
    return min(FIRST_DELAY * 2 ** min(failures - FREE_FAILURES, 16), MAX_DELAY)


def check(phone: str) -> None:
    """Refuse (TryLater) while this number must wait; otherwise take one try at the current count."""
    if not _enabled():
        return
    keys = _Keys(phone)
    failures = _call("get", keys.failures)
    if failures >= FREE_FAILURES:
        wait = min(_call("get", keys.until(failures)) - _now(), MAX_DELAY)
        if wait > 0:
            raise TryLater(wait)
    taken = _call("incr", keys.claim(failures), CLAIM_SECONDS)
    tries_left = max(FREE_FAILURES - failures, 1)
    if taken > tries_left:  # a burst: the tries at this count are taken, by requests not yet answered
        raise TryLater(min(CLAIM_SECONDS, max(delay_after(failures + 1), 1)))


def failed(phone: str) -> None:
    """Count one failure for this number; from the fifth on, it must wait before the next try."""
    if not _enabled():
        return
    keys = _Keys(phone)
    failures = _call("incr", keys.failures, FORGET_AFTER)
    delay = delay_after(failures)
    if delay:
        # Its value is the time the wait ends (seconds since the epoch, by the app's clock). Only this request
        # got this count from incr, so it alone writes the key; cleared first, as a count reached again after
        # a success may find the last round's value not yet expired, and incr would add to it.
        until = keys.until(failures)
        _call("clear", until)
        _call("incr", until, delay + _KEEP, _now() + delay)
    logger.info("login failure %d for number %s…", failures, keys.digest[:8])


def succeeded(phone: str) -> None:
    """The secret was right: forget this number's failures."""
    if not _enabled():
        return
    keys = _Keys(phone)
    failures = _call("get", keys.failures)
    # the tries taken at each count of this round (those of the last CLAIM_SECONDS could still be there
    # when the count comes back to them): the free ones, and the one or two since
    levels = {*range(min(failures, FREE_FAILURES + 2) + 1), failures}
    for key in (keys.failures, keys.until(failures), *(keys.claim(level) for level in levels)):
        _call("clear", key)


def remaining(phone: str) -> int:
    """Seconds this number must still wait (0: it may try)."""
    if not _enabled():
        return 0
    keys = _Keys(phone)
    failures = _call("get", keys.failures)
    if failures < FREE_FAILURES:
        return 0
    return max(0, min(_call("get", keys.until(failures)) - _now(), MAX_DELAY))


class _Keys:
    """The storage keys of one number: a keyed hash, so the store holds no phone numbers."""

    def __init__(self, phone: str):
        number = normalize_phone(phone)
        secret = str(current_app.config["SECRET_KEY"]).encode()
        self.digest = hmac.new(secret, number.encode(), hashlib.sha256).hexdigest()[:32]
        prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "yishi"
        self.base = f"{prefix}/login-throttle/{self.digest}"

    @property
    def failures(self) -> str:
        return f"{self.base}/failures"

    def until(self, failures: int) -> str:
        return f"{self.base}/until/{failures}"

    def claim(self, failures: int) -> str:
        return f"{self.base}/claim/{failures}"


def _now() -> int:
    """Whole seconds since the epoch, by the app's clock: the counters hold whole numbers."""
    return math.floor(utcnow().timestamp())


def _enabled() -> bool:
    return bool(limiter.enabled and limiter.initialized)


def _call(method: str, key: str, *args):
    """One operation on the limits' storage; while it (Redis) is unreachable, on the in-memory fallback.
    Without a fallback, a storage error lets the login go ahead rather than lock everyone out."""
    try:
        return getattr(limiter.storage, method)(key, *args)
    except Exception as err:  # the storage's own errors (redis-py's) vary with the backend
        fallback = getattr(limiter, "_fallback_limiter", None)  # RATELIMIT_IN_MEMORY_FALLBACK_ENABLED
        if fallback is None:
            logger.warning("login throttle: storage unreachable (%s); not counting", err)
            return None if method == "clear" else 0
        logger.warning("login throttle: storage unreachable (%s); counting in memory", err)
        return getattr(fallback.storage, method)(key, *args)
