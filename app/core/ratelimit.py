"""Rate limits for actions that are not plain HTTP views (socket events), on the limiter's storage."""

from __future__ import annotations

import logging

from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse

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
