"""The survey pages per role, allowed and denied: the list and making a survey (staff), answering (verified
residents, once), opening and closing (staff), results hidden until the close (counts only), the exports and
the printable notice; strangers get 404 everywhere."""

from __future__ import annotations

import io
import uuid

import pytest
from openpyxl import load_workbook
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.surveys import services
from app.surveys.models import Survey, SurveyParticipation, SurveyResponse, SurveyState
from tests import factories
from tests.surveys import as_form, count, logged_in

ROLES_SEEING = ["resident", "leader_a", "staff", "street_staff", "district_staff", "unverified", "other_staff"]


def _survey(world, **kw):
    made = factories.survey(world.community, **kw)
    db.session.commit()
    return made


def _post_answers(app, world, key, survey, client_id=None, **kw):
    data = MultiDict(as_form(factories.survey_answers(survey, **kw)))
    data["client_id"] = client_id or uuid.uuid4().hex
    return logged_in(app, world.users[key]).post(f"/surveys/{survey.id}", data=data)


@pytest.mark.parametrize(
    "key, status",
    [
        ("resident", 200),
        ("leader_a", 200),
        ("staff", 200),
        ("street_staff", 200),
        ("district_staff", 200),
        ("other_resident", 404),
        ("other_staff", 404),
        ("outsider", 404),
    ],
)
def test_list_and_show_per_role(app, world, key, status):
    survey = _survey(world)
    http = logged_in(app, world.users[key])
    assert http.get("/c/cuizhuyuan/surveys").status_code == status
    assert http.get(f"/surveys/{survey.id}").status_code == status


def test_far_street_staff_see_nothing(app, world):
    from app.communities.models import OfficeRole

    far = factories.user(name="far_street")
    factories.office(far, OfficeRole.STREET_STAFF, street_=world.far.street)
    survey = _survey(world)
    http = logged_in(app, far)
    assert http.get(f"/surveys/{survey.id}").status_code == 404
    assert http.get("/c/cuizhuyuan/surveys").status_code == 404


def test_draft_hidden_from_residents(app, world):
    survey = _survey(world, open_=False)
    assert logged_in(app, world.users["resident"]).get(f"/surveys/{survey.id}").status_code == 404
    assert logged_in(app, world.users["staff"]).get(f"/surveys/{survey.id}").status_code == 200


@pytest.mark.parametrize("key, status", [("staff", 302), ("resident", 403), ("street_staff", 403), ("leader_a", 403)])
def test_make_a_survey_per_role(app, world, key, status):
    http = logged_in(app, world.users[key])
    questions = "\n".join(
        [
            "单选：电梯干净吗？｜干净｜一般｜不干净",
            "多选：要修什么？｜灯｜长椅",
            "评分 1-5：总体满意度",
            "文字：其他建议（选填）",
        ]
    )
    response = http.post(
        "/c/cuizhuyuan/surveys/new",
        data={"title": "楼道问卷", "questions": questions, "respondent": "person", "anonymous": "y"},
    )
    assert response.status_code == status
    made = db.session.scalar(db.select(Survey))
    if status == 302:
        assert [q.kind.value for q in made.questions] == ["single", "multiple", "scale", "text"]
        assert made.questions[3].required is False and made.state == SurveyState.DRAFT
    else:
        assert made is None


@pytest.mark.parametrize("questions", ["问题没有类别", "单选：只有一个｜选项", "评分 a-b：x", "未知：x"])
def test_make_a_survey_bad_questions(app, world, questions):
    http = logged_in(app, world.users["staff"])
    response = http.post(
        "/c/cuizhuyuan/surveys/new", data={"title": "楼道问卷", "questions": questions, "respondent": "person"}
    )
    assert response.status_code == 400
    assert count(Survey) == 0


@pytest.mark.parametrize(
    "key, status", [("staff", 302), ("resident", 404), ("street_staff", 404), ("other_staff", 404)]
)
def test_open_per_role(app, world, key, status):
    survey = _survey(world, open_=False)  # a draft: only the staff see it
    response = logged_in(app, world.users[key]).post(f"/surveys/{survey.id}/open")
    assert response.status_code == status
    db.session.refresh(survey)
    assert (survey.state == SurveyState.OPEN) == (status == 302)


