"""On PostgreSQL: owners appoint the same proxy at the same moment (each tapping twice): the community's limit
holds exactly, each owner has at most one proxy in force, and the proxy's votes count once each."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from app.communities.models import Role
from app.decisions import services
from app.decisions.models import Decision, Proxy
from app.voting import services as voting
from app.voting.models import Ballot
from tests import factories
from tests.contests import viewer
from tests.services.conftest import pg_app, pg_db, pg_schema, pg_url  # noqa: F401  (fixtures)

pytestmark = pytest.mark.postgres
OWNERS = 8
LIMIT = 3


def test_the_proxy_limit_holds_under_concurrent_appointments(pg_app, pg_db):  # noqa: F811
    community = factories.community(slug="pgproxy")
    building = factories.building(community, "1栋")
    owners = []
    for n in range(OWNERS):
        user = factories.user(name=f"业主{n}")
        household = factories.household(building, "1", str(101 + n), area=9_000 + n, owners=[(f"业主{n}", user.phone)])
        household.owners[0].user_id = user.id
        factories.membership(user, community, Role.RESIDENT, Role.OWNER, household_=household)
        owners.append(user.id)
    proxy_user = factories.user(name="代理人")
    factories.membership(proxy_user, community, Role.RESIDENT)
    counter = factories.user()
    factories.membership(counter, community, Role.OWNERS_COMMITTEE)
    pg_db.session.commit()
    decision = services.create(viewer(counter, community),
        client_id="pgp", matter=5, title="维修电梯事项", body="使用维修资金维修1栋电梯。",
        starts_on=date(2027, 1, 1), ends_on=date(2027, 1, 9), publicity_days=5, proxy_limit=LIMIT,
    )  # fmt: skip
    services.open_voting(viewer(counter, decision), decision)
    pg_db.session.commit()
    decision_id, proxy_phone, proxy_id = decision.id, proxy_user.phone, proxy_user.id
    outcomes: list[str] = []
    lock = threading.Lock()

    def appoint(uid: int):
        with pg_app.app_context():
            from app.accounts.models import User
            from app.core.errors import DomainError
            from app.extensions import db

            try:
                decision = db.session.get(Decision, decision_id)
                user = db.session.get(User, uid)
                services.appoint(viewer(user, decision), decision, phone=proxy_phone, password=factories.PASSWORD)
                db.session.commit()
                result = "ok"
            except DomainError as err:
                db.session.rollback()
                result = err.code
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=appoint, args=(uid,)) for uid in owners for _tap in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pg_db.session.expire_all()
    in_force = pg_db.session.scalars(select(Proxy).where(Proxy.revoked_at.is_(None))).all()
    assert len(in_force) == LIMIT
    assert len({p.roll_entry_id for p in in_force}) == LIMIT
    assert set(outcomes) <= {"ok", "proxy_limit"} and outcomes.count("proxy_limit") >= 2 * (OWNERS - LIMIT)

    # the proxy votes for the owners they hold, each vote twice at once: one ballot each
    errors: list[str] = []

    def vote(entry_id: int):
        with pg_app.app_context():
            from app.accounts.models import User
            from app.extensions import db

            try:
                decision = db.session.get(Decision, decision_id)
                services.vote_as_proxy(viewer(db.session.get(User, proxy_id), decision), decision, entry_id, "agree")
                db.session.commit()
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=vote, args=(p.roll_entry_id,)) for p in in_force for _tap in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    pg_db.session.expire_all()
    assert pg_db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.by_proxy.is_(True))) == LIMIT
    decision = pg_db.session.get(Decision, decision_id)
    services.close_voting(viewer(counter, decision), decision)
    pg_db.session.commit()
    assert voting.verify(services.poll_of(decision)).ok and services.outcome(decision).proxy == LIMIT
