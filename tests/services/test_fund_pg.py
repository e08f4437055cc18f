"""Concurrent approvals on PostgreSQL that together would overspend the fund: only those that fit succeed."""

from __future__ import annotations

import threading

import pytest

from app.core.errors import DomainError
from app.microprojects import ledger
from app.microprojects.models import Fund, MicroProject
from tests import factories

pytestmark = pytest.mark.postgres


def test_concurrent_allocations_never_overspend(pg_app, pg_db):
    community = factories.community(slug="pgfund")
    applicant = factories.user()
    fund = Fund(community_id=community.id, year=2027, total_fen=10_000_00)  # ¥10,000
    pg_db.session.add(fund)
    pg_db.session.flush()
    projects = []
    for n in range(10):
        project = MicroProject(community_id=community.id, fund_id=fund.id, applicant_id=applicant.id, title=f"项目{n}")
        pg_db.session.add(project)
        projects.append(project)
    pg_db.session.commit()
    fund_id, project_ids = fund.id, [p.id for p in projects]
    start = threading.Barrier(len(project_ids))
    outcomes = []

    def approve(project_id):
        with pg_app.app_context():
            from app.extensions import db

            try:
                start.wait()
                ledger.allocate(
                    db.session.get(Fund, fund_id), db.session.get(MicroProject, project_id), 3_000_00, actor_id=None
                )
                db.session.commit()
                outcomes.append("ok")
            except DomainError as err:
                db.session.rollback()
                outcomes.append(err.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(pid,)) for pid in project_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] * 3 + ["over_fund"] * 7
    pg_db.session.expire_all()
    state = ledger.balance(pg_db.session.get(Fund, fund_id))
    assert state.allocated == 9_000_00 <= state.total
