"""Presence counted across processes through Redis, and this process's own count without it."""

from __future__ import annotations

import os
import uuid

import pytest
from flask import Flask

from app.core import presence

ROOM = "consultation:7"


@pytest.fixture
def site(monkeypatch):
    """A bare app context naming a Redis and a channel of its own; `members` stands for each process's sockets."""
    app = Flask(__name__)
    app.config.update(REDIS_URL=os.environ.get("TEST_REDIS_URL"), REDIS_PREFIX=f"presence-{uuid.uuid4().hex}")
    members: dict[str, set[str]] = {}
    process = {"id": "A"}
    monkeypatch.setattr(presence, "_PROCESS_ID", "A")
    monkeypatch.setattr(presence, "_tracked", set())  # rooms other tests' sockets were counted in
    monkeypatch.setattr(presence, "_local", lambda namespace, room: set(members.get(process["id"], set())))

    def local_count(namespace, room, leaving=None):
        return len(members.get(process["id"], set()) - {leaving})

    monkeypatch.setattr(presence, "_local_count", local_count)

    def as_process(pid: str):
        process["id"] = pid
        monkeypatch.setattr(presence, "_PROCESS_ID", pid)

    with app.app_context():
        yield members, as_process
        app.config["REDIS_URL"] = os.environ.get("TEST_REDIS_URL")
        client = presence._redis()
        if client is not None:
            client.delete(presence._key(ROOM))


def test_without_redis_the_count_is_this_process_own(site, monkeypatch):
    members, _as_process = site
    from flask import current_app

    current_app.config["REDIS_URL"] = None
    members["A"] = {"s1", "s2"}
    assert presence.count("/consultations", ROOM) == 2
    assert presence.count("/consultations", ROOM, leaving="s2") == 1


@pytest.mark.redis
def test_members_of_every_process_are_counted_and_leaving_ones_are_not(site):
    members, as_process = site
    members["A"] = {"a1", "a2"}
    presence.join("/consultations", ROOM, "a1")
    assert presence.join("/consultations", ROOM, "a2") == 2
    as_process("B")
    members["B"] = {"b1"}
    assert presence.join("/consultations", ROOM, "b1") == 3
    assert presence.join("/consultations", ROOM, "b1") == 3  # a join again (a retry) counts once
    members["B"] = set()
    assert presence.count("/consultations", ROOM, leaving="b1") == 2
    as_process("A")
    assert presence.count("/consultations", ROOM, leaving="a2") == 1


@pytest.mark.redis
def test_a_dead_process_drops_out_after_the_ttl_and_the_heartbeat_keeps_the_living(site, monkeypatch):
    members, as_process = site
    members["A"] = {"a1"}
    presence.join("/consultations", ROOM, "a1")
    as_process("B")
    members["B"] = {"b1"}
    assert presence.join("/consultations", ROOM, "b1") == 2
    # time passes beyond the TTL: B's heartbeat re-stamps b1, A (dead) does not
    clock = {"now": presence.time.time() + presence.PRESENCE_TTL + 5}
    monkeypatch.setattr(presence.time, "time", lambda: clock["now"])
    assert presence.refresh() == 1
    assert presence.count("/consultations", ROOM) == 1


@pytest.mark.redis
def test_redis_going_away_falls_back_to_this_process(site, monkeypatch):
    members, _as_process = site
    members["A"] = {"a1", "a2"}
    from flask import current_app

    current_app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    assert presence.count("/consultations", ROOM) == 2


@pytest.mark.redis
def test_joins_arriving_together_are_one_round_trip_and_each_hears_its_room(site):
    """A batch of joins (core.batching gathers those that arrive while one is written) is one pipeline."""
    other = "consultation:8"
    client = presence._redis()
    sent: list[int] = []
    real = client.pipeline

    def counted(*args, **kwargs):
        pipe = real(*args, **kwargs)
        execute = pipe.execute
        pipe.execute = lambda: sent.append(len(pipe.command_stack)) or execute()
        return pipe

    client.pipeline = counted
    try:
        joins = [(ROOM, "a1", ()), (other, "a2", ("k1",)), (ROOM, "a3", ()), (ROOM, "a1", ("k1", "k2"))]
        client.set("k1", 7)
        answers = presence._write_joins(client, joins)
    finally:
        del client.pipeline
        client.delete(presence._key(other), "k1")
    assert answers == [(2, []), (1, [b"7"]), (2, []), (2, [b"7", None])]
    assert sent == [4 * 2 + 1]  # one round trip: four commands per room (the stamps in one), the counters


@pytest.mark.redis
def test_a_connection_that_leaves_is_counted_no_more(site):
    members, _as_process = site
    members["A"] = set()
    presence.join("/consultations", ROOM, "a1")
    assert presence.join("/consultations", ROOM, "a2") == 2
    presence.leave(ROOM, "a1")
    assert presence.count("/consultations", ROOM) == 1