@pytest.mark.parametrize(
    "key, status",
    [("staff", 302), ("resident", 403), ("street_staff", 403), ("district_staff", 403), ("other_staff", 404)],
)
def test_close_per_role(app, world, key, status):
    survey = _survey(world)
    response = logged_in(app, world.users[key]).post(f"/surveys/{survey.id}/close")
    assert response.status_code == status
    db.session.refresh(survey)
    assert (survey.state == SurveyState.CLOSED) == (status == 302)


def test_answer_once_through_the_page(app, world):
    survey = _survey(world)
    assert _post_answers(app, world, "resident", survey, scale=4).status_code == 302
    second = _post_answers(app, world, "leader_a", survey, scale=2)  # same household
    assert second.status_code == 409
    assert "already answered" in second.get_data(as_text=True)
    assert count(SurveyResponse) == 1 and count(SurveyParticipation) == 1
    assert "Your household has answered" in logged_in(app, world.users["resident"]).get(
        f"/surveys/{survey.id}"
    ).get_data(as_text=True)


def test_answer_retry_is_idempotent(app, world):
    survey = _survey(world)
    client_id = uuid.uuid4().hex
    assert _post_answers(app, world, "resident", survey, client_id=client_id, scale=4).status_code == 302
    assert _post_answers(app, world, "resident", survey, client_id=client_id, scale=4).status_code == 302
    assert count(SurveyResponse) == 1


@pytest.mark.parametrize(
    "key, status", [("staff", 403), ("street_staff", 403), ("unverified", 403), ("other_resident", 404)]
)
def test_answer_denied(app, world, key, status):
    survey = _survey(world)
    assert _post_answers(app, world, key, survey, scale=4).status_code == status
    assert count(SurveyResponse) == 0


def test_answer_after_close_refused(app, world):
    survey = _survey(world)
    services.close_survey(survey)
    db.session.commit()
    response = _post_answers(app, world, "resident", survey, scale=4)
    assert response.status_code == 409 and "closed" in response.get_data(as_text=True)
    assert count(SurveyResponse) == 0


def test_bad_answer_shown_beside_the_question(app, world):
    survey = _survey(world)
    response = _post_answers(app, world, "resident", survey)  # the scale left empty
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Please answer this question." in body and f'id="q{survey.questions[2].id}"' in body
    assert count(SurveyResponse) == 0


def test_results_hidden_until_close_even_to_staff(app, world):
    survey = _survey(world)
    _post_answers(app, world, "resident", survey, scale=4)
    staff = logged_in(app, world.users["staff"])
    assert staff.get(f"/surveys/{survey.id}/results").status_code == 404
    assert staff.get(f"/surveys/{survey.id}/results.csv").status_code == 404
    page = staff.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Responses so far" in page
    assert "Responses so far" not in logged_in(app, world.users["resident"]).get(f"/surveys/{survey.id}").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    "key, status",
    [
        ("resident", 200),
        ("staff", 200),
        ("street_staff", 200),
        ("district_staff", 200),
        ("other_resident", 404),
        ("outsider", 404),
    ],
)
def test_results_exports_and_notice_after_close(app, world, key, status):
    survey = _survey(world)
    _post_answers(app, world, "resident", survey, single=1, scale=4, text="多谢")
    services.close_survey(survey)
    db.session.commit()
    http = logged_in(app, world.users[key])
    for path in ("results", "notice", "results.csv", "results.xlsx"):
        assert http.get(f"/surveys/{survey.id}/{path}").status_code == status
    if status == 200:
        csv = http.get(f"/surveys/{survey.id}/results.csv").get_data().decode("utf-8-sig")
        assert "Overall satisfaction,Mean,1,4" in csv
        book = load_workbook(io.BytesIO(http.get(f"/surveys/{survey.id}/results.xlsx").get_data()))
        assert len(book.sheetnames) == 3
        assert "多谢" in http.get(f"/surveys/{survey.id}/results").get_data(as_text=True)


def test_results_page_in_chinese(app, world):
    survey = _survey(world)
    services.close_survey(survey)
    db.session.commit()
    world.users["resident"].locale = "zh_CN"
    db.session.commit()
    body = logged_in(app, world.users["resident"], "zh-CN").get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    assert "按楼栋" in body and "回答率" in body
