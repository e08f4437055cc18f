"""Generation counters: how a process learns, without a query, that something it keeps has changed.

A counter is a name (`rights:42`: what user 42 may do) whose value only goes up. Whoever changes what a cache
was built from bumps the counter once the transaction commits (`bump_after_commit`); whoever keeps a cache
notes the counter's value with it and compares on use (`read`). With Redis (REDIS_URL) the counters are shared
by every server process; without it they live in this process, and are trusted only where it is the server's
only one (ONE_PROCESS: `make run`, the tests; elsewhere `read` answers None and nothing kept is trusted).

`read` asks Redis at most once per name and app context (a socket event, a request), whatever number of
caches ask: a join that checks the login and the membership is one round trip. When Redis cannot answer,
`read` returns None and the caller must not trust its cache (it loads afresh from the database).
"""

from __future__ import annotations

import logging
import threading

import redis
from flask import current_app, g, has_app_context

from app.core.batching import GroupCommit
from app.core.realtime import call_after_commit, redis_key, shared_redis

logger = logging.getLogger(__name__)

TTL_SECONDS = 7 * 86400  # a counter nobody bumped for a week starts again from 0: caches older than that are gone
_lock = threading.Lock()
_local: dict[str, int] = {}  # without Redis: the counters themselves
_MEMO = "yishi_generations"


def _redis() -> redis.Redis | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    return shared_redis(url)


def _key(name: str) -> str:
    return redis_key("generation", name)


def _memo() -> dict[str, int] | None:
    return g.setdefault(_MEMO, {}) if has_app_context() else None


def read(*names: str, fresh: bool = False) -> tuple[int, ...] | None:
    """The counters' values, or None when they cannot be known (Redis unreachable): trust no cache then.
    `fresh`: asked of Redis now, not as read earlier in this context (a reader that must see any change
    committed after something it did, such as joining a Socket.IO room)."""
    memo = _memo()
    missing = [n for n in names if fresh or memo is None or n not in memo]
    if missing:
        client = _redis()
        if client is None:
            if not current_app.config.get("ONE_PROCESS"):
                return None  # this process's counters know nothing of the other processes' changes
            with _lock:
                found = [_local.get(n, 0) for n in missing]
        else:
            try:
                found = _reader(client).submit(tuple(_key(n) for n in missing))
            except (redis.RedisError, OSError) as err:
                logger.warning("generations: Redis unreachable, caches not trusted (%s)", err)
                return None
        if memo is None:
            return tuple(found)
        memo.update(zip(missing, found, strict=True))
    return tuple(memo[n] for n in names)


def redis_keys(names) -> list[str]:
    """The Redis keys of these counters (for a caller that reads them within a pipeline of its own)."""
    return [_key(n) for n in names]


def remember(names, values) -> None:
    """Counters read by a caller's own pipeline (core.presence): this context's reads of them are these."""
    memo = _memo()
    if memo is not None:
        memo.update(zip(names, (int(v or 0) for v in values), strict=True))


def forget(names) -> None:
    """This context's reads of these counters are not to be used again (read afresh next time)."""
    memo = _memo()
    if memo is not None:
        for name in names:
            memo.pop(name, None)


_readers: dict[int, GroupCommit] = {}


def _reader(client: redis.Redis) -> GroupCommit:
    """The reads that arrive while one is under way are made together, in one MGET (core.batching): a storm of
    a thousand joins is a few round trips to Redis, not a thousand. Each read is made after it was asked for,
    so it is as fresh as a read of its own."""
    with _lock:
        reader = _readers.get(id(client))
        if reader is None:
            reader = _readers[id(client)] = GroupCommit(lambda batch: _read_together(client, batch), max_batch=500)
    return reader


def _read_together(client: redis.Redis, batch) -> list[list[int]]:
    keys = sorted({key for keys in batch for key in keys})
    values = dict(zip(keys, (int(v or 0) for v in client.mget(keys)), strict=True))
    return [[values[key] for key in keys] for keys in batch]


def bump(*names: str) -> None:
    """Move the counters on now (after the commit of the change: see bump_after_commit)."""
    names = tuple(sorted(set(names)))
    if not names:
        return
    memo = _memo()
    if memo is not None:
        for name in names:
            memo.pop(name, None)  # read again, from the source, within this context too
    with _lock:
        for name in names:
            _local[name] = _local.get(name, 0) + 1
    client = _redis()
    if client is None:
        return
    try:
        pipe = client.pipeline(transaction=False)
        for name in names:
            pipe.incr(_key(name))
            pipe.expire(_key(name), TTL_SECONDS)
        pipe.execute()
    except (redis.RedisError, OSError) as err:
        # the other processes' caches still end: each is trusted for a bounded time only (its owner says)
        logger.warning("generations: Redis unreachable, could not bump %s (%s)", names, err)


def bump_after_commit(*names: str) -> None:
    """Bump the counters once the current transaction commits (not if it rolls back)."""
    if names:
        call_after_commit(lambda: bump(*names))


def rights(user_id: int) -> str:
    """The counter of what a user may do: their logins (one ended), their account (closed), their memberships,
    roles and offices. A socket keeps its user and memberships while it holds."""
    return f"rights:{user_id}"


EVERY_RIGHT = "rights:all"  # what every user's rights are worked out from (communities, streets)
