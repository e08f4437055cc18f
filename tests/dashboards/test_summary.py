"""The street's and the district's figures served from a kept snapshot: exact once refreshed, marked stale by a
commit in one of their communities (and only theirs), recounted by the tick, on view when stale too long, and
for a period nobody asked for before; labels in the viewer's language; the access rule checked first."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select, update

from app.consultations.models import Attendance
from app.core.models import utcnow
from app.dashboards import present, scopes, summary
from app.dashboards.models import DashboardSnapshot
from app.dashboards.period import default_period, parse
from app.extensions import db
from app.voting.models import Participation
from tests.dashboards.conftest import PERIOD, _consultation, _idea, at

YEAR = parse("2026-01", "2026-12", "month")


def _snapshots(**where) -> list[DashboardSnapshot]:
    query = select(DashboardSnapshot).order_by(DashboardSnapshot.level, DashboardSnapshot.scope_id)
    for key, value in where.items():
        query = query.where(getattr(DashboardSnapshot, key) == value)
    db.session.expire_all()
    return list(db.session.scalars(query))


def _table(built, scope, period=YEAR):
    with_links = present.export_table(scope, period, built)[1]
    details = [[d.title, d.headers, [list(map(tuple, r)) for r in d.rows]] for _s, data in built for d in data.details]
    return with_links, details


def _served_and_live(app, level: str, scope_id: int):
    """The figures as a page serves them (the snapshot) and as counted now, as the export writes them."""
    with app.test_request_context():
        scope = summary._scope_of(level, scope_id)
        served = summary.figures(scope, YEAR)
        db.session.commit()
        return served, _table(served.built, scope), _table(scopes.figures(scope, YEAR), scope)


def test_the_district_page_is_served_from_its_snapshot_and_says_how_fresh(client, auth, history):
    auth.login(history.users["district_staff"])
    district_id = history.community.street.district_id
    assert _snapshots() == []
    html = client.get(f"/dashboard/district/{district_id}?{PERIOD}").get_data(as_text=True)
    assert "Figures as of " in html and "being counted" not in html
    (kept,) = _snapshots()
    assert (kept.level, kept.scope_id, kept.period_key, kept.stale_since) == (
        "district",
        district_id,
        "2026-01|2026-12|month",
        None,
    )
    # served from it: a number changed in the row is what the page shows (nothing recounted)
    payload = json.loads(kept.payload)
    cells = payload["ideas"]["figures"]["ideas_submitted"]
    total = next(cell for cell in cells if cell[:2] == ["all", None])
    assert total[2] == 4  # three in 翠竹园, one in 南塘
    total[2] = 777
    db.session.execute(update(DashboardSnapshot).values(payload=json.dumps(payload)))
    db.session.commit()
    html = client.get(f"/dashboard/district/{district_id}?{PERIOD}&section=ideas").get_data(as_text=True)
    assert ">777<" in html


def test_the_district_page_shows_one_section_and_links_to_each(client, auth, history):
    auth.login(history.users["district_staff"])
    url = f"/dashboard/district/{history.community.street.district_id}?{PERIOD}"
    first = client.get(url).get_data(as_text=True)
    assert "Members verified" in first and "Ideas submitted" not in first
    for key in ("participation", "deliberation", "ideas", "needs", "money", "services", "moderation"):
        assert f"section={key}" in first, key
    ideas = client.get(f"{url}&section=ideas").get_data(as_text=True)
    assert "Ideas submitted" in ideas and "Members verified" not in ideas
    assert 'name="section" value="ideas"' in ideas  # a new period keeps the section
    unknown = client.get(f"{url}&section=nonsense")
    assert unknown.status_code == 200 and "Members verified" in unknown.get_data(as_text=True)
    # a street's page keeps every section
    street = client.get(f"/dashboard/street/{history.community.street_id}?{PERIOD}").get_data(as_text=True)
    assert "Members verified" in street and "Ideas submitted" in street and "section=ideas" not in street


def test_figures_served_equal_a_recount_after_changes(app, history):
    community = history.community
    district_id, street_id = community.street.district_id, community.street_id
    for level, scope_id in (("district", district_id), ("street", street_id)):
        served, kept, live = _served_and_live(app, level, scope_id)
        assert served.kept and not served.stale and kept == live
    # changes in every kind of row: a new consultation, an attendance (no community on it), an idea, a vote
    made = _consultation(history, community, opened=at(4, 2), concluded=at(4, 9), carried=True)
    db.session.add(Attendance(consultation_id=made.id, user_id=history.users["owner"].id, first_seen_at=at(4, 3)))
    _idea(history, history.other, "resident", at(5, 1))
    db.session.commit()
    for level, scope_id in (("district", district_id), ("street", street_id)):
        served, kept, live = _served_and_live(app, level, scope_id)
        assert served.stale and kept != live  # marked by the commit: the old figures, said to be stale
        with app.test_request_context():
            summary.refresh(summary._scope_of(level, scope_id), YEAR)
            db.session.commit()
        served, kept, live = _served_and_live(app, level, scope_id)
        assert not served.stale and kept == live  # exact once refreshed


def test_a_commit_marks_only_its_communitys_street_and_district(app, history):
    street, far_street = history.community.street, history.far.street
    for level, scope_id in (("district", street.district_id), ("street", street.id), ("street", far_street.id)):
        _served_and_live(app, level, scope_id)
    assert all(s.stale_since is None for s in _snapshots())
    _idea(history, history.far, "resident", at(5, 1))  # in the far street only
    db.session.commit()
    stale = {(s.level, s.scope_id) for s in _snapshots() if s.stale_since is not None}
    assert stale == {("district", street.district_id), ("street", far_street.id)}
    # a rolled back change marks nothing
    db.session.execute(update(DashboardSnapshot).values(stale_since=None))
    db.session.commit()
    _idea(history, history.community, "resident", at(5, 2))
    db.session.rollback()
    assert all(s.stale_since is None for s in _snapshots())
    # a vote names no community: every snapshot is marked
    db.session.add(
        Participation(poll_type="decision", poll_id=1, voter_key="u-test", voter_id=history.users["owner"].id)
    )
    db.session.commit()
    assert all(s.stale_since is not None for s in _snapshots())


def test_a_stale_snapshot_is_recounted_on_view_once_too_old(client, auth, history):
    auth.login(history.users["street_staff"])
    url = f"/dashboard/street/{history.community.street_id}?{PERIOD}"
    client.get(url)
    _idea(history, history.community, "resident", at(5, 1))
    db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert "newer figures are being counted" in html  # no Redis here: served stale, the tick will recount
    (kept,) = _snapshots()
    long_ago = utcnow() - summary.INLINE_AFTER - timedelta(minutes=1)
    db.session.execute(update(DashboardSnapshot).values(computed_at=long_ago))
    db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert "Figures as of " in html and "being counted" not in html
    (kept,) = _snapshots()
    assert kept.stale_since is None and kept.computed_at > long_ago


def test_a_period_nobody_asked_for_is_counted_then_kept(client, auth, history):
    auth.login(history.users["district_staff"])
    district_id = history.community.street.district_id
    client.get(f"/dashboard/district/{district_id}?{PERIOD}")
    response = client.get(f"/dashboard/district/{district_id}?start=2025-01&end=2026-12&by=year")
    assert response.status_code == 200 and ">2025<" in response.get_data(as_text=True)
    assert {s.period_key for s in _snapshots()} == {"2026-01|2026-12|month", "2025-01|2026-12|year"}


def test_labels_are_written_in_the_viewers_language_not_the_snapshots(client, auth, history):
    district_id = history.community.street.district_id
    auth.login(history.users["district_staff"])
    english = client.get(f"/dashboard/district/{district_id}?{PERIOD}").get_data(as_text=True)
    assert "Members verified" in english and "Figures as of" in english
    history.users["district_staff"].locale = "zh_CN"
    db.session.commit()
    chinese = client.get(f"/dashboard/district/{district_id}?{PERIOD}").get_data(as_text=True)
    assert len(_snapshots()) == 1  # the same snapshot, served twice
    assert "数据截至" in chinese and "Members verified" not in chinese and "Figures as of" not in chinese


def test_the_snapshot_is_read_only_after_the_access_rule(client, auth, history):
    street = history.community.street
    auth.login(history.users["district_staff"])
    client.get(f"/dashboard/district/{street.district_id}?{PERIOD}")
    client.get(f"/dashboard/street/{street.id}?{PERIOD}")
    assert len(_snapshots()) == 2
    auth.logout()
    for key in ("street_staff", "staff", "resident", "outsider"):
        auth.login(history.users[key])
        for url in (
            f"/dashboard/district/{street.district_id}?{PERIOD}",
            f"/dashboard/district/{street.district_id}/export.csv?{PERIOD}",
        ):
            assert client.get(url).status_code == 404, (key, url)
        expected = 200 if key == "street_staff" else 404
        assert client.get(f"/dashboard/street/{street.id}?{PERIOD}").status_code == expected, key
        assert client.get(f"/dashboard/street/{history.far.street_id}?{PERIOD}").status_code == 404, key
        auth.logout()


def test_the_district_page_lists_streets_and_its_exports_every_community(client, auth, history):
    street = history.community.street
    auth.login(history.users["district_staff"])
    html = client.get(f"/dashboard/district/{street.district_id}?{PERIOD}").get_data(as_text=True)
    assert street.name in html and f"/dashboard/street/{street.id}?" in html
    assert f"/dashboard/community/{history.community.slug}?" not in html and "dashboard-nested" not in html
    exported = client.get(f"/dashboard/district/{street.district_id}/export.csv?{PERIOD}").get_data().decode()
    assert history.community.name in exported and history.far.name in exported and street.name in exported


def test_the_tick_precomputes_the_default_period_of_every_street_and_district(app, history):
    now = utcnow()
    with app.app_context():
        done = summary.tick(now)
        kept = _snapshots(period_key=summary.period_key(default_period(now)))
        levels = {(s.level, s.scope_id) for s in kept}
        street = history.community.street
        assert done == len(kept) and {("district", street.district_id), ("street", street.id)} <= levels
        assert ("street", history.far.street_id) in levels and all(s.stale_since is None for s in kept)
        assert summary.tick(now) == 0  # fresh: nothing to do
        _idea(history, history.community, "resident", now - timedelta(days=1))
        db.session.commit()
        assert summary.tick(now) == 2  # the community's street and its district
