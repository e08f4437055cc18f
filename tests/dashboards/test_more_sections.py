"""The needs, service-project and satisfaction sections: exact figures on a small world, the local month,
links down, and the pages as before for each role."""

from __future__ import annotations

import pytest

from app.dashboards import scopes
from app.dashboards.period import Period
from app.dashboards.registry import ALL, community_unit, street_unit
from app.extensions import db
from tests.dashboards.conftest import PERIOD
from tests.dashboards.more_history import more
from tests.dashboards.test_figures import figures_of, show


@pytest.fixture
def world_more(world):
    return more(world)


@pytest.fixture
def en(app):
    """The figures as an English page writes them (outside a request the site speaks Chinese)."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def street(world_more, en):
    return figures_of(scopes.street_scope(world_more.users["street_staff"], world_more.community.street_id))


def test_needs(world_more, street):
    c, o = community_unit(world_more.community.id), community_unit(world_more.other.id)
    assert show(street["needs_submitted"], c, "2026-03") == "2"
    assert show(street["needs_submitted"], c, "2026-04") == "1"  # 22:00 UTC on 31 March is April in Shanghai
    assert show(street["needs_submitted"], o) == "1"
    assert show(street["needs_submitted"], ALL) == "4"  # 远方 is another street's
    # 1-101 supports two needs: counted once
    assert show(street["needs_households"], c, "2026-03") == "2"
    assert show(street["needs_households"], c) == "2"
    assert show(street["needs_households"], ALL) == "3"
    assert show(street["needs_listed"], c, "2026-03") == "1"  # two events, one need
    assert show(street["needs_declined"], c, "2026-04") == "1"
    assert show(street["guidance_published"], c) == "1"  # not the draft, not the street-wide item
    assert show(street["guidance_published"], ALL) == "1"


def test_service_projects(world_more, street):
    c, o = community_unit(world_more.community.id), community_unit(world_more.other.id)
    assert show(street["service_calls"], c, "2026-03") == "1"
    assert show(street["service_calls"], o, "2026-04") == "1"
    assert show(street["service_calls"], ALL) == "2"
    assert show(street["service_contracted"], c, "2026-03") == "¥900.00"
    assert show(street["service_paid"], c, "2026-04") == "¥300.00"
    assert show(street["service_paid"], c, "2026-05") == "¥0.00"
    # three households on 翠竹园's roster, four in the street
    assert show(street["service_paid_per_household"], c) == "¥100.00"
    assert show(street["service_paid_per_household"], ALL) == "¥75.00"
    assert show(street["milestones_evaluated"], c, "2026-04") == "1"
    assert show(street["milestones_evaluated"], c) == "2"
    assert show(street["milestones_paid"], c) == "1"


def test_satisfaction(world_more, street):
    c, o = community_unit(world_more.community.id), community_unit(world_more.other.id)
    assert show(street["campaigns_closed"], c, "2026-06") == "1"
    assert show(street["campaigns_closed"], ALL) == "1"  # the open one and 远方's are not counted
    # the organisation's 2 and the project's 1 of 3 households each; the worker's survey is left out
    assert show(street["satisfaction_responses"], c) == "3"
    assert show(street["satisfaction_rate"], c, "2026-06") == "50.0%"
    assert street["satisfaction_rate"].value(c, None).num == 3 and street["satisfaction_rate"].value(c, None).den == 6
    # (5−1 + 3−1 + 4−1) / (3 × 4) = 3/4; the project: (3−1) / 2 = 1
    organisation = street["score_organisation"].value(c, None)
    assert organisation.num * 4 == organisation.den * 3
    assert show(street["score_organisation"], ALL) == "75.0%"
    assert show(street["score_project"], c, "2026-06") == "100.0%"
    assert show(street["score_service_project"], c) == "—"
    assert show(street["score_organisation"], o) == "—"
    assert "score_worker" not in street


def test_the_district_rolls_the_new_figures_into_streets(world_more, en):
    w = world_more
    district = figures_of(scopes.district_scope(w.users["district_staff"], w.community.street.district_id))
    assert show(district["needs_submitted"], street_unit(w.far.street_id)) == "1"
    assert show(district["needs_submitted"], ALL) == "5"
    # 远方's organisation: 1 response, answer 1 of 1..5 -> 0; with 翠竹园's 9/12 over the district: 9/16
    assert show(district["score_organisation"], street_unit(w.far.street_id)) == "0.0%"
    assert show(district["score_organisation"], ALL) == "56.3%"


def test_a_march_only_period_leaves_april_out(world_more, en):
    scope = scopes.community_scope(world_more.users["staff"], "cuizhuyuan")
    march = figures_of(scope, Period(start=(2026, 3), end=(2026, 3)))
    c = community_unit(world_more.community.id)
    assert show(march["needs_submitted"], c) == "2"
    assert show(march["needs_declined"], c) == "0"
    assert show(march["service_paid"], c) == "¥0.00"
    assert show(march["campaigns_closed"], c) == "0"
    assert show(march["satisfaction_rate"], c) == "—"


def test_the_street_page_shows_the_new_sections_with_links_down(client, auth, world_more):
    auth.login(world_more.users["street_staff"])
    response = client.get(
        f"/dashboard/street/{world_more.community.street_id}?{PERIOD}", headers={"Accept-Language": "en"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for title in ("Needs submitted", "Contracts&#39; totals", "Satisfaction response rate"):
        assert title in html
    assert "/c/cuizhuyuan/needs?status=listed" in html
    assert "/c/cuizhuyuan/procurement" in html
    assert "/c/cuizhuyuan/satisfaction" in html
    assert "/c/cuizhuyuan/guidance" in html


def test_the_pages_are_refused_as_before(client, auth, world_more):
    w = world_more
    for key, url, status in (
        ("street_staff", f"/dashboard/street/{w.far.street_id}", 404),
        ("street_staff", "/dashboard/community/far", 404),
        ("resident", "/dashboard/community/cuizhuyuan", 404),
        ("leader_a", "/dashboard/community/cuizhuyuan", 404),
        ("other_staff", "/dashboard/community/cuizhuyuan", 404),
        ("staff", "/dashboard/community/cuizhuyuan", 200),
        ("district_staff", "/dashboard/community/far", 200),
    ):
        auth.login(w.users[key])
        assert client.get(f"{url}?{PERIOD}").status_code == status, (key, url)
        auth.logout()


def test_the_chinese_page_names_the_sections_in_chinese(client, auth, world_more):
    world_more.users["staff"].locale = "zh_CN"
    db.session.commit()
    auth.login(world_more.users["staff"])
    html = client.get(f"/dashboard/community/cuizhuyuan?{PERIOD}", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )
    for text in ("需求", "公益服务项目", "满意度", "提交的需求", "合同总额"):
        assert text in html
