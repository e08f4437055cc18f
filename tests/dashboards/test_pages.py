"""The dashboards' pages: who sees which (allowed and denied, per role), the figures, the period picker."""

from __future__ import annotations

import pytest

from tests.dashboards.conftest import PERIOD


def _get(client, auth, world, key, url):
    if key is not None:
        auth.login(world.users[key])
    return client.get(url)


def urls(world):
    street = world.community.street
    return {
        "district": f"/dashboard/district/{street.district_id}?{PERIOD}",
        "street": f"/dashboard/street/{street.id}?{PERIOD}",
        "far_street": f"/dashboard/street/{world.far.street_id}?{PERIOD}",
        "community": f"/dashboard/community/{world.community.slug}?{PERIOD}",
        "other": f"/dashboard/community/{world.other.slug}?{PERIOD}",
        "far": f"/dashboard/community/{world.far.slug}?{PERIOD}",
    }


ALLOWED = {
    # who: the pages they may open (every other one is a 404)
    "district_staff": {"district", "street", "far_street", "community", "other", "far"},
    "street_staff": {"street", "community", "other"},
    "staff": {"community"},
    "other_staff": {"other"},
    "resident": set(),
    "leader_a": set(),
    "outsider": set(),
}


@pytest.mark.parametrize("key", sorted(ALLOWED))
def test_each_role_sees_its_dashboards_and_no_other(client, auth, history, key):
    for page, url in urls(history).items():
        status = _get(client, auth, history, key, url).status_code
        assert status == (200 if page in ALLOWED[key] else 404), (key, page, status)


def test_a_visitor_is_sent_to_log_in(client, history):
    for url in urls(history).values():
        response = client.get(url)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_a_street_officer_of_another_street_learns_nothing(client, auth, history, db):
    from app.communities.models import OfficeRole
    from tests import factories

    officer = factories.user(name="far_officer")
    factories.office(officer, OfficeRole.STREET_STAFF, street_=history.far.street)
    db.session.commit()
    auth.login(officer)
    pages = urls(history)
    assert client.get(pages["far_street"]).status_code == 200
    for page in ("street", "community", "other", "district"):
        response = client.get(pages[page])
        assert response.status_code == 404 and "翠竹园" not in response.get_data(as_text=True)
    assert client.get("/dashboard/street/99999").status_code == 404


@pytest.mark.parametrize(
    ("key", "lands"),
    [
        ("district_staff", "/dashboard/district/"),
        ("street_staff", "/dashboard/street/"),
        ("staff", "/dashboard/community/cuizhuyuan"),
    ],
)
def test_dashboard_lands_on_the_viewers_level(client, auth, history, key, lands):
    auth.login(history.users[key])
    response = client.get("/dashboard")
    assert response.status_code == 302 and lands in response.headers["Location"]
    assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize("key", ["resident", "outsider", "leader_a"])
def test_dashboard_has_no_landing_for_others(client, auth, history, key):
    auth.login(history.users[key])
    assert client.get("/dashboard").status_code == 404


def test_the_street_dashboard_shows_each_communitys_figures_and_links_down(client, auth, history):
    auth.login(history.users["street_staff"])
    html = client.get(urls(history)["street"]).get_data(as_text=True)
    assert "翠竹园社区" in html and "南塘社区" in html and "远方社区" not in html
    assert "/c/cuizhuyuan/ideas?status=adopted" in html  # the list behind "ideas adopted"
    assert "/c/cuizhuyuan/consultations" in html and "/c/cuizhuyuan/fund?year=2026" in html
    assert html.count("<svg") >= 10  # charts, each with its table
    assert "Turnout of each owners&#39; decision" in html and "50.0%" in html


def test_the_district_dashboard_shows_streets_and_links_to_their_communities(client, auth, history):
    """A district's page has a row per street and the total (a hundred communities' rows were 2.6 MB): each
    street's row opens that street's dashboard, where its communities are; the exports have every community."""
    auth.login(history.users["district_staff"])
    html = client.get(urls(history)["district"]).get_data(as_text=True)
    for name in ("梅山街道", "雨花街道"):
        assert name in html
    assert "南塘社区" not in html and "/dashboard/community/" not in html
    for street_id in (history.community.street_id, history.far.street_id):
        assert f"/dashboard/street/{street_id}?" in html
    street = client.get(urls(history)["far_street"]).get_data(as_text=True)
    assert "远方社区" in street and "/dashboard/community/far?" in street
    exported = client.get(urls(history)["district"].replace("?", "/export.csv?")).get_data().decode("utf-8-sig")
    for name in ("梅山街道", "雨花街道", "翠竹园社区", "南塘社区", "远方社区"):
        assert name in exported


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2026-05&end=2026-01&by=month", "The period ends before it starts."),
        ("start=1999-01&end=2000-01&by=month", "The dashboards start in the year 2000."),
        ("start=2026-01&end=2099-12&by=year", "The period cannot end after next year."),
        ("start=2010-01&end=2026-12&by=year", "A period covers at most ten years."),
        ("start=2026-13&end=2026-12&by=month", "Give a month as year and month, such as 2026-03."),
        ("start=abc&end=2026-12&by=month", "Give a month as year and month, such as 2026-03."),
        ("start=2026-01&end=2026-12&by=week", "Choose by month or by year."),
    ],
)
def test_an_absurd_period_is_refused_with_the_form_only(client, auth, history, query, message):
    auth.login(history.users["street_staff"])
    response = client.get(f"/dashboard/street/{history.community.street_id}?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html and "<svg" not in html and 'name="start"' in html
    export = client.get(f"/dashboard/street/{history.community.street_id}/export.csv?{query}")
    assert export.status_code == 400 and message in export.get_data(as_text=True)


def test_the_page_is_chinese_first(client, auth, history):
    history.users["street_staff"].locale = "zh_CN"
    from app.extensions import db

    db.session.commit()
    auth.login(history.users["street_staff"])
    html = client.get(urls(history)["street"], headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "协商议事" in html or "参与" in html
    assert "Participation" not in html


def test_by_year_shows_years(client, auth, history):
    auth.login(history.users["staff"])
    html = client.get("/dashboard/community/cuizhuyuan?start=2025-01&end=2026-12&by=year").get_data(as_text=True)
    assert ">2025<" in html and ">2026<" in html and ">2026-03<" not in html


def test_the_overview_links_to_the_dashboards(client, auth, history):
    auth.login(history.users["street_staff"])
    html = client.get("/overview").get_data(as_text=True)
    assert 'href="/dashboard"' in html and 'href="/dashboard/community/nantang"' in html
