"""The assessment through its pages: the district drafts, publishes, computes and publishes the results; street
officers score their communities' manual criteria; each role sees what it may (a refusal to see is a 404, to act
a 403); bad input is refused with its message and stores nothing; a retried POST stores once."""

from __future__ import annotations

import csv
import io

import pytest

from app.assessment import permissions, services
from app.assessment.models import Assessment, AssessmentScore, Scheme, SchemeStatus
from app.communities.models import OfficeRole
from app.core.clock import local_today
from app.extensions import db
from tests import factories
from tests.assessment.conftest import counts


def as_(auth, world, key):
    auth.logout()
    auth.login(world.users[key])


def _scheme_page(scheme):
    return f"/assessment/{scheme.id}"


def _computed(auth, world, scheme):
    as_(auth, world, "district_staff")
    assert auth.client.post(f"/assessment/{scheme.id}/compute").status_code == 302
    return {a.community_id: a for a in db.session.query(Assessment).filter_by(scheme_id=scheme.id)}


def _score(auth, scheme, slug, criterion, points="30", evidence="台账齐全，抽查12本。", client_id="k1"):
    p = f"c{criterion.id}-"
    return auth.client.post(
        f"/assessment/{scheme.id}/c/{slug}/score/{criterion.id}",
        data={p + "points": points, p + "evidence": evidence, p + "reason": "现场核查", p + "client_id": client_id},
    )


def test_the_district_drafts_a_scheme_once_however_often_the_form_is_sent(client, auth, officers):
    w = officers
    as_(auth, w, "district_staff")
    district_id = w.community.street.district_id
    year = local_today().year
    form = {"year": str(year), "title": "精品社区考核", "client_id": "same"}
    first = client.post(f"/d/{district_id}/assessment", data=form)
    again = client.post(f"/d/{district_id}/assessment", data=form)
    assert first.status_code == again.status_code == 302
    assert db.session.query(Scheme).count() == 1
    refused = client.post(f"/d/{district_id}/assessment", data={"year": "1999", "title": "x", "client_id": "b"})
    assert refused.status_code == 400 and b"Choose a year from 2000" in refused.data
    assert db.session.query(Scheme).count() == 1


def test_weights_that_do_not_add_up_are_refused_naming_the_sum(client, auth, officers):
    w = officers
    as_(auth, w, "district_staff")
    client.post(
        f"/d/{w.community.street.district_id}/assessment", data={"year": "2025", "title": "t", "client_id": "a"}
    )
    scheme = db.session.query(Scheme).one()
    added = client.post(
        f"/assessment/{scheme.id}/criteria",
        data={"title": "台账", "points": "90", "kind": "manual", "rule": "linear", "client_id": "c1"},
    )
    assert added.status_code == 302
    refused = client.post(f"/assessment/{scheme.id}/publish")
    assert refused.status_code == 400
    assert b"add up to 90 points, not 100" in refused.data
    db.session.expire_all()
    assert db.session.get(Scheme, scheme.id).status == SchemeStatus.DRAFT


def test_a_figure_that_does_not_exist_and_a_linear_rule_without_bounds(client, auth, officers):
    w = officers
    as_(auth, w, "district_staff")
    client.post(
        f"/d/{w.community.street.district_id}/assessment", data={"year": "2025", "title": "t", "client_id": "a"}
    )
    scheme = db.session.query(Scheme).one()
    before = counts()
    base = {"title": "x", "points": "10", "kind": "figure", "rule": "linear", "floor": "0", "target": "50"}
    nothing = client.post(f"/assessment/{scheme.id}/criteria", data={**base, "figure_key": "no_such", "client_id": "1"})
    assert nothing.status_code == 400 and "There is no dashboard figure “no_such”".encode() in nothing.data
    unbounded = {**base, "figure_key": "household_share", "target": "", "client_id": "2"}
    assert b"needs a floor and a target" in client.post(f"/assessment/{scheme.id}/criteria", data=unbounded).data
    same = {**base, "figure_key": "household_share", "target": "0", "client_id": "3"}
    assert b"must differ" in client.post(f"/assessment/{scheme.id}/criteria", data=same).data
    assert counts() == before


def test_a_published_schemes_weights_do_not_change_a_new_version_does(client, auth, scheme, officers):
    w = officers
    as_(auth, w, "district_staff")
    before = counts()
    c = scheme.criteria[0]
    refused = client.post(f"/assessment/{scheme.id}/criteria/{c.id}/points", data={"points": "50"})
    assert refused.status_code == 409 and b"Make a new version" in refused.data
    add = {"title": "x", "points": "10", "kind": "manual", "rule": "linear", "client_id": "n"}
    assert client.post(f"/assessment/{scheme.id}/criteria", data=add).status_code == 409
    assert counts() == before
    made = client.post(f"/assessment/{scheme.id}/new-version", data={"client_id": "v2"})
    assert client.post(f"/assessment/{scheme.id}/new-version", data={"client_id": "v2"}).status_code == 302
    assert made.status_code == 302
    copy = db.session.query(Scheme).filter_by(version=2).one()
    assert copy.status == SchemeStatus.DRAFT and [x.points for x in copy.criteria] == [60, 40]
    assert (
        client.post(f"/assessment/{copy.id}/criteria/{copy.criteria[0].id}/points", data={"points": "50"}).status_code
        == 302
    )
    assert db.session.get(Scheme, scheme.id).criteria[0].points == 60
    blank = client.post(f"/assessment/{copy.id}/criteria/{copy.criteria[0].id}/points", data={"points": "x"})
    assert blank.status_code == 400 and b"Enter a whole number" in blank.data


