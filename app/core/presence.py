"""How many are in a room, counted across every server process.

A room's members are this process's Socket.IO participants. With Redis (several processes),
each process also writes its members into a sorted set per room, scored by when it last saw
them; a heartbeat refreshes them every PRESENCE_HEARTBEAT_SECONDS and entries not refreshed for
PRESENCE_TTL_SECONDS (a process that died) drop out. Without Redis, or while it is down, the count
is this process's own.

A join writes its own member only (`join`: one ZADD, whatever the room's size) and a count reads the
set's size: a thousand joining at once cost a thousand small writes, not a rewrite of the room each.
"""

from __future__ import annotations

import logging
import threading
import time

import redis
from flask import current_app

from app.core import generations
from app.core.batching import GroupCommit
from app.core.logs import JobHealth
from app.core.realtime import _PROCESS_ID, redis_key, shared_redis
from app.extensions import socketio

logger = logging.getLogger(__name__)

PRESENCE_TTL = 15.0  # seconds a member stays counted without a refresh (PRESENCE_TTL_SECONDS)
HEARTBEAT_SECONDS = 5.0  # (PRESENCE_HEARTBEAT_SECONDS)


def _ttl() -> float:
    return float(current_app.config.get("PRESENCE_TTL_SECONDS", PRESENCE_TTL))


def _expire_seconds() -> int:
    return max(1, int(_ttl() * 2))


_tracked: set[tuple[str, str]] = set()  # (namespace, room) this process has members in
_lock = threading.Lock()


def _redis() -> redis.Redis | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    return shared_redis(url)


def _key(room: str) -> str:
    """One site's rooms apart from another's on a shared Redis (REDIS_PREFIX names the site)."""
    return redis_key("presence", room)


def _local(namespace: str, room: str) -> set[str]:
    server = socketio.server
    if server is None:
        return set()
    return {sid for sid, _eio in server.manager.get_participants(namespace, room)}


def _local_count(namespace: str, room: str, leaving: str | None = None) -> int:
    """How many of this process's connections are in the room, without listing them (O(1))."""
    server = socketio.server
    if server is None:
        return 0
    members = server.manager.rooms.get(namespace, {}).get(room) or {}
    return len(members) - (1 if leaving is not None and leaving in members else 0)


def _member(sid: str) -> str:
    return f"{_PROCESS_ID}:{sid}"


def count(namespace: str, room: str, *, leaving: str | None = None, joining: str | None = None) -> int:
    """Connections in the room in every process; `leaving` is a connection on its way out, `joining` one
    that has just come in (written alone: the heartbeat re-stamps the rest)."""
    local = _local_count(namespace, room, leaving)
    with _lock:
        _tracked.add((namespace, room))
    client = _redis()
    if client is None:
        return local
    key = _key(room)
    now = time.time()
    try:
        pipe = client.pipeline(transaction=False)
        if leaving is not None:
            pipe.zrem(key, _member(leaving))
        if joining is not None:
            pipe.zadd(key, {_member(joining): now})
        pipe.zremrangebyscore(key, "-inf", now - _ttl())
        pipe.zcard(key)
        pipe.expire(key, _expire_seconds())
        total = pipe.execute()[-2]
    except (redis.RedisError, OSError) as err:
        logger.warning("presence: Redis unreachable, counting this process only (%s)", err)
        return local
    return max(int(total), local)


def join(namespace: str, room: str, sid: str, *, counters: tuple[str, ...] = ()) -> int:
    """A connection came into the room: count it in every process (O(1)); the room's count after. The joins
    that arrive together are written together (core.batching: one round trip to Redis for a batch of them,
    however many rooms), and each is answered its room's count. `counters`: generation counters to read in
    the same round trip (core.generations; the join reads its room's version after joining the room)."""
    with _lock:
        _tracked.add((namespace, room))
    client = _redis()
    if client is None:
        generations.forget(counters)  # read again when needed (in this process: no round trip)
        return _local_count(namespace, room)
    try:
        total, values = _join_writer(client).submit((room, sid, tuple(generations.redis_keys(counters))))
    except (redis.RedisError, OSError) as err:
        logger.warning("presence: Redis unreachable, counting this process only (%s)", err)
        total = 0
        generations.forget(counters)  # not read after the join: whoever needs them reads them again
    else:
        generations.remember(counters, values)
    return max(int(total), _local_count(namespace, room))


