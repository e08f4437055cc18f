"""Street-wide satisfaction campaigns: the street's staff judge the same organisations in every community of the
street; each community's part runs as a campaign of its own; the results are read per community and together,
exactly, by the street's and the district's staff only."""

from __future__ import annotations

import uuid
from datetime import timedelta
from fractions import Fraction

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app.communities.models import OfficeRole, Role
from app.core.errors import DomainError, Forbidden
from app.core.models import utcnow
from app.extensions import db
from app.orgs.models import OrgStatus
from app.satisfaction import street
from app.satisfaction.models import Campaign, CampaignState, StreetCampaign
from app.surveys.models import SurveyState
from tests import factories
from tests.contests import logged_in


@pytest.fixture
def sw(world):
    """Two verified organisations of the district, far-street staff, and a second household in 南塘."""
    district = world.community.street.district
    world.orgs = [
        factories.organisation(district, name="雨花睦邻社工服务中心"),
        factories.organisation(district, name="绿邻环保公益协会"),
    ]
    world.users["far_street_staff"] = factories.user(name="far_street_staff")
    factories.office(world.users["far_street_staff"], OfficeRole.STREET_STAFF, street_=world.far.street)
    household = factories.household(factories.building(world.other, "2栋"), "1", "102")
    world.users["other_resident2"] = factories.user(name="other_resident2")
    factories.membership(world.users["other_resident2"], world.other, Role.RESIDENT, household_=household)
    db.session.commit()
    return world


def made(world, key="street_staff", orgs=None, client_id=None):
    campaign = street.create(
        world.users[key],
        world.community.street,
        client_id=client_id or uuid.uuid4().hex,
        title="2026年梅山街道社会组织满意度测评",
        year=2026,
        closes_at=utcnow() + timedelta(days=3),
        org_ids=[o.id for o in (orgs or world.orgs)],
    )
    db.session.commit()
    return campaign


def _answer(app, world, key, survey, overall, responsive):
    q = survey.questions
    data = MultiDict([("client_id", uuid.uuid4().hex), (f"q{q[0].id}", str(overall)), (f"q{q[1].id}", str(responsive))])
    return logged_in(app, world.users[key]).post(f"/surveys/{survey.id}", data=data)


def _survey_in(campaign, community, org):
    part = next(p for p in campaign.campaigns if p.community_id == community.id)
    subject = next(s for s in part.subjects if s.subject_id == org.id)
    from app.satisfaction import services

    return services.survey_of(subject)


def test_a_campaign_runs_in_every_community_of_the_street(app, sw):
    campaign = made(sw)
    assert {p.community_id for p in campaign.campaigns} == {sw.community.id, sw.other.id}  # not the far street's
    assert all(p.state == CampaignState.DRAFT and len(p.subjects) == 2 for p in campaign.campaigns)
    assert street.state_of(campaign) == CampaignState.DRAFT
    again = made(sw, client_id=campaign.client_id)  # a retry stores once
    assert again.id == campaign.id
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 2
    street.open_all(sw.users["street_staff"], campaign)
    db.session.commit()
    assert {p.state for p in campaign.campaigns} == {CampaignState.OPEN}


def test_results_per_community_and_together_exactly(app, sw):
    campaign = made(sw)
    street.open_all(sw.users["street_staff"], campaign)
    db.session.commit()
    org = sw.orgs[0]
    # 翠竹园: a101 answers 5 and 4, a102 answers 3 and 3; 南塘: other101 answers 2 and 1
    assert _answer(app, sw, "resident", _survey_in(campaign, sw.community, org), 5, 4).status_code == 302
    assert _answer(app, sw, "owner", _survey_in(campaign, sw.community, org), 3, 3).status_code == 302
    assert _answer(app, sw, "other_resident", _survey_in(campaign, sw.other, org), 2, 1).status_code == 302
    assert street.results(campaign)[0].together is None  # hidden until the close
    street.close_all(sw.users["street_staff"], campaign)
    db.session.commit()
    row = next(r for r in street.results(campaign) if r.organisation_id == org.id)
    here, there = row.cells[sw.community.id], row.cells[sw.other.id]
    # a score is the mean of the two scales normalised to 0..1: (s - 1) / 4
    # 翠竹园: overall means 4 → 3/4, responsiveness 7/2 → 5/8; the score (3/4 + 5/8) / 2 = 11/16
    assert here.score == Fraction(11, 16) and here.responses == 2
    assert there.score == Fraction(1, 8) and there.responses == 1 and there.eligible == 2
    together = row.together
    assert together.responses == 3 and together.eligible == here.eligible + 2
    assert together.score == (Fraction(11, 16) * 2 + Fraction(1, 8)) / 3 == Fraction(1, 2)
    assert together.rate == Fraction(3, here.eligible + 2)
    nobody = next(r for r in street.results(campaign) if r.organisation_id == sw.orgs[1].id)
    assert nobody.together.score is None and nobody.together.responses == 0


