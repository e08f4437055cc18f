"""Ballots on PostgreSQL under concurrency: many voters at once, each submitting more than once (a retry,
and a second tap with a different choice), give an exact count and an unbroken chain."""

from __future__ import annotations

import random
import threading

import pytest
from sqlalchemy import func, select

from app.voting import services as voting
from app.voting.models import Ballot, Participation
from tests import factories

pytestmark = pytest.mark.postgres

VOTERS = 60
SUBMISSIONS_EACH = 3
THREADS = 12


@pytest.mark.parametrize("secret", [False, True])
def test_concurrent_submissions_with_duplicates_count_exactly(pg_app, pg_db, secret):
    community = factories.community(slug="pgvote", name="计票社区")
    pg_db.session.commit()
    poll = voting.open_poll(community_id=community.id, poll_type="contest", subject_id=1, secret=secret)
    pg_db.session.commit()
    poll_id = poll.id
    rng = random.Random(278)
    intended = {voter: rng.choice(["1", "2", "1,2", "3"]) for voter in range(1, VOTERS + 1)}
    # every voter submits their choice three times; a third of them also tap a different choice once
    jobs = [(voter, choice) for voter, choice in intended.items() for _ in range(SUBMISSIONS_EACH)]
    jobs += [(voter, "9") for voter in list(intended)[::3]]
    rng.shuffle(jobs)
    receipts: dict[int, set[str]] = {voter: set() for voter in intended}
    refused: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()

    def worker(batch):
        with pg_app.app_context():
            from app.extensions import db
            from app.voting.models import Poll

            for voter, choice in batch:
                try:
                    ballot = voting.cast(
                        db.session.get(Poll, poll_id), voter_key=f"user:{voter}", choice=choice, building_id=voter % 4
                    )
                    receipt = ballot.receipt
                    db.session.commit()
                    with lock:
                        receipts[voter].add(receipt)
                except Exception as exc:
                    db.session.rollback()
                    if getattr(exc, "code", None) == "already_voted":
                        with lock:
                            refused.append(voter)
                    else:
                        errors.append(repr(exc))
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(jobs[i::THREADS],)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[:5]

    pg_db.session.expire_all()
    ballots = pg_db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.poll_id == 1))
    took_part = pg_db.session.scalar(select(func.count()).select_from(Participation).where(Participation.poll_id == 1))
    assert ballots == took_part == VOTERS
    assert all(len(r) == 1 for r in receipts.values())  # one receipt per voter, however often they sent
    poll = pg_db.session.get(type(poll), poll_id)
    assert poll.length == 0  # casting never waited on the chain
    voting.close_poll(poll)  # seals every ballot, in arrival order
    pg_db.session.commit()
    count = voting.count(poll)
    expected: dict[str, int] = {}
    stored_choices = dict(pg_db.session.execute(select(Ballot.receipt, Ballot.choice).where(Ballot.poll_id == 1)).all())
    for voter, choice in intended.items():
        # the first submission to arrive decides; a voter's "9" tap may have won the race, never both
        (receipt,) = receipts[voter] or {voting.receipt_for("contest", 1, f"user:{voter}")}
        final = stored_choices[receipt]
        assert final in (choice, "9")
        for option in final.split(","):
            expected[option] = expected.get(option, 0) + 1
    assert count.options == expected
    assert count.ballots == VOTERS
    assert voting.verify(poll).ok
    assert poll.length == VOTERS


def test_closing_while_ballots_arrive_leaves_none_outside_the_chain(pg_app, pg_db):
    """Closing takes the poll row: ballots being cast finish first and are sealed; later ones are refused."""
    import time

    community = factories.community(slug="pgclose", name="截止社区")
    pg_db.session.commit()
    poll = voting.open_poll(community_id=community.id, poll_type="contest", subject_id=2, secret=True)
    pg_db.session.commit()
    poll_id = poll.id
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(first: int):
        with pg_app.app_context():
            from app.extensions import db
            from app.voting.models import Poll

            for voter in range(first, first + 40):
                try:
                    voting.cast(db.session.get(Poll, poll_id), voter_key=f"user:{voter}", choice="1")
                    db.session.commit()
                    result = "stored"
                except Exception as exc:
                    db.session.rollback()
                    result = getattr(exc, "code", repr(exc))
                with lock:
                    outcomes.append(result)
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(1000 * n,)) for n in range(1, 7)]
    for thread in threads:
        thread.start()
    time.sleep(0.05)
    voting.close_poll(pg_db.session.get(type(poll), poll_id))
    pg_db.session.commit()
    for thread in threads:
        thread.join(timeout=120)
    assert set(outcomes) <= {"stored", "voting_closed"}, set(outcomes)
    pg_db.session.expire_all()
    poll = pg_db.session.get(type(poll), poll_id)
    stored = pg_db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.poll_id == 2))
    assert stored == outcomes.count("stored") == poll.closed_length
    assert voting.verify(poll).ok


def test_sealing_lets_ballots_in_but_closing_waits_for_it(pg_app, pg_db):
    """The poll row's lock modes: a seal in progress (FOR NO KEY UPDATE) does not hold up casting (FOR KEY
    SHARE), so a burst of votes never waits for the chain; closing (FOR UPDATE) does wait for the seal."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    community = factories.community(slug="pgseal", name="封链社区")
    pg_db.session.commit()
    poll = voting.open_poll(community_id=community.id, poll_type="contest", subject_id=3)
    pg_db.session.commit()
    poll_id = poll.id
    voting.cast(poll, voter_key="user:1", choice="1")
    pg_db.session.commit()
    sealing, release = threading.Event(), threading.Event()
    outcome: dict = {}

    def sealer():
        with pg_app.app_context():
            from app.extensions import db
            from app.voting.models import Poll

            outcome["sealed"] = voting.seal(db.session.get(Poll, poll_id))
            sealing.set()
            release.wait(20)  # the seal's transaction stays open, holding the row
            db.session.commit()
            db.session.remove()

    def in_own_session(action):
        with pg_app.app_context():
            from app.extensions import db
            from app.voting.models import Poll

            try:
                db.session.execute(text("SET LOCAL lock_timeout = '1500ms'"))
                action(db.session.get(Poll, poll_id))
                db.session.commit()
                return "done"
            except OperationalError as err:
                db.session.rollback()
                return "lock timeout" if "lock timeout" in str(err) else repr(err)
            finally:
                db.session.remove()

    thread = threading.Thread(target=sealer)
    thread.start()
    try:
        assert sealing.wait(20) and outcome["sealed"] == 1
        cast = in_own_session(lambda p: voting.cast(p, voter_key="user:2", choice="2"))
        close = in_own_session(voting.close_poll)
    finally:
        release.set()
        thread.join(30)
    assert (cast, close) == ("done", "lock timeout")
    pg_db.session.expire_all()
    poll = pg_db.session.get(type(poll), poll_id)
    assert poll.state.value == "open" and poll.length == 1  # the second ballot waits for the next seal
    voting.close_poll(poll)
    pg_db.session.commit()
    assert poll.closed_length == 2 and voting.verify(poll).ok