def test_compute_score_and_publish_with_the_formula_shown(client, auth, scheme, officers):
    w = officers
    found = _computed(auth, w, scheme)
    figure, manual = scheme.criteria
    # 翠竹园: 11 verified ≥ target 10 → 60; 南塘: 2 → (2 − 0) ÷ (10 − 0) × 60 = 12; 远方: 0 → 0
    points = {cid: {s.criterion_id: s.points for s in a.scores} for cid, a in found.items()}
    assert points[w.community.id][figure.id] == 60
    assert points[w.other.id][figure.id] == 12
    assert points[w.far.id][figure.id] == 0
    page = client.get(f"/assessment/{scheme.id}/c/nantang").data.decode()
    assert "Members verified 2 → 12 / 60 points: (2 − 0) ÷ (10 − 0) × 60" in page

    # publishing before the manual scores are given is refused, naming how many are missing
    refused = client.post(f"/assessment/{scheme.id}/publish-results")
    assert refused.status_code == 409 and b"3 scores are still to be given by hand" in refused.data

    as_(auth, w, "street_staff")  # 梅山's officer scores 梅山's communities
    assert _score(auth, scheme, "cuizhuyuan", manual).status_code == 302
    assert _score(auth, scheme, "cuizhuyuan", manual).status_code == 302  # retried: stored once
    assert _score(auth, scheme, "nantang", manual, points="25", client_id="k2").status_code == 302
    as_(auth, w, "far_street_staff")
    assert _score(auth, scheme, "far", manual, points="15", client_id="k3").status_code == 302
    assert db.session.query(AssessmentScore).filter(AssessmentScore.evidence != "").count() == 3

    as_(auth, w, "district_staff")
    assert client.post(f"/assessment/{scheme.id}/publish-results").status_code == 302
    ranked = client.get(_scheme_page(scheme)).data.decode()
    assert ranked.index("翠竹园社区") < ranked.index("南塘社区") < ranked.index("远方社区")
    assert _score(auth, scheme, "far", manual, points="40", client_id="k4").status_code == 403  # frozen

    as_(auth, w, "resident")
    mine = client.get("/c/cuizhuyuan/assessment").data.decode()
    assert "Total: 90 of 100 points" in mine and "place 1 of 3 communities" in mine
    assert "台账齐全，抽查12本。" in mine and "Scored by hand: 30 / 40 points." in mine
    assert "Members verified 11 reaches the target 10 → 60 / 60 points." in mine


@pytest.mark.parametrize(
    "points,evidence,message",
    [
        ("41", "证据", b"Give a score from 0 to 40 points."),
        ("-1", "证据", b"Give a score from 0 to 40 points."),
        ("abc", "证据", b"Enter a number such as"),
        ("30", "", b"A score given by hand needs its evidence."),
        ("30", "   ", b"A score given by hand needs its evidence."),
    ],
)
def test_a_score_outside_its_range_or_without_evidence_is_refused(
    client, auth, scheme, officers, points, evidence, message
):
    w = officers
    _computed(auth, w, scheme)
    before = counts()
    as_(auth, w, "street_staff")
    refused = _score(auth, scheme, "cuizhuyuan", scheme.criteria[1], points=points, evidence=evidence)
    assert refused.status_code == 400 and message in refused.data
    assert counts() == before


def test_a_street_officer_cannot_score_another_streets_community(client, auth, scheme, officers):
    w = officers
    _computed(auth, w, scheme)
    before = counts()
    as_(auth, w, "street_staff")
    assert _score(auth, scheme, "far", scheme.criteria[1]).status_code == 404
    assert client.get(f"/assessment/{scheme.id}/c/far").status_code == 404
    as_(auth, w, "far_street_staff")
    assert _score(auth, scheme, "cuizhuyuan", scheme.criteria[1]).status_code == 404
    assert counts() == before


def test_a_computed_criterion_is_not_scored_by_hand(client, auth, scheme, officers):
    w = officers
    _computed(auth, w, scheme)
    as_(auth, w, "district_staff")
    refused = _score(auth, scheme, "cuizhuyuan", scheme.criteria[0])
    assert refused.status_code == 409 and b"computed, not scored by hand" in refused.data


