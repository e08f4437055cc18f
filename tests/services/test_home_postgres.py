"""The community's home on PostgreSQL with the demo: what needs each role, the activity feed, the landing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.decisions.models import Decision, DecisionState
from tests.home import activity_links, client_of, demo, demo_user, needs

pytestmark = pytest.mark.postgres


def test_the_home_on_postgres(pg_app, pg_db):
    demo(pg_app)
    decision = pg_db.session.scalar(select(Decision).where(Decision.state == DecisionState.VOTING))

    def links(phone):
        response = client_of(pg_app, demo_user(phone)).get("/c/cuizhuyuan/")
        assert response.status_code == 200
        return [link for *_, link in needs(response)], activity_links(response)

    owner, feed = links("13800000002")
    assert f"/decisions/{decision.id}" in owner and len(feed) == 10
    staff, _feed = links("13800000008")
    assert {"/c/cuizhuyuan/verifications", f"/decisions/{decision.id}/paper"} <= set(staff)
    resident, _feed = links("13800000001")
    assert f"/decisions/{decision.id}" not in resident and "/c/cuizhuyuan/verifications" not in resident
    assert client_of(pg_app, demo_user("13800000001")).get("/home").headers["Location"] == "/c/cuizhuyuan/"
    assert client_of(pg_app, demo_user("13800000012")).get("/home").headers["Location"] == "/overview"
