"""The figures themselves, counted in SQL from the history in conftest: exact values per community, street,
month and period; the local month (Asia/Shanghai) decides where a row is counted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.dashboards import present, scopes
from app.dashboards.period import Period
from app.dashboards.registry import ALL, community_unit, street_unit
from app.extensions import db
from app.moderation.models import Report

YEAR = Period(start=(2026, 1), end=(2026, 12), by="month")


@pytest.fixture(autouse=True)
def english(app):
    """The figures as an English page writes them (outside a request the site speaks Chinese)."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def figures_of(scope, period=YEAR):
    return {f.key: f for _s, data in scopes.figures(scope, period) for f in data.figures}


def show(figure, unit, bucket=None):
    return present.text(figure, figure.value(unit, bucket))


@pytest.fixture
def street(history):
    return figures_of(scopes.street_scope(history.users["street_staff"], history.community.street_id))


def test_deliberation(history, street):
    c = community_unit(history.community.id)
    assert show(street["consultations_opened"], c, "2026-03") == "2"
    assert show(street["consultations_opened"], ALL) == "2"  # 远方 is another street's
    assert show(street["consultations_concluded"], c) == "1"
    assert show(street["consultations_decided"], c) == "1"
    assert show(street["days_to_conclude"], c) == "10.0 days"
    assert show(street["days_to_conclude"], community_unit(history.other.id)) == "—"


def test_ideas(history, street):
    c, o = community_unit(history.community.id), community_unit(history.other.id)
    assert show(street["ideas_submitted"], c, "2026-03") == "3"
    assert show(street["ideas_submitted"], o, "2026-04") == "1"
    assert show(street["ideas_submitted"], ALL) == "4"
    assert show(street["ideas_adopted"], c) == "2"
    assert show(street["ideas_declined"], c) == "1"
    assert show(street["ideas_implemented"], c, "2026-05") == "1"
    # decided after 2, 4 and 30 days: the median is 4; in March alone the same
    assert show(street["days_to_decision"], c) == "4.0 days"
    assert show(street["days_to_decision"], ALL, "2026-03") == "4.0 days"


def test_money(history, street):
    c = community_unit(history.community.id)
    assert show(street["fund_budget"], c) == "¥1,000.00"
    assert street["fund_budget"].value(c, "2026-01") is None  # a yearly budget has no month
    assert show(street["fund_allocated"], c, "2026-04") == "¥300.00"
    assert show(street["fund_spent"], ALL) == "¥120.00"
    # three households on 翠竹园's roster, four in the street
    assert show(street["fund_spent_per_household"], c) == "¥40.00"
    assert show(street["fund_spent_per_household"], ALL) == "¥30.00"


def test_participation(history, street):
    c = community_unit(history.community.id)
    # two attendees of one household (1栋1-101) out of three households
    assert show(street["household_share"], c, "2026-03") == "33.3%"
    assert show(street["household_share"], c) == "33.3%"
    assert show(street["household_share"], ALL) == "25.0%"
    assert show(street["decision_votes"], c, "2026-06") == "2"
    assert show(street["decision_turnout"], c) == "50.0%"
    assert show(street["contest_votes"], c) == "0"


def test_moderation(history, street):
    c = community_unit(history.community.id)
    assert show(street["reports"], c, "2026-03") == "2"
    assert show(street["hides"], c) == "1"  # the warning is not a hide
    assert show(street["mutes"], c) == "1"


def test_a_row_counts_in_its_local_month(history):
    """22:00 UTC on 31 March is 06:00 on 1 April in Shanghai: counted in April, and out of a March-only period."""
    late = datetime(2026, 3, 31, 22, tzinfo=UTC)
    db.session.add(
        Report(
            community_id=history.community.id,
            target_type="idea",
            target_id=1,
            reporter_id=history.users["leader_a"].id,
            reason="x",
            created_at=late,
        )
    )
    db.session.commit()
    scope = scopes.community_scope(history.users["staff"], "cuizhuyuan")
    c = community_unit(history.community.id)
    found = figures_of(scope)["reports"]
    assert show(found, c, "2026-03") == "2" and show(found, c, "2026-04") == "1"
    march = figures_of(scope, Period(start=(2026, 3), end=(2026, 3)))["reports"]
    assert show(march, c) == "2"


def test_the_district_rolls_communities_up_into_streets(history):
    district = figures_of(scopes.district_scope(history.users["district_staff"], history.community.street.district_id))
    opened = district["consultations_opened"]
    assert show(opened, street_unit(history.community.street_id)) == "2"
    assert show(opened, street_unit(history.far.street_id)) == "1"
    assert show(opened, ALL) == "3"
    median = district["days_to_decision"]
    assert show(median, street_unit(history.community.street_id)) == "4.0 days"
    assert show(median, street_unit(history.far.street_id)) == "—"


def test_by_year(history):
    scope = scopes.street_scope(history.users["street_staff"], history.community.street_id)
    found = figures_of(scope, Period(start=(2025, 1), end=(2026, 12), by="year"))
    c = community_unit(history.community.id)
    assert show(found["ideas_submitted"], c, "2026") == "3"
    assert show(found["ideas_submitted"], c, "2025") == "0"
    assert show(found["fund_budget"], c, "2026") == "¥1,000.00"
