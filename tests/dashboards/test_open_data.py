"""Open data: who may download it (per role), what the zip holds (aggregates per community and month, the
dictionary of every column in Chinese and English), small counts suppressed, no personal data, bad periods."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from app.dashboards import opendata, scopes
from app.dashboards.period import BY_YEAR, Period
from app.dashboards.registry import COUNT, SHARE, Figure, Section, SectionData, Value, community_unit, sections
from app.extensions import db
from tests.dashboards.conftest import PERIOD, _consultation, at
from tests.dashboards.more_history import campaign, survey


def data_urls(world, period=PERIOD):
    street = world.community.street
    return {
        "district": f"/dashboard/district/{street.district_id}/open-data.zip?{period}",
        "street": f"/dashboard/street/{street.id}/open-data.zip?{period}",
        "far_street": f"/dashboard/street/{world.far.street_id}/open-data.zip?{period}",
        "community": f"/dashboard/community/{world.community.slug}/open-data.zip?{period}",
        "far": f"/dashboard/community/{world.far.slug}/open-data.zip?{period}",
    }


ALLOWED = {
    "district_staff": {"district", "street", "far_street", "community", "far"},
    "street_staff": {"street", "community"},
    "staff": {"community"},
    "resident": set(),
    "social_org": set(),
    "expert": set(),
    "outsider": set(),
}


@pytest.mark.parametrize("key", sorted(ALLOWED))
def test_each_role_downloads_its_open_data_and_no_other(client, auth, history, key):
    auth.login(history.users[key])
    for page, url in data_urls(history).items():
        status = client.get(url).status_code
        assert status == (200 if page in ALLOWED[key] else 404), (key, page, status)


def test_the_dictionary_is_public_and_the_data_is_not(client, history):
    page = client.get("/open-data")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "consultations_opened" in html and "household_share" in html and "&lt;5" in html
    dictionary = client.get("/open-data/dictionary.csv")
    assert dictionary.status_code == 200 and dictionary.mimetype == "text/csv"
    for url in data_urls(history).values():
        response = client.get(url)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def _zip(client, auth, world, key, url) -> dict[str, list[dict[str, str]]]:
    auth.login(world.users[key])
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert sorted(archive.namelist()) == ["data_dictionary.csv", "figures.csv"]
    return {
        name: list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig")))) for name in archive.namelist()
    }


def test_the_zip_holds_a_row_per_community_and_month_and_a_column_per_figure(client, auth, history):
    files = _zip(client, auth, history, "street_staff", data_urls(history)["street"])
    rows, dictionary = files["figures.csv"], files["data_dictionary.csv"]
    assert len(rows) == 2 * 12  # 翠竹园 and 南塘, January to December
    march = next(r for r in rows if r["community_code"] == "cuizhuyuan" and r["period"] == "2026-03")
    assert (march["district"], march["street"], march["community"]) == ("雨花台区", "梅山街道", "翠竹园社区")
    assert march["consultations_opened"] == "<5"  # 2 opened
    assert march["consultations_concluded"] == "<5" and march["consultations_opened"] == "<5"
    assert march["days_to_conclude"] == "10.0"  # the pace of a procedure: not suppressed
    assert march["households"] == "<5"  # three on the roster
    april = next(r for r in rows if r["community_code"] == "cuizhuyuan" and r["period"] == "2026-04")
    assert april["fund_allocated"] == "30000" and april["fund_spent"] == "12000"  # fen, as in 公示
    assert march["fund_budget"] == ""  # a yearly figure: by year only

    described = {d["column"]: d for d in dictionary}
    assert set(rows[0]) == set(described)  # every column described, nothing else
    for column in described.values():
        assert column["type"] in ("integer", "decimal", "text")
        assert all(column[k] for k in ("unit_zh", "unit_en", "meaning_zh", "meaning_en"))
        assert column["meaning_zh"] != column["meaning_en"]
    assert described["consultations_opened"]["meaning_en"].startswith("Deliberation · Consultations opened: ")
    assert described["fund_spent"]["unit_en"] == "fen (0.01 yuan)"


def test_no_personal_data_leaves(client, auth, history):
    files = _zip(client, auth, history, "district_staff", data_urls(history)["district"])
    text = repr(files)
    for user in history.users.values():
        assert user.phone not in text
    for name in ("张建国", "李秀英", "王志强", "广告", "刷屏", "书架", "更新电梯"):
        assert name not in text


def test_a_month_alone_under_five_withholds_another_so_the_year_cannot_reveal_it(client, auth, history, db):
    for day in range(1, 7):  # six more consultations in May: March (2) is the only month under five
        _consultation(history, history.community, opened=at(5, day))
    db.session.commit()
    url = data_urls(history)["community"]
    monthly = _zip(client, auth, history, "staff", url)["figures.csv"]
    opened = {r["period"]: r["consultations_opened"] for r in monthly}
    assert opened["2026-03"] == "<5" and opened["2026-05"] == "*" and opened["2026-01"] == "0"
    yearly = _zip(client, auth, history, "staff", url.replace("by=month", "by=year"))["figures.csv"]
    assert [(r["period"], r["consultations_opened"]) for r in yearly] == [("2026", "8")]
    assert yearly[0]["fund_budget"] == "100000"


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("start=2026-05&end=2026-02&by=month", "The period ends before it starts."),
        ("start=1999-01&end=2026-02&by=month", "The dashboards start in the year 2000."),
        ("start=2026-01&end=2999-02&by=month", "The period cannot end after next year."),
        ("start=2026-13&end=2026-12&by=month", "Give a month as year and month"),
        ("start=2026-01&end=2026-12&by=week", "Choose by month or by year."),
    ],
)
def test_a_bad_period_is_refused_with_a_message(client, auth, history, period, message):
    auth.login(history.users["street_staff"])
    response = client.get(data_urls(history, period)["street"])
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert client.get(data_urls(history, period)["far_street"]).status_code == 404  # another street: 404 first


def _share(key, num, den) -> object:
    return opendata._value(Figure(key, key, SHARE), Value(num, den), None)


def test_shares_of_few_counted_or_few_left_out_are_suppressed():
    assert _share("decision_turnout", 10, 20) == "50.0"
    assert _share("decision_turnout", 0, 20) == "0.0"
    assert _share("decision_turnout", 3, 20) == "<5"
    assert _share("decision_turnout", 17, 20) == "<5"  # the three who did not vote would be known as few
    assert _share("decision_turnout", 20, 20) == "100.0"
    assert _share("household_share", 1, 0) == ""
    score = Figure("score_project", "", SHARE)
    assert opendata._value(score, Value(3, 4), Value(4)) == "<5"
    assert opendata._value(score, Value(3, 4), Value(5)) == "75.0"
    count = Figure("x", "", COUNT)
    assert [opendata._value(count, Value(n), None) for n in (0, 1, 4, 5)] == [0, "<5", "<5", 5]


def test_withholding_works_within_each_year():
    buckets = ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
    cells = [9, "<5", "<5", "<5", 6]
    opendata._withhold_second(cells, buckets)
    assert cells == ["*", "<5", "<5", "<5", 6]  # 2025: one suppressed, so 9 withheld; 2026: two, none withheld
    cells = [9, 0, "<5", 7, 6]
    opendata._withhold_second(cells, buckets)
    assert cells == [9, 0, "<5", 7, "*"]


def test_every_column_has_its_own_name(app):
    """The real sections: the figures file's header names each column once, and the dictionary describes exactly
    those columns (a figure key used twice, or like a fixed column, fails here before it is published)."""
    with app.test_request_context():
        headers = opendata.column_names([f for _s, data in _built() for f in data.figures])
        assert len(headers) == len(set(headers)) > 6
        assert [c.name for c in opendata.dictionary()] == headers


@pytest.mark.parametrize("key", ["households", "consultations_opened"])
def test_a_column_named_twice_is_refused(app, monkeypatch, key):
    """A section whose figure takes a fixed column's name or another figure's: neither the file nor its
    dictionary is made."""
    extra = Section("extra", "extra", 999, lambda scope, period: SectionData([Figure(key, "again", COUNT)]))
    assert key == "households" or key in [f.key for _s, d in _built() for f in d.figures]
    monkeypatch.setattr(opendata, "sections", lambda: [*sections(), extra])
    with app.test_request_context():
        with pytest.raises(ValueError, match=f"more than one column named {key}"):
            opendata.dictionary()
        scope = opendata._empty_scope()
        year = Period((2000, 1), (2000, 12), BY_YEAR)
        built = [(s, s.build(scope, year)) for s in opendata.sections()]
        with pytest.raises(ValueError, match=key):
            opendata.figures_table(scope, year, built)


def _built():
    scope = opendata._empty_scope()
    return [(s, s.build(scope, Period((2000, 1), (2000, 12), BY_YEAR))) for s in sections()]


def test_a_satisfaction_score_rests_on_the_responses_about_its_own_kind(app, world):
    """June: an organisation answered by 2 households, a micro-project by 6, a worker by 5 (never a figure).
    Eight responses in all, but only the micro-project's score rests on 5 or more: the organisation's is "<5".
    In July, a service project answered by 5 exactly is shown."""
    c = world.community
    organisation = survey(c, [[5], [4]])
    project = survey(c, [[3]] * 6, scale=(1, 3))
    worker = survey(c, [[1]] * 5)
    campaign(c, ("organisation", organisation), ("project", project), ("worker", worker), closed=at(6, 30))
    campaign(c, ("service_project", survey(c, [[5], [5], [4], [4], [3]])), closed=at(7, 2))
    db.session.commit()
    with app.test_request_context():
        scope = scopes.street_scope(world.users["street_staff"], c.street_id)
        period = Period((2026, 6), (2026, 7))
        built = scopes.figures(scope, period)
        by_kind = opendata.responses_by_kind(scope, period)
        assert by_kind == {
            (c.id, "2026-06", "organisation"): 2,
            (c.id, "2026-06", "project"): 6,
            (c.id, "2026-07", "service_project"): 5,
        }
        responses = next(f for _s, d in built for f in d.figures if f.key == "satisfaction_responses")
        for month in ("2026-06", "2026-07"):  # the same responses as the section's, split by kind
            split = sum(n for (cid, b, _k), n in by_kind.items() if cid == c.id and b == month)
            assert responses.value(community_unit(c.id), month).num == split
        headers, rows = opendata.figures_table(scope, period, built)
    cells = {(r[headers.index("community_code")], r[headers.index("period")]): r for r in rows}
    june, july = cells[(c.slug, "2026-06")], cells[(c.slug, "2026-07")]
    assert june[headers.index("satisfaction_responses")] == 8
    assert june[headers.index("score_organisation")] == "<5"  # 2 answered, though 8 responses in all
    assert june[headers.index("score_project")] == "100.0"
    assert june[headers.index("score_service_project")] == ""
    assert july[headers.index("score_service_project")] == "80.0"  # (4+4+3+3+2)/20
    assert july[headers.index("score_organisation")] == ""
