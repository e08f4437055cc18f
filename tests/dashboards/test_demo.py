"""The demo gives the dashboards something to compare: 雨花街道 with three communities and a year of history."""

from __future__ import annotations

from sqlalchemy import select

from app.communities.models import Community, Street
from app.dashboards import scopes
from app.dashboards.period import default_period
from app.dashboards.registry import ALL, street_unit
from app.extensions import db
from tests.home import client_of, demo, demo_user


def test_the_demo_district_officer_compares_both_streets(app):
    demo(app)
    yuhua = db.session.scalar(select(Street).where(Street.name == "雨花街道"))
    names = set(db.session.scalars(select(Community.name).where(Community.street_id == yuhua.id)))
    assert names == {"南塘社区", "春江社区", "花神社区"}
    officer = demo_user("13800000012")
    scope = scopes.district_scope(officer, yuhua.district_id)
    found = {f.key: f for _s, data in scopes.figures(scope, default_period()) for f in data.figures}
    unit = street_unit(yuhua.id)
    counted = (
        "members_verified",
        "consultations_opened",
        "ideas_submitted",
        "needs_submitted",
        "needs_households",
        "fund_spent",
        "reports",
        "decision_votes",
    )
    for key in counted:
        value = found[key].value(unit, None)
        assert value is not None and value.num > 0, key
    # the service project and the closed campaign come from the procurement and surveys demos
    for key in ("service_contracted", "service_paid", "campaigns_closed", "satisfaction_rate", "score_organisation"):
        value = found[key].value(ALL, None)
        assert value is not None and value.num > 0, key
    http = client_of(app, officer, "zh-CN")
    landing = http.get("/dashboard")
    page = http.get(landing.headers["Location"]).get_data(as_text=True)
    assert "花神社区" in page and "梅山街道" in page and "协商议事" in page


def test_the_demo_street_officer_sees_only_their_street(app):
    demo(app)
    officer = client_of(app, demo_user("13800000011"))
    landing = officer.get("/dashboard").headers["Location"]
    page = officer.get(landing).get_data(as_text=True)
    assert "翠竹园社区" in page and "花神社区" not in page
    assert officer.get("/dashboard/community/huashen").status_code == 404
