"""Contest ballots on PostgreSQL: many concurrent submissions, retries and changed minds included,
count exactly once per voter, and the chain verifies."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.communities.models import Role
from app.contests import services
from app.contests.models import BallotUnit, Contest, Phase
from app.core.errors import Conflict
from app.core.models import utcnow
from app.voting import services as voting
from app.voting.models import Ballot, Participation
from tests import factories
from tests.contests import viewer
from tests.services.conftest import pg_app, pg_db, pg_schema, pg_url  # noqa: F401  (fixtures)

pytestmark = pytest.mark.postgres

VOTERS = 24
DAY = timedelta(days=1)


def _contest(database, unit: BallotUnit):
    community = factories.community(slug=f"pg{uuid.uuid4().hex[:6]}", name="测试社区")
    buildings = [factories.building(community, f"{n}栋") for n in (1, 2, 3)]
    staff = factories.user(name="staff")
    factories.membership(staff, community, Role.COMMUNITY_STAFF)
    expert = factories.user(name="expert")
    factories.membership(expert, community, Role.EXPERT)
    voters = []
    households = [factories.household(buildings[i % 3], "1", f"{100 + i}") for i in range(VOTERS // 2)]
    for i in range(VOTERS):
        user = factories.user(name=f"v{i}")
        # two residents per household: in a per-household contest they share one ballot
        factories.membership(user, community, Role.RESIDENT, household_=households[i // 2])
        voters.append(user)
    database.session.commit()
    now = utcnow()
    contest = services.create(
        viewer(staff, community),
        client_id="c",
        title="2027年幸福提案大赛",
        max_choices=2,
        winner_count=2,
        ballot_unit=unit.value,
        fund_year=now.year,
        submission_ends=now + DAY,
        screening_ends=now + 2 * DAY,
        voting_ends=now + 3 * DAY,
        announced_ends=now + 4 * DAY,
    )
    entries = [
        services.submit_entry(
            viewer(voters[i], contest),
            contest,
            client_id=f"e{i}",
            title=f"提案{i}",
            summary="一个完整的社区提案说明。",
            budget_fen=1000,
        )
        for i in range(3)
    ]
    services.advance(viewer(staff, contest), contest, Phase.SCREENING)
    for entry in entries:
        services.screen(viewer(expert, entry), entry, eligible=True, reason="符合要求")
    services.advance(viewer(staff, contest), contest, Phase.VOTING)
    database.session.commit()
    return contest, entries, voters


def _storm(application, contest_id: int, jobs):
    """Run (voter id, entry ids) submissions at once from many threads; returns receipts and errors."""
    from app.accounts.models import User
    from app.extensions import db

    receipts: dict[int, set[str]] = {}
    conflicts: list[int] = []
    errors: list[str] = []
    barrier = threading.Barrier(len(jobs))
    lock = threading.Lock()

    def cast(voter_id, picks):
        with application.app_context():
            try:
                barrier.wait(timeout=30)
                ballot = services.vote(
                    viewer(db.session.get(User, voter_id), db.session.get(Contest, contest_id)),
                    db.session.get(Contest, contest_id),
                    picks,
                )
                db.session.commit()  # as the socket handler does
                with lock:
                    receipts.setdefault(voter_id, set()).add(ballot.receipt)
            except Conflict as err:
                with lock:
                    (conflicts if err.code == "already_voted" else errors).append(voter_id)
            except Exception as exc:  # reported below
                with lock:
                    errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=cast, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return receipts, conflicts, errors


def test_concurrent_ballots_count_exactly(pg_app, pg_db):  # noqa: F811
    contest, entries, voters = _contest(pg_db, BallotUnit.RESIDENT)
    a, b, c = (e.id for e in entries)
    chosen = {v.id: ([a, b] if i % 3 == 0 else [b] if i % 3 == 1 else [c, a]) for i, v in enumerate(voters)}
    jobs = []
    for voter in voters:
        picks = chosen[voter.id]
        jobs += [(voter.id, picks), (voter.id, list(reversed(picks)))]  # a retry, in another order
    # a few change their minds at the same moment: one of the two ballots wins, the other is refused
    for voter in voters[:6]:
        jobs.append((voter.id, [e for e in (a, b, c) if e not in chosen[voter.id]][:1]))
    receipts, conflicts, errors = _storm(pg_app, contest.id, jobs)
    assert not errors, errors
    assert set(receipts) == {v.id for v in voters}
    assert all(len(codes) == 1 for codes in receipts.values())  # a retry gets the same receipt
    pg_db.session.expire_all()
    ballots = list(
        pg_db.session.scalars(select(Ballot).where(Ballot.poll_type == "contest", Ballot.poll_id == contest.id))
    )
    assert len(ballots) == VOTERS
    voting.seal(voting.find_poll("contest", contest.id))  # as the server's sealer does every second
    pg_db.session.commit()
    assert sorted(b.seq for b in ballots) == list(range(1, VOTERS + 1))
    # each voter's ballot is the one their receipt names: the first choice for those who never changed
    # their mind; for the others whichever submission won, its rival refused (once or twice)
    expected = Counter()
    for index, voter in enumerate(voters):
        (code,) = receipts[voter.id]
        stored = voting.ballot_by_receipt(code).choice
        original = ",".join(str(e) for e in sorted(chosen[voter.id]))
        if index >= 6:
            assert stored == original
            assert voter.id not in conflicts
        else:
            other = str(next(e for e in (a, b, c) if e not in chosen[voter.id]))
            assert stored in (original, other)
            assert conflicts.count(voter.id) == (1 if stored == original else 2)
        expected.update(stored.split(","))
    poll = services.poll_of(pg_db.session.get(Contest, contest.id))
    assert voting.count(poll).options == dict(expected)
    assert voting.verify(poll).ok
    assert voting.turnout(poll).voted == VOTERS
    assert (
        pg_db.session.scalar(select(func.count()).select_from(Participation).where(Participation.poll_id == contest.id))
        == VOTERS
    )


def test_exact_count_when_every_voter_sticks_to_one_choice(pg_app, pg_db):  # noqa: F811
    contest, entries, voters = _contest(pg_db, BallotUnit.RESIDENT)
    a, b, c = (e.id for e in entries)
    chosen = {v.id: ([a, b] if i % 3 == 0 else [b] if i % 3 == 1 else [a, c]) for i, v in enumerate(voters)}
    jobs = [(v.id, chosen[v.id]) for v in voters for _ in range(3)]
    _receipts, conflicts, errors = _storm(pg_app, contest.id, jobs)
    assert not errors and not conflicts, (errors, conflicts)
    pg_db.session.expire_all()
    poll = services.poll_of(pg_db.session.get(Contest, contest.id))
    counted = voting.count(poll)
    assert counted.ballots == VOTERS
    assert counted.options == {str(a): 16, str(b): 16, str(c): 8}


def test_one_ballot_per_household_under_concurrency(pg_app, pg_db):  # noqa: F811
    contest, entries, voters = _contest(pg_db, BallotUnit.HOUSEHOLD)
    a = entries[0].id
    # both residents of every household vote the same at once, twice each
    jobs = [(v.id, [a]) for v in voters for _ in range(2)]
    receipts, conflicts, errors = _storm(pg_app, contest.id, jobs)
    assert not errors and not conflicts, (errors, conflicts)
    pg_db.session.expire_all()
    poll = services.poll_of(pg_db.session.get(Contest, contest.id))
    assert voting.count(poll).options == {str(a): VOTERS // 2}
    # two residents of one household hold the same receipt
    assert len({code for codes in receipts.values() for code in codes}) == VOTERS // 2
    assert voting.verify(poll).ok
