"""Satisfaction campaigns: made by community, street or district staff (not residents or another community's
staff); a survey per subject; residents told when it opens and reminded the day before it closes; results per
subject after the close only to those allowed (a worker's: that worker and street/district staff; an
organisation's or project's: the community's members too); the note on what was done; the yearly assessment
with the district's weights, exact."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from app.communities.models import OfficeRole, Role
from app.core.errors import DomainError
from app.core.models import utcnow
from app.extensions import db
from app.microprojects.models import MicroProject, ProjectStatus, Rating
from app.notifications.models import Notification
from app.orgs.models import OrgAgent, Organisation, OrgKind, OrgStatus, Qualification
from app.satisfaction import notices, services
from app.satisfaction.models import Campaign, CampaignState, CampaignSubject
from app.surveys.models import Survey, SurveyState
from tests import factories
from tests.satisfaction import campaign, viewer
from tests.surveys import count, logged_in


def _organisation(world, agent_key="social_org") -> Organisation:
    org = Organisation(
        district_id=world.community.street.district_id,
        street_id=world.community.street_id,
        name="雨花睦邻社工服务中心",
        registration_number=f"5232{uuid.uuid4().hex[:14]}",
        kind=next(iter(OrgKind)),
        status=OrgStatus.VERIFIED,
    )
    org.qualifications.append(Qualification(name="等级评估", expires_on=date(2027, 12, 31)))
    org.agents.append(OrgAgent(user_id=world.users[agent_key].id))
    db.session.add(org)
    db.session.commit()
    return org


def _answer(app, world, key, survey, *, overall, responsive=3):
    q = survey.questions
    data = MultiDict([("client_id", uuid.uuid4().hex), (f"q{q[0].id}", str(overall)), (f"q{q[1].id}", str(responsive))])
    return logged_in(app, world.users[key]).post(f"/surveys/{survey.id}", data=data)


@pytest.mark.parametrize(
    "key, status",
    [
        ("staff", 302),
        ("street_staff", 302),
        ("district_staff", 302),
        ("resident", 403),
        ("leader_a", 403),
        ("other_staff", 404),
    ],
)
def test_make_a_campaign_per_role(app, world, key, status):
    http = logged_in(app, world.users[key])
    assert http.get("/c/cuizhuyuan/satisfaction/new").status_code == (200 if status == 302 else status)
    response = http.post(
        "/c/cuizhuyuan/satisfaction/new",
        data={
            "client_id": "c1",
            "title": "2026年度测评",
            "year": "2026",
            "closes_on": (date.today() + timedelta(days=5)).isoformat(),
            "subjects": [f"worker:{world.users['staff'].id}"],
        },
    )
    assert response.status_code == status
    assert count(Campaign) == (1 if status == 302 else 0)
    if status == 302:
        subject = db.session.scalar(db.select(CampaignSubject))
        survey = db.session.get(Survey, subject.survey_id)
        assert survey.owner_kind == "satisfaction" and survey.owner_id == subject.id and survey.anonymous
        assert [q.kind.value for q in survey.questions] == ["scale", "scale", "text"]


@pytest.mark.parametrize(
    "subjects, year",
    [(["worker:999999"], "2026"), (["nothing:1"], "2026"), ([], "2026"), (["worker:abc"], "2026"), (None, "1800")],
)
def test_make_a_campaign_bad_input(app, world, subjects, year):
    picks = [f"worker:{world.users['staff'].id}"] if subjects is None else subjects
    response = logged_in(app, world.users["staff"]).post(
        "/c/cuizhuyuan/satisfaction/new",
        data={"client_id": "c1", "title": "测评", "year": year, "closes_on": "2099-01-01", "subjects": picks},
    )
    assert response.status_code == 400
    assert count(Campaign) == 0 and count(Survey) == 0


def test_a_resident_of_another_community_cannot_pick_this_worker(world):
    with pytest.raises(DomainError):
        services.create(
            viewer(world, "other_staff", world.other),
            client_id="x",
            title="测评",
            year=2026,
            closes_at=utcnow() + timedelta(days=1),
            picks=[f"worker:{world.users['staff'].id}"],
        )
    db.session.rollback()
    assert count(Campaign) == 0


def test_retry_returns_the_first_campaign(world):
    args = {"client_id": "same", "title": "测评", "year": 2026, "closes_at": utcnow() + timedelta(days=1)}
    first = services.create(viewer(world, "staff"), picks=[f"worker:{world.users['staff'].id}"], **args)
    again = services.create(viewer(world, "staff"), picks=[f"worker:{world.users['staff'].id}"], **args)
    assert first.id == again.id and count(Campaign) == 1


def test_opening_tells_residents_and_the_tick_reminds_then_closes(app, world):
    made = campaign(world)
    told = db.session.scalars(db.select(Notification).where(Notification.kind == notices.OPENED)).all()
    assert {n.user_id for n in told} == {
        world.users[k].id
        for k in (
            "resident",
            "owner",
            "leader_a",
            "leader_b",
            "group_leader",
            "resident_rep",
            "owners_committee",
            "other_resident",
        )
        if k != "other_resident"
    }
    survey = db.session.get(Survey, made.subjects[0].survey_id)
    assert survey.state == SurveyState.OPEN
    assert _answer(app, world, "resident", survey, overall=5).status_code == 302
    day_before = made.closes_at - timedelta(hours=24)
    sent = notices.remind_closing(day_before)
    db.session.commit()
    reminded = {
        n.user_id for n in db.session.scalars(db.select(Notification).where(Notification.kind == notices.CLOSING))
    }
    assert (
        world.users["resident"].id not in reminded and world.users["leader_a"].id not in reminded
    )  # household a101 answered
    assert world.users["owner"].id in reminded and sent == len(reminded)
    assert notices.remind_closing(day_before) == 0  # once
    assert services.close_due(made.closes_at + timedelta(seconds=1)) == 1
    db.session.commit()
    assert made.state == CampaignState.CLOSED and survey.state == SurveyState.CLOSED


def _closed_with_org_and_worker(app, world):
    org = _organisation(world)
    made = campaign(world, picks=[f"worker:{world.users['staff'].id}", f"organisation:{org.id}"])
    by_kind = {s.kind: db.session.get(Survey, s.survey_id) for s in made.subjects}
    for key, score in (("resident", 5), ("owner", 4), ("leader_b", 2)):
        assert _answer(app, world, key, by_kind["worker"], overall=score).status_code == 302
        assert _answer(app, world, key, by_kind["organisation"], overall=score, responsive=5).status_code == 302
    services.close(made, actor=viewer(world, "staff"))
    db.session.commit()
    return made, by_kind


@pytest.mark.parametrize(
    "key, worker, organisation",
    [
        ("staff", 200, 200),  # the worker judged: their own results
        ("street_staff", 200, 200),
        ("district_staff", 200, 200),
        ("resident", 404, 200),  # residents: organisations' and projects' results, never a worker's
        ("social_org", 404, 200),
        ("other_staff", 404, 404),
        ("other_resident", 404, 404),
    ],
)
def test_results_per_role(app, world, key, worker, organisation):
    _made, by_kind = _closed_with_org_and_worker(app, world)
    http = logged_in(app, world.users[key])
    assert http.get(f"/surveys/{by_kind['worker'].id}/results").status_code == worker
    assert http.get(f"/surveys/{by_kind['organisation'].id}/results").status_code == organisation


def test_another_worker_does_not_see_a_colleagues_results(app, world):
    colleague = factories.user(name="colleague")
    factories.membership(colleague, world.community, Role.COMMUNITY_STAFF)
    db.session.commit()
    _made, by_kind = _closed_with_org_and_worker(app, world)
    assert logged_in(app, colleague).get(f"/surveys/{by_kind['worker'].id}/results").status_code == 404


def test_far_street_staff_see_nothing(app, world):
    made, by_kind = _closed_with_org_and_worker(app, world)
    far = factories.user(name="far_street")
    factories.office(far, OfficeRole.STREET_STAFF, street_=world.far.street)
    db.session.commit()
    http = logged_in(app, far)
    assert http.get(f"/satisfaction/{made.id}").status_code == 404
    assert http.get(f"/surveys/{by_kind['worker'].id}/results").status_code == 404


def test_campaign_page_shows_scores_exactly(app, world):
    made, _by_kind = _closed_with_org_and_worker(app, world)
    body = logged_in(app, world.users["street_staff"]).get(f"/satisfaction/{made.id}").get_data(as_text=True)
    # overall (5 + 4 + 2) / 3 = 11/3 on 1..5, responsiveness 3; score ((11/3 - 1)/4 + (3 - 1)/4) / 2 = 7/12
    assert "11/3 (≈ 3.67)" in body and "7/12 (≈ 0.58)" in body
    resident_page = logged_in(app, world.users["resident"]).get(f"/satisfaction/{made.id}").get_data(as_text=True)
    assert "7/12" not in resident_page.split("雨花睦邻社工服务中心")[0]  # the worker's score is not shown to residents


@pytest.mark.parametrize(
    "key, status", [("staff", 302), ("street_staff", 302), ("resident", 403), ("other_staff", 404)]
)
def test_publish_note_per_role(app, world, key, status):
    made, _by_kind = _closed_with_org_and_worker(app, world)
    response = logged_in(app, world.users[key]).post(f"/satisfaction/{made.id}/note", data={"note": "已增加周末值班。"})
    assert response.status_code == status
    db.session.refresh(made)
    assert (made.note_published_at is not None) == (status == 302)
    if status == 302:
        assert "已增加周末值班。" in logged_in(app, world.users["resident"]).get(f"/satisfaction/{made.id}").get_data(
            as_text=True
        )


def test_note_refused_before_close(app, world):
    made = campaign(world)
    response = logged_in(app, world.users["staff"]).post(f"/satisfaction/{made.id}/note", data={"note": "x"})
    assert response.status_code == 409
    db.session.refresh(made)
    assert made.note_published_at is None


@pytest.mark.parametrize(
    "key, status", [("staff", 302), ("district_staff", 302), ("resident", 403), ("other_staff", 404)]
)
def test_open_per_role(app, world, key, status):
    made = campaign(world, open_=False)
    response = logged_in(app, world.users[key]).post(f"/satisfaction/{made.id}/open")
    assert response.status_code == (404 if key == "resident" else status)  # a draft is invisible to residents
    db.session.refresh(made)
    assert (made.state == CampaignState.OPEN) == (status == 302)


def test_assessment_weights_and_formula(app, world):
    made, _by_kind = _closed_with_org_and_worker(app, world)
    second = campaign(world, title="第二次测评")
    survey = db.session.get(Survey, second.subjects[0].survey_id)
    _answer(app, world, "resident", survey, overall=5, responsive=5)
    services.close(second)
    db.session.commit()
    district = logged_in(app, world.users["district_staff"])
    assert district.post(f"/satisfaction/{made.id}/weight", data={"weight": "1/4"}).status_code == 302
    assert district.post(f"/satisfaction/{second.id}/weight", data={"weight": "3/4"}).status_code == 302
    assert district.post(f"/satisfaction/{second.id}/weight", data={"weight": "2"}).status_code == 400
    # worker: 1/4 × 7/12 + 3/4 × 1 = 7/48 + 36/48 = 43/48
    body = district.get("/satisfaction/assessment?year=2026").get_data(as_text=True)
    assert "43/48" in body and "Σ" in body
    assert logged_in(app, world.users["street_staff"]).get("/satisfaction/assessment?year=2026").status_code == 200
    assert (
        logged_in(app, world.users["street_staff"])
        .post(f"/satisfaction/{made.id}/weight", data={"weight": "1/2"})
        .status_code
        == 404
    )
    own = logged_in(app, world.users["staff"]).get("/satisfaction/assessment?year=2026")
    assert own.status_code == 200 and "43/48" in own.get_data(as_text=True)
    assert logged_in(app, world.users["resident"]).get("/satisfaction/assessment?year=2026").status_code == 404
    assert logged_in(app, world.users["other_staff"]).get("/satisfaction/assessment?year=2026").status_code == 404


def test_project_ratings_shown_beside(app, world):
    project = MicroProject(
        community_id=world.community.id,
        title="楼道扶手",
        status=ProjectStatus.COMPLETED,
        applicant_id=world.users["resident"].id,
    )
    db.session.add(project)
    db.session.flush()
    db.session.add(
        Rating(
            project_id=project.id, household_id=world.households["a102"].id, user_id=world.users["owner"].id, score=4
        )
    )
    db.session.commit()
    made = campaign(world, picks=[f"project:{project.id}"])
    _answer(app, world, "resident", db.session.get(Survey, made.subjects[0].survey_id), overall=5)
    services.close(made)
    db.session.commit()
    body = logged_in(app, world.users["resident"]).get(f"/satisfaction/{made.id}").get_data(as_text=True)
    assert "own ratings of the finished project" in body and "4.00 of 5, from 1 households" in body


def test_campaign_pages_per_role(app, world):
    made = campaign(world)
    for key, status in (
        ("resident", 200),
        ("staff", 200),
        ("street_staff", 200),
        ("district_staff", 200),
        ("other_resident", 404),
        ("outsider", 404),
    ):
        http = logged_in(app, world.users[key])
        assert http.get(f"/satisfaction/{made.id}").status_code == status
        assert http.get("/c/cuizhuyuan/satisfaction").status_code == status


def test_home_asks_households_that_have_not_answered(app, world):
    made = campaign(world)
    page = logged_in(app, world.users["owner"]).get("/c/cuizhuyuan/").get_data(as_text=True)
    assert f"/satisfaction/{made.id}" in page
    _answer(app, world, "owner", db.session.get(Survey, made.subjects[0].survey_id), overall=4)
    page = logged_in(app, world.users["owner"]).get("/c/cuizhuyuan/").get_data(as_text=True)
    assert f"/satisfaction/{made.id}" not in page
    assert f"/satisfaction/{made.id}" not in logged_in(app, world.users["staff"]).get("/c/cuizhuyuan/").get_data(
        as_text=True
    )


def test_open_refused_part_way_leaves_nothing(app, world):
    org = _organisation(world)
    made = campaign(world, picks=[f"worker:{world.users['staff'].id}", f"organisation:{org.id}"], open_=False)
    first, second = (db.session.get(Survey, s.survey_id) for s in made.subjects)
    second.state = SurveyState.CLOSED  # the second survey cannot be opened: the first was, then the refusal
    db.session.commit()
    response = logged_in(app, world.users["staff"]).post(f"/satisfaction/{made.id}/open")
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Survey, first.id).state == SurveyState.DRAFT
    assert db.session.get(Campaign, made.id).state == CampaignState.DRAFT
    assert count(Notification) == 0
