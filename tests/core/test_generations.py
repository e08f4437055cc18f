"""Generation counters (core.generations): read once per context, bumped after a commit, shared through Redis,
read together when many ask at once, and never trusted when Redis cannot answer."""

from __future__ import annotations

import os
import uuid

import pytest
from flask import Flask

from app.core import generations


@pytest.fixture
def context():
    app = Flask(__name__)
    app.config.update(REDIS_URL=None, ONE_PROCESS=True, REDIS_PREFIX=f"generations-{uuid.uuid4().hex}")
    with app.app_context():
        yield app


def test_without_redis_the_counters_live_in_this_process(context):
    name = f"rights:{uuid.uuid4().int % 10**6}"
    (before,) = generations.read(name)
    generations.bump(name)
    # read once per context: a bump in the same context is seen (the memo forgets what it bumps)
    assert generations.read(name) == (before + 1,)


def test_without_redis_a_server_of_several_processes_trusts_no_counter(context):
    """This process's own counters know nothing of another process's changes: only the server's one process
    (ONE_PROCESS: `make run`, the tests) may keep what they guard."""
    context.config["ONE_PROCESS"] = False
    name = f"rights:{uuid.uuid4().int % 10**6}"
    generations.bump(name)
    assert generations.read(name) is None
    context.config["ONE_PROCESS"] = True
    assert generations.read(name) is not None


def test_a_context_reads_a_counter_once_unless_asked_afresh(context):
    name = f"room:{uuid.uuid4().int % 10**6}"
    assert generations.read(name) == (0,)
    with generations._lock:
        generations._local[name] = 5  # as another thread's bump would, without telling this context
    assert generations.read(name) == (0,)
    assert generations.read(name, fresh=True) == (5,)


@pytest.mark.redis
def test_counters_are_shared_through_redis_and_read_together(context):
    context.config["REDIS_URL"] = os.environ.get("TEST_REDIS_URL")
    a, b, c = (f"room:{uuid.uuid4().hex}" for _ in range(3))
    generations.bump(a)
    generations.bump(a, b)
    client = generations._redis()
    keys = [generations._key(n) for n in (a, b, c)]
    try:
        # what several readers asked at once is one MGET, each answered its own counters in its order
        assert generations._read_together(client, [(keys[0], keys[1]), (keys[2], keys[0])]) == [[2, 1], [0, 2]]
        assert generations.read(a, b, c, fresh=True) == (2, 1, 0)
    finally:
        client.delete(*keys)


def test_an_unreachable_redis_means_no_cache_is_trusted(context):
    context.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    assert generations.read("rights:1") is None
    generations.bump("rights:1")  # logged, not raised: the change itself is committed already
