"""Every dashboard exports as CSV and XLSX; the queries per page are bounded by the sections, not by the
communities."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import event

from app.communities.models import District
from app.dashboards import period as period_module
from app.dashboards import scopes, summary
from app.dashboards.registry import sections
from app.extensions import db
from tests import factories
from tests.dashboards import more_history
from tests.dashboards.conftest import PERIOD, _consultation, _idea, at


def test_the_street_dashboard_exports_as_csv(client, auth, history):
    auth.login(history.users["street_staff"])
    response = client.get(f"/dashboard/street/{history.community.street_id}/export.csv?{PERIOD}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Section,Figure,Community or street,2026-01,") and lines[0].endswith(",Whole period")
    opened = next(line for line in lines if line.startswith("Deliberation,Consultations opened,翠竹园社区,"))
    assert opened.split(",")[3:] == ["0", "0", "2", *["0"] * 9, "2"]


def test_the_district_and_community_dashboards_export_as_xlsx(client, auth, history):
    from openpyxl import load_workbook

    auth.login(history.users["district_staff"])
    for url in (
        f"/dashboard/district/{history.community.street.district_id}/export.xlsx?{PERIOD}",
        f"/dashboard/community/cuizhuyuan/export.xlsx?{PERIOD}",
    ):
        response = client.get(url)
        assert response.status_code == 200
        workbook = load_workbook(io.BytesIO(response.get_data()))
        sheets = [
            "Participation",
            "Deliberation",
            "Golden ideas",
            "Needs",
            "Micro-fund",
            "Service projects",
            "Content moderation",
            "Satisfaction",
        ]
        assert workbook.sheetnames == sheets
        ideas = [row for row in workbook["Golden ideas"].iter_rows(values_only=True) if row[1] == "Ideas submitted"]
        assert any(row[2] == "翠竹园社区" and row[-1] == 3 for row in ideas)


def test_exports_are_refused_to_whom_the_page_is(client, auth, history):
    auth.login(history.users["street_staff"])
    assert client.get(f"/dashboard/street/{history.far.street_id}/export.csv?{PERIOD}").status_code == 404
    assert client.get(f"/dashboard/district/{history.community.street.district_id}/export.xlsx").status_code == 404
    auth.logout()
    auth.login(history.users["resident"])
    assert client.get(f"/dashboard/community/cuizhuyuan/export.csv?{PERIOD}").status_code == 404
    auth.logout()
    auth.login(history.users["other_staff"])
    assert client.get(f"/dashboard/community/cuizhuyuan/export.csv?{PERIOD}").status_code == 404


def _counting(action) -> int:
    seen = []

    def count(*_args, **_kwargs):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def _queries(client, url) -> int:
    client.get(url)  # warm: the snapshot counted
    client.get(url)  # and served once (the labels' shapes are built once per process)
    return _counting(lambda: client.get(url).status_code == 200 or pytest.fail(url))


def _recount_queries(app, district_id: int) -> int:
    """The queries of counting the district afresh (what a refresh of its snapshot costs)."""
    period = period_module.parse("2026-01", "2026-12", "month")
    with app.test_request_context():
        scope = scopes.district_scope_of(db.session.get(District, district_id))
        return _counting(lambda: summary.refresh(scope, period))


def test_queries_grow_with_the_sections_not_the_communities(app, client, auth, history):
    auth.login(history.users["district_staff"])
    district_id = history.community.street.district_id
    url = f"/dashboard/district/{district_id}?{PERIOD}"
    served = _queries(client, url)  # from the district's snapshot
    before = _recount_queries(app, district_id)
    assert before <= 10 + 8 * len(sections()), before
    street = history.community.street
    for n in range(6):
        community = factories.community(street, f"新社区{n}", f"new{n}")
        household = factories.household(factories.building(community, "1栋"), "1", "101")
        _consultation(history, community, opened=at(2, 1), concluded=at(2, 3), carried=True)
        factories.membership(factories.user(name=f"居民{n}"), community)
        _idea(history, community, "resident", at(2, 1))
        item = more_history.guidance(community, street, published=at(2, 1))
        more_history.need(history, community, at(2, 1), supports=[(household, at(2, 2))])
        more_history.contract(history, community, item, created=at(2, 1), milestones=[(100, at(2, 2), at(2, 3))])
        answered = more_history.survey(community, [[4]])
        more_history.campaign(community, ("organisation", answered), closed=at(2, 5))
    db.session.commit()
    exported = client.get(f"/dashboard/district/{district_id}/export.csv?{PERIOD}").get_data().decode("utf-8-sig")
    assert "新社区5" in exported  # the district's communities are all in its export
    assert _recount_queries(app, district_id) == before, before
    assert _queries(client, url) == served, served