_writers: dict[int, GroupCommit] = {}


def _join_writer(client: redis.Redis) -> GroupCommit:
    with _lock:
        writer = _writers.get(id(client))
        if writer is None:
            writer = _writers[id(client)] = GroupCommit(lambda items: _write_joins(client, items), max_batch=500)
    return writer


def _write_joins(client: redis.Redis, items) -> list[tuple[int, list]]:
    """A batch of (room, sid, counter keys) joins in one pipeline: each room's members stamped in one command,
    its stale members dropped and its size read once, and the counters asked for read after the stamps."""
    now = time.time()
    rooms = sorted({room for room, _sid, _keys in items})
    keys = sorted({key for _room, _sid, wanted in items for key in wanted})
    members: dict[str, dict[str, float]] = {room: {} for room in rooms}
    for room, sid, _keys in items:
        members[room][_member(sid)] = now
    pipe = client.pipeline(transaction=False)
    for room in rooms:  # one command a room, however many joined it
        pipe.zadd(_key(room), members[room])
        pipe.zremrangebyscore(_key(room), "-inf", now - _ttl())
        pipe.zcard(_key(room))
        pipe.expire(_key(room), _expire_seconds())
    if keys:
        pipe.mget(keys)
    results = pipe.execute()
    sizes = {room: int(results[4 * i + 2]) for i, room in enumerate(rooms)}
    values = dict(zip(keys, results[-1], strict=True)) if keys else {}
    return [(sizes[room], [values[key] for key in wanted]) for room, _sid, wanted in items]


def leave(room: str, sid: str) -> None:
    """A connection left the room (or is disconnecting): stop counting it in every process. The leaves that
    arrive together (a thousand phones closing the room) are one pipeline, as the joins are."""
    client = _redis()
    if client is None:
        return
    try:
        _leave_writer(client).submit((room, sid))
    except (redis.RedisError, OSError) as err:
        logger.warning("presence: Redis unreachable (%s)", err)


_leavers: dict[int, GroupCommit] = {}


def _leave_writer(client: redis.Redis) -> GroupCommit:
    with _lock:
        writer = _leavers.get(id(client))
        if writer is None:
            writer = _leavers[id(client)] = GroupCommit(lambda items: _write_leaves(client, items), max_batch=500)
    return writer


def _write_leaves(client: redis.Redis, items) -> list[None]:
    pipe = client.pipeline(transaction=False)
    for room, sid in items:
        pipe.zrem(_key(room), _member(sid))
    pipe.execute()
    return [None] * len(items)


def refresh() -> int:
    """Re-stamp this process's members of every room it tracks; returns how many were written."""
    client = _redis()
    if client is None:
        return 0
    with _lock:
        tracked = list(_tracked)
    now = time.time()
    written = 0
    pipe = client.pipeline()
    for namespace, room in tracked:
        local = _local(namespace, room)
        if not local:
            with _lock:
                _tracked.discard((namespace, room))
            continue
        pipe.zadd(_key(room), {_member(sid): now for sid in local})
        pipe.expire(_key(room), _expire_seconds())
        written += len(local)
    pipe.execute()
    return written


def start_heartbeat(app) -> None:
    """In a server process with Redis: keep this process's members counted while they stay."""
    if not app.config.get("REDIS_URL"):
        return

    interval = float(app.config.get("PRESENCE_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS))
    # while Redis is down there is nothing to refresh; retrying at the same pace keeps members counted
    # as soon as it is back (a longer back-off would let them expire first)
    health = JobHealth("presence heartbeat", logger, interval=interval, max_interval=interval)

    def beat():
        wait = interval
        while True:
            socketio.sleep(wait)
            try:
                with app.app_context():
                    refresh()
                wait = health.succeeded()
            except (redis.RedisError, OSError) as err:
                wait = health.failed(err)

    socketio.start_background_task(beat)
