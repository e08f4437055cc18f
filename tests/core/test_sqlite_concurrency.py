"""SQLite under concurrent writes: WAL, a busy timeout, and savepoints that take the write lock at BEGIN.

Twenty-five identical ballots posted at once (a phone retrying, a double tap, a flaky network) against a
file database, each in a thread of its own with its own connection, as the development server serves them:
every one is answered, none with a 500 ("database is locked"), and the ballot is stored once.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from app.contests.models import Phase
from app.extensions import db
from app.voting.models import Ballot, Participation
from tests.conftest import running_app
from tests.contests import contest_in, count, logged_in

VOTERS = 25


@pytest.fixture
def app(tmp_path):
    """The application on a file SQLite database (the conftest's is in memory, one connection)."""
    with running_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'yishi.sqlite3'}") as application:
        yield application


def test_every_connection_waits_for_the_lock_in_wal_mode(app):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15_000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_simultaneous_identical_votes_are_all_answered_and_stored_once(app, world):
    contest, entries = contest_in(world, Phase.VOTING, entries=2)
    db.session.commit()
    resident = world.users["resident"]
    clients = [logged_in(app, resident) for _ in range(VOTERS)]
    start = threading.Barrier(VOTERS)
    statuses: list[int] = []
    failures: list[BaseException] = []

    def vote(http):
        try:
            with app.app_context():  # this thread's own session, hence its own connection
                start.wait(timeout=30)
                ballot = {"entry": [str(entries[0].id)], "confirmed": "1"}  # past the review step
                response = http.post(f"/contests/{contest.id}/vote", data=ballot)
                statuses.append(response.status_code)
        except BaseException as err:  # reported below
            failures.append(err)

    threads = [threading.Thread(target=vote, args=(http,)) for http in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    print(f"\n{VOTERS} simultaneous identical votes: statuses {sorted(statuses)}")
    assert len(statuses) == VOTERS
    assert all(status == 200 for status in statuses), sorted(statuses)
    db.session.expire_all()
    assert count(Ballot, poll_type="contest", poll_id=contest.id) == 1
    assert count(Participation, poll_type="contest", poll_id=contest.id) == 1
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
