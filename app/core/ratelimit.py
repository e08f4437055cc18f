"""Rate limits for actions that are not plain HTTP views (socket events), on the limiter's storage."""

from __future__ import annotations

import logging
import math
import time

from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse
from limits.strategies import FixedWindowRateLimiter

from app.core.errors import DomainError
from app.extensions import limiter

logger = logging.getLogger(__name__)


class RateLimited(DomainError):
    status_code = 429

    def __init__(self):
        super().__init__("rate_limited", _l("You are sending too fast. Please wait a moment."))


def hit(scope: str, key: str, limit_config: str) -> None:
    """Count one action; raise RateLimited once the configured limit is passed."""
    if not limiter.enabled:  # RATELIMIT_ENABLED was off when the app was made: no storage to count in
        return
    for item in parse_many(current_app.config[limit_config]):
        if not _hit(item, scope, key):
            raise RateLimited()


def _hit(item, scope: str, key: str) -> bool:
    """Count on the shared storage; while it (Redis) is unreachable, in this process's memory.

    The key starts with the site's prefix (RATELIMIT_KEY_PREFIX), as Flask-Limiter's own keys do.
    """
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "yishi"
    try:
        return limiter.limiter.hit(item, prefix, "yishi", scope, key)
    except Exception as err:  # the storage's own errors (redis-py's) vary with the backend
        fallback = getattr(limiter, "_fallback_limiter", None)  # RATELIMIT_IN_MEMORY_FALLBACK_ENABLED
        if fallback is None:
            raise
        logger.warning("rate-limit storage unreachable (%s); counting in memory", err)
        return fallback.hit(item, prefix, "yishi", scope, key)


def parse_many(text: str):
    return [parse(part) for part in text.split(";") if part.strip()]


# -- quotas: several limits counted together, with the wait when one is used up ---------------------


class QuotaExhausted(Exception):
    """One of a quota's limits is used up: nothing was counted; `seconds` until it allows one more."""

    def __init__(self, seconds: int):
        super().__init__(f"wait {seconds} s")
        self.seconds = seconds


def take(*buckets: tuple[str, str, str]) -> list:
    """Count one action against every bucket `(scope, key, limits)` (limits as in config: "1 per minute;5 per
    hour"), all or none. When one limit is used up nothing is counted and QuotaExhausted says how long to wait
    (the longest wait of the used-up windows). Returns what was taken, for `give_back`. Switched off
    (RATELIMIT_ENABLED off), it counts nothing and refuses nothing."""
    if not limiter.enabled:
        return []
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "yishi"
    entries = [(item, (prefix, "yishi", scope, key)) for scope, key, text in buckets for item in parse_many(text)]
    strategy = _strategy()
    waits = [_wait(strategy, item, ids) for item, ids in entries if not strategy.test(item, *ids)]
    if waits:
        raise QuotaExhausted(max(waits))
    taken = []
    for item, ids in entries:
        if not strategy.hit(item, *ids):  # another request took the last one in between
            give_back([*taken, (item, ids)])
            raise QuotaExhausted(_wait(strategy, item, ids))
        taken.append((item, ids))
    return taken


def give_back(taken: list) -> None:
    """Undo `take` (the action did not happen: the SMS provider failed). Fixed windows only, the limiter's
    default strategy; with another strategy the count stays."""
    strategy = _strategy()
    if not isinstance(strategy, FixedWindowRateLimiter):
        return
    for item, ids in taken:
        strategy.storage.incr(item.key_for(*ids), item.get_expiry(), amount=-1)


def wait_seconds(*buckets: tuple[str, str, str]) -> int:
    """Seconds until `take` would count one more for these buckets (0: now)."""
    if not limiter.enabled:
        return 0
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "yishi"
    strategy = _strategy()
    waits = [
        _wait(strategy, item, ids)
        for scope, key, text in buckets
        for item in parse_many(text)
        for ids in [(prefix, "yishi", scope, key)]
        if not strategy.test(item, *ids)
    ]
    return max(waits, default=0)


def _wait(strategy, item, ids) -> int:
    reset_at = strategy.get_window_stats(item, *ids).reset_time
    return max(1, math.ceil(reset_at - time.time()))


def _strategy():
    """The limiter's strategy on the shared storage; while that (Redis) is unreachable, the in-memory one."""
    strategy = limiter.limiter
    try:
        if strategy.storage.check():
            return strategy
    except Exception as err:  # the storage's own errors vary with the backend
        logger.warning("rate-limit storage unreachable (%s); counting in memory", err)
    fallback = getattr(limiter, "_fallback_limiter", None)
    return fallback or strategy
