"""On PostgreSQL: many owners vote at once, each several times (duplicates included), while two counters
enter paper ballots; the count is exact, every retry got the same receipt, and the chain verifies."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from app.communities.models import Role
from app.decisions import services
from app.decisions.models import Decision
from app.voting import services as voting
from app.voting.models import Ballot
from tests import factories
from tests.contests import viewer
from tests.services.conftest import pg_app, pg_db, pg_schema, pg_url  # noqa: F401  (fixtures)

pytestmark = pytest.mark.postgres
OWNERS = 24
REPEATS = 3


def test_concurrent_online_votes_count_exactly(pg_app, pg_db):  # noqa: F811
    community = factories.community(slug="pgdecide")
    building = factories.building(community, "1栋")
    users = []
    for n in range(OWNERS):
        user = factories.user(name=f"业主{n}")
        household = factories.household(building, "1", str(101 + n), area=8_000 + n, owners=[(f"业主{n}", user.phone)])
        household.owners[0].user_id = user.id
        factories.membership(user, community, Role.RESIDENT, Role.OWNER, household_=household)
        users.append(user.id)
    counter, scrutineer = factories.user(), factories.user()
    factories.membership(counter, community, Role.OWNERS_COMMITTEE)
    factories.membership(scrutineer, community, Role.COMMUNITY_STAFF)
    pg_db.session.commit()
    decision = services.create(viewer(counter, community),
        client_id="pg", matter=6, title="筹集维修资金", body="按每平方米2元筹集维修资金。",
        starts_on=date(2027, 1, 1), ends_on=date(2027, 1, 9), publicity_days=5,
    )  # fmt: skip
    services.open_voting(viewer(counter, decision), decision)
    pg_db.session.commit()
    decision_id, counter_id, scrutineer_id = decision.id, counter.id, scrutineer.id
    choices = ["agree", "agree", "agree", "oppose", "abstain", "agree"]
    receipts: dict[int, set[str]] = {uid: set() for uid in users}
    errors: list[str] = []

    def vote(uid: int, choice: str):
        with pg_app.app_context():
            from app.accounts.models import User
            from app.extensions import db

            try:
                ballot = services.vote(
                    viewer(db.session.get(User, uid), db.session.get(Decision, decision_id)),
                    db.session.get(Decision, decision_id),
                    choice,
                )
                db.session.commit()  # as the view does
                receipts[uid].add(ballot.receipt)
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    # the last two owners vote on paper instead: both counters enter their ballots at the same time
    paper_owners = users[-2:]
    online = users[:-2]

    def enter(counter_uid: int, uid: int):
        with pg_app.app_context():
            from app.accounts.models import User
            from app.extensions import db

            try:
                decision = db.session.get(Decision, decision_id)
                entry = services.voter_entry(db.session.get(User, uid), decision)
                services.enter_paper(viewer(db.session.get(User, counter_uid), decision), decision,
                    roll_entry_id=entry.id, choice="agree", client_id=f"{counter_uid}-{uid}",
                )  # fmt: skip
                db.session.commit()  # as the view does
            except Exception as exc:  # pragma: no cover
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=vote, args=(uid, choices[i % len(choices)]))
        for i, uid in enumerate(online)
        for _ in range(REPEATS)
    ]
    threads += [
        threading.Thread(target=enter, args=(c, uid)) for uid in paper_owners for c in (counter_id, scrutineer_id)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert all(len(receipts[uid]) == 1 for uid in online)
    pg_db.session.expire_all()
    decision = pg_db.session.get(Decision, decision_id)
    ballots = pg_db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.poll_id == decision_id))
    assert ballots == OWNERS
    assert services.unsettled_paper(decision) == 0
    services.close_voting(viewer(counter, decision), decision)
    outcome = services.outcome(decision)
    expected = dict.fromkeys(("agree", "oppose", "abstain"), 0)
    expected_area = dict(expected)
    for i in range(len(online)):
        expected[choices[i % len(choices)]] += 1
        expected_area[choices[i % len(choices)]] += 8_000 + i
    expected["agree"] += 2
    expected_area["agree"] += (8_000 + OWNERS - 2) + (8_000 + OWNERS - 1)
    assert outcome.heads == expected and outcome.area == expected_area
    assert outcome.voted_heads == OWNERS == decision.roll_heads
    assert voting.verify(services.poll_of(decision)).ok
