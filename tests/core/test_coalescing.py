"""Room-wide updates coalesced to a few a second, and emits sent only after the connection is back."""

from __future__ import annotations

import threading
import time

from app.core.realtime import Coalescer, call_after_commit, emit_after_commit
from app.extensions import db


def test_with_an_interval_many_requests_make_one_send_of_the_latest(app):
    app.config["REALTIME_COALESCE_SECONDS"] = 0.2
    sent: list[int] = []
    done = threading.Event()
    coalescer = Coalescer()

    def send(n):
        def _send():
            sent.append(n)
            done.set()

        return _send

    for n in range(50):
        coalescer.request(("presence", "room-1"), send(n))
    assert sent == []  # nothing yet: the first send waits for the interval
    assert done.wait(5)
    time.sleep(0.5)  # the flusher runs once more, finds nothing and stops
    assert sent == [49]
    coalescer.request(("presence", "room-1"), send(50))
    deadline = time.monotonic() + 5
    while sent == [49] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sent == [49, 50]  # a later change goes out too


def test_keys_are_kept_apart(app):
    app.config["REALTIME_COALESCE_SECONDS"] = 0.1
    sent: list[str] = []
    coalescer = Coalescer()
    for key in ("a", "b", "a"):
        coalescer.request(key, lambda key=key: sent.append(key))
    deadline = time.monotonic() + 5
    while len(sent) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    assert sorted(sent) == ["a", "b"]


def test_without_an_interval_it_sends_at_once(app):
    app.config["REALTIME_COALESCE_SECONDS"] = 0
    sent = []
    Coalescer().request("k", lambda: sent.append(1))
    assert sent == [1]


def test_after_commit_calls_run_once_the_transaction_has_ended(app, world):
    seen = []
    call_after_commit(lambda: seen.append(db.session().in_transaction()))
    world.users["resident"].name = "改了名字"
    assert seen == []
    db.session.commit()
    assert seen == [False]  # the transaction (and its pooled connection) is gone when the call runs


def test_a_rollback_drops_queued_emits_and_calls(app, socket_client, auth, world):
    seen = []
    call_after_commit(lambda: seen.append(1))
    emit_after_commit("notification", {"x": 1}, namespace="/notifications", to="user:0")
    db.session.rollback()
    db.session.commit()
    assert seen == []
