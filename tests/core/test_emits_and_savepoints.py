"""Emits queued in a transaction leave only if it commits, whatever savepoints it took: a savepoint released
is no commit, and a savepoint rolled back (an IntegrityError caught for a retry) drops only its own emits."""

from __future__ import annotations

import pytest

from app.core.realtime import emit_after_commit
from app.extensions import db, socketio


@pytest.fixture
def sent(app, monkeypatch):
    names = []
    monkeypatch.setattr(socketio, "emit", lambda name, *args, **kwargs: names.append(name))
    return names


def _queue(name: str) -> None:
    emit_after_commit(name, {}, namespace="/notifications", to="user:1")


def test_a_released_savepoint_sends_nothing_if_the_transaction_rolls_back(sent):
    _queue("before")
    with db.session.begin_nested():
        _queue("inside")
    assert sent == []
    db.session.rollback()
    assert sent == []


def test_a_rolled_back_savepoint_keeps_what_was_queued_before_it(sent):
    _queue("before")
    with pytest.raises(ValueError), db.session.begin_nested():
        _queue("inside")
        raise ValueError
    _queue("after")
    db.session.commit()
    assert sent == ["before", "after"]


def test_released_savepoints_send_with_the_commit(sent):
    _queue("before")
    with db.session.begin_nested():
        _queue("inside")
        with db.session.begin_nested():
            _queue("deeper")
    assert sent == []
    db.session.commit()
    assert sent == ["before", "inside", "deeper"]