@pytest.mark.parametrize(
    ("key", "list_status", "new_status"),
    [
        ("street_staff", 200, 200),
        ("district_staff", 200, 403),  # reads, does not run
        ("far_street_staff", 404, 404),  # another street
        ("staff", 404, 404),  # a community's staff: the street's page is not theirs
        ("resident", 404, 404),
        ("social_org", 404, 404),
        ("expert", 404, 404),
        ("outsider", 404, 404),
    ],
)
def test_who_sees_and_runs_the_street_s_campaigns(app, sw, key, list_status, new_status):
    street_id = sw.community.street_id
    http = logged_in(app, sw.users[key])
    assert http.get(f"/streets/{street_id}/satisfaction").status_code == list_status
    assert http.get(f"/streets/{street_id}/satisfaction/new").status_code == new_status
    form = {
        "client_id": "c1",
        "title": "街道测评",
        "year": "2026",
        "closes_on": (utcnow() + timedelta(days=5)).date().isoformat(),
        "organisations": [str(sw.orgs[0].id)],
    }
    response = http.post(f"/streets/{street_id}/satisfaction/new", data=form)
    assert response.status_code == (302 if new_status == 200 else new_status)
    assert db.session.scalar(select(func.count()).select_from(StreetCampaign)) == (1 if new_status == 200 else 0)


def test_the_campaign_page_and_its_buttons_per_role(app, sw):
    campaign = made(sw)
    url = f"/satisfaction/street/{campaign.id}"
    for key, status in [("street_staff", 200), ("district_staff", 200), ("far_street_staff", 404), ("staff", 404)]:
        assert logged_in(app, sw.users[key]).get(url).status_code == status, key
    for key, status in [("district_staff", 403), ("far_street_staff", 404), ("resident", 404)]:
        assert logged_in(app, sw.users[key]).post(f"{url}/open").status_code == status, key
    db.session.expire_all()
    assert {p.state for p in campaign.campaigns} == {CampaignState.DRAFT}
    assert logged_in(app, sw.users["street_staff"]).post(f"{url}/open").status_code == 302
    db.session.expire_all()
    assert {p.state for p in campaign.campaigns} == {CampaignState.OPEN}
    again = logged_in(app, sw.users["street_staff"]).post(f"{url}/open")
    assert again.status_code == 409 and "Only a draft campaign can be opened." in again.get_data(as_text=True)
    assert logged_in(app, sw.users["street_staff"]).post(f"{url}/close").status_code == 302
    db.session.expire_all()
    assert all(s.state == SurveyState.CLOSED for p in campaign.campaigns for s in _surveys(p))
    page = logged_in(app, sw.users["district_staff"]).get(url).get_data(as_text=True)
    assert "The street together" in page and "雨花睦邻社工服务中心" in page


def _surveys(part):
    from app.satisfaction import services

    return [services.survey_of(s) for s in part.subjects]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"org_ids": []}, "Choose 1 to 30 of the verified organisations shown."),
        ({"org_ids": [999999]}, "Choose 1 to 30 of the verified organisations shown."),
        ({"title": "x"}, "Give a title of 2 to 120 characters."),
        ({"year": 1900}, "Give a year such as 2026."),
        ({"closes_at": utcnow() - timedelta(days=1)}, "The closing time must be in the future."),
    ],
)
def test_bad_campaigns_are_refused_and_store_nothing(app, sw, changes, message):
    args = {
        "client_id": "c1",
        "title": "街道测评",
        "year": 2026,
        "closes_at": utcnow() + timedelta(days=3),
        "org_ids": [sw.orgs[0].id],
        **changes,
    }
    with pytest.raises(DomainError) as refused:
        street.create(sw.users["street_staff"], sw.community.street, **args)
    db.session.rollback()
    with force_locale("en"):
        assert str(refused.value.message) == message
    assert db.session.scalar(select(func.count()).select_from(StreetCampaign)) == 0
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0


def test_a_suspended_organisation_is_not_offered(app, sw):
    sw.orgs[1].status = OrgStatus.SUSPENDED
    db.session.commit()
    with pytest.raises(DomainError):
        made(sw)
    db.session.rollback()
    with pytest.raises(Forbidden):
        made(sw, key="district_staff", orgs=[sw.orgs[0]])
