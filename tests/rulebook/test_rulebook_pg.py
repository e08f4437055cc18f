"""The vote on the rules on PostgreSQL: residents voting at once (some tapping twice) count once each, and
several requests closing the vote at the same moment decide it once: one count, one version."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest

from app.communities import access
from app.communities.models import Role
from app.core.models import utcnow
from app.procedure import versions
from app.procedure.models import RuleVersion
from app.procedure.shipped import ensure_shipped
from app.rulebook import services
from app.rulebook.models import DraftState, RuleDraft
from app.voting import services as voting
from app.voting.models import Ballot
from tests import factories
from tests.services.conftest import pg_app, pg_db, pg_schema, pg_url  # noqa: F401  (fixtures)

pytestmark = pytest.mark.postgres

VOTERS = 16
DAY = timedelta(days=1)


def _voting_draft(database):
    community = factories.community(slug=f"pg{uuid.uuid4().hex[:6]}", name="测试社区")
    building = factories.building(community, "1栋")
    staff = factories.user(name="staff")
    factories.membership(staff, community, Role.COMMUNITY_STAFF)
    voters = []
    for i in range(VOTERS):
        user = factories.user(name=f"v{i}")
        home = factories.household(building, "1", f"{100 + i}")
        factories.membership(user, community, Role.RESIDENT, household_=home)
        voters.append(user)
    database.session.commit()
    actor = access.viewer(staff, community)
    draft = services.create(actor, client_id="d", source_id=ensure_shipped()[1].id, name="测试规则")
    now = utcnow()
    services.open_comments(actor, draft, now + DAY, now=now)
    services.open_vote(actor, draft, now + 3 * DAY, now=now + DAY + timedelta(seconds=1))
    database.session.commit()
    return community, draft, voters, now + DAY + timedelta(seconds=1)


def _at_once(application, jobs) -> list[str]:
    """Run each job (a function of no arguments, in an app context) from its own thread at once; the errors."""
    from app.extensions import db

    errors: list[str] = []
    barrier = threading.Barrier(len(jobs))
    lock = threading.Lock()

    def run(job):
        with application.app_context():
            try:
                barrier.wait(timeout=30)
                job()
                db.session.commit()
            except Exception as exc:  # reported below
                with lock:
                    errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_votes_and_closes(pg_app, pg_db):  # noqa: F811
    from app.accounts.models import User

    community, draft, voters, now = _voting_draft(pg_db)
    draft_id, community_id = draft.id, community.id

    def ballot(user_id, choice):
        def job():
            d = pg_db.session.get(RuleDraft, draft_id)
            who = access.viewer(pg_db.session.get(User, user_id), access.community_by_id(community_id))
            services.vote(who, d, choice, now=now)

        return job

    jobs = [ballot(v.id, "yes" if i % 4 else "no") for i, v in enumerate(voters)]
    jobs += [ballot(v.id, "yes" if i % 4 else "no") for i, v in enumerate(voters[:6])]  # a second tap
    assert _at_once(pg_app, jobs) == []
    assert pg_db.session.query(Ballot).filter_by(poll_type="rules").count() == VOTERS

    closes_at = pg_db.session.get(RuleDraft, draft_id).vote_closes_at
    closers = [lambda: services.sync(pg_db.session.get(RuleDraft, draft_id), closes_at) for _ in range(4)]
    assert _at_once(pg_app, closers) == []
    pg_db.session.expire_all()
    draft = pg_db.session.get(RuleDraft, draft_id)
    assert draft.state == DraftState.ADOPTED
    assert (draft.votes_for, draft.votes_against, draft.eligible) == (12, 4, VOTERS)
    assert pg_db.session.query(RuleVersion).filter_by(community_id=community_id).count() == 1
    assert versions.current(community_id).rule_set_id == draft.rule_set_id
    assert voting.verify(services.poll_of(draft)).ok