DISTRICT_KEYS = [
    "district_staff",
    "street_staff",
    "far_street_staff",
    "other_district_staff",
    "staff",
    "resident",
    "social_org",
    "expert",
    "outsider",
]


@pytest.mark.parametrize("key", DISTRICT_KEYS)
def test_who_sees_the_districts_pages(client, auth, scheme, officers, key):
    w = officers
    _computed(auth, w, scheme)
    as_(auth, w, key)
    district_id = w.community.street.district_id
    sees = key in {"district_staff", "street_staff", "far_street_staff"}
    assert client.get(f"/d/{district_id}/assessment").status_code == (200 if sees else 404)
    page = client.get(_scheme_page(scheme))
    assert page.status_code == (200 if sees else 404)
    export = client.get(f"/assessment/{scheme.id}/export.csv")
    assert export.status_code == (200 if sees else 404)
    manages = key == "district_staff"
    assert client.post(f"/assessment/{scheme.id}/compute").status_code == (302 if manages else 403 if sees else 404)
    if sees:
        rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
        names = {r[1] for r in rows[1:]}
        expected = {
            "district_staff": {"翠竹园社区", "南塘社区", "远方社区"},
            "street_staff": {"翠竹园社区", "南塘社区"},
            "far_street_staff": {"远方社区"},
        }[key]
        assert names == expected  # a street sees its communities side by side, the district all
        assert client.get(f"/assessment/{scheme.id}/export.xlsx").status_code == 200


@pytest.mark.parametrize("key", [*DISTRICT_KEYS, "beyond_street_staff"])
def test_the_officer_is_what_the_access_rule_says(officers, key):
    """How a user stands towards the district comes from the access rule: its district staff, the streets of
    this district they staff (not a street of another district), nothing for anyone else."""
    w = officers
    beyond = factories.street(factories.district("江宁区"), "秣陵街道")
    w.users["beyond_street_staff"] = factories.user(name="beyond_street_staff")
    factories.office(w.users["beyond_street_staff"], OfficeRole.STREET_STAFF, street_=beyond)
    db.session.commit()
    district_id = w.community.street.district_id
    officer = services.officer(w.users[key], district_id)
    streets = {"street_staff": {w.community.street_id}, "far_street_staff": {w.far.street_id}}.get(key, set())
    assert officer.district_id == district_id
    assert officer.is_district_staff is (key == "district_staff")
    assert officer.street_ids == streets
    assert permissions.can_see_district(officer) is (key in {"district_staff", "street_staff", "far_street_staff"})
    assert permissions.can_manage(officer) is (key == "district_staff")


def test_a_draft_is_the_districts_alone(client, auth, officers):
    w = officers
    as_(auth, w, "district_staff")
    client.post(
        f"/d/{w.community.street.district_id}/assessment", data={"year": "2025", "title": "草稿", "client_id": "a"}
    )
    draft = db.session.query(Scheme).one()
    assert client.get(_scheme_page(draft)).status_code == 200
    as_(auth, w, "street_staff")
    assert client.get(_scheme_page(draft)).status_code == 404
    assert "草稿" not in client.get(f"/d/{w.community.street.district_id}/assessment").data.decode()


@pytest.mark.parametrize(
    "key,before,after",
    [
        ("resident", 200, 200),
        ("staff", 200, 200),
        ("street_staff", 200, 200),
        ("far_street_staff", 404, 404),
        ("district_staff", 200, 200),
        ("other_staff", 404, 404),
        ("social_org", 404, 404),
        ("expert", 404, 404),
        ("outsider", 404, 404),
    ],
)
def test_who_sees_a_communitys_published_results(client, auth, scheme, officers, key, before, after):
    w = officers
    _computed(auth, w, scheme)
    as_(auth, w, key)
    shown = client.get("/c/cuizhuyuan/assessment")
    assert shown.status_code == before
    if before == 200:
        assert "No assessment results have been published" in shown.data.decode()  # nothing before publication
    as_(auth, w, "district_staff")
    for slug in ("cuizhuyuan", "nantang", "far"):
        _score(auth, scheme, slug, scheme.criteria[1], client_id=slug)
    assert client.post(f"/assessment/{scheme.id}/publish-results").status_code == 302
    as_(auth, w, key)
    shown = client.get("/c/cuizhuyuan/assessment")
    assert shown.status_code == after
    if after == 200:
        assert "Total: 90 of 100 points" in shown.data.decode()


def test_a_figure_gone_from_the_dashboards_is_refused_when_computing(client, auth, scheme, officers):
    scheme.criteria[0].figure_key = "renamed_since"
    db.session.commit()
    as_(auth, officers, "district_staff")
    refused = client.post(f"/assessment/{scheme.id}/compute")
    assert refused.status_code == 409 and "There is no dashboard figure “renamed_since”".encode() in refused.data
    assert db.session.query(Assessment).count() == 0
