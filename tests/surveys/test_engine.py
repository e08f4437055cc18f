"""The engine's rules: one response per person or household (a second refused, nothing stored), retries by
client_id, answering before the opening or after the close refused, anonymous responses carrying nobody,
bad answers refused beside their question, exact results and the owners' summary."""

from __future__ import annotations

import uuid
from datetime import timedelta
from fractions import Fraction

import pytest

from app.core.errors import DomainError
from app.core.models import utcnow
from app.extensions import db
from app.surveys import queries, services
from app.surveys.models import SurveyAnswer, SurveyParticipation, SurveyResponse, SurveyState
from tests import factories
from tests.surveys import answer, count, viewer


def test_household_answers_once_and_a_second_member_is_refused(world):
    survey = factories.survey(world.community)
    db.session.commit()
    answer(world, "resident", survey, scale=4)  # household a101
    with pytest.raises(DomainError) as refused:
        answer(world, "leader_a", survey, scale=2)  # the same household
    db.session.rollback()
    assert refused.value.code == "already_answered"
    assert count(SurveyResponse, survey_id=survey.id) == 1
    assert count(SurveyParticipation, survey_id=survey.id) == 1


def test_person_survey_each_member_once(world):
    survey = factories.survey(world.community, respondent="person")
    db.session.commit()
    answer(world, "resident", survey, scale=4)
    answer(world, "leader_a", survey, scale=2)
    with pytest.raises(DomainError):
        answer(world, "resident", survey, scale=5)
    db.session.rollback()
    assert count(SurveyResponse, survey_id=survey.id) == 2


def test_retry_with_the_same_client_id_returns_the_first(world):
    survey = factories.survey(world.community)
    db.session.commit()
    client_id = uuid.uuid4().hex
    first = answer(world, "resident", survey, scale=4, client_id=client_id)
    again = answer(world, "resident", survey, scale=1, client_id=client_id)
    assert (again.survey_id, again.respondent_key) == (first.survey_id, first.respondent_key)
    assert count(SurveyResponse, survey_id=survey.id) == 1
    assert db.session.scalar(db.select(SurveyAnswer.value).where(SurveyAnswer.value.is_not(None))) == 4


def test_anonymous_response_carries_nobody(world):
    survey = factories.survey(world.community, anonymous=True)
    db.session.commit()
    answer(world, "resident", survey, scale=3, text="Good work")
    response = db.session.scalar(db.select(SurveyResponse))
    assert (response.user_id, response.household_id, response.created_at) == (None, None, None)
    assert response.building_id == world.building_a.id
    taken = db.session.scalar(db.select(SurveyParticipation))
    assert taken.user_id == world.users["resident"].id
    assert not hasattr(taken, "id") and not hasattr(taken, "created_at")


def test_named_response_keeps_who(world):
    survey = factories.survey(world.community, anonymous=False)
    db.session.commit()
    answer(world, "resident", survey, scale=3)
    response = db.session.scalar(db.select(SurveyResponse))
    assert response.user_id == world.users["resident"].id
    assert response.household_id == world.households["a101"].id
    assert response.created_at is not None


def test_before_open_and_after_close_refused(world):
    draft = factories.survey(world.community, open_=False)
    db.session.commit()
    with pytest.raises(DomainError) as early:
        answer(world, "resident", draft, scale=3)
    db.session.rollback()
    assert early.value.code in ("not_open", "not_found")
    survey = factories.survey(world.community)
    services.close_survey(survey)
    db.session.commit()
    with pytest.raises(DomainError) as late:
        answer(world, "resident", survey, scale=3)
    db.session.rollback()
    assert late.value.code == "closed"
    timed = factories.survey(world.community, closes_at=utcnow() + timedelta(hours=1))
    db.session.commit()
    with pytest.raises(DomainError) as past:
        services.answer(
            viewer(world, "resident"),
            timed,
            client_id="x1",
            answers=factories.survey_answers(timed, scale=3),
            now=utcnow() + timedelta(hours=2),
        )
    db.session.rollback()
    assert past.value.code == "closed"
    assert count(SurveyResponse) == 0


@pytest.mark.parametrize(
    "change, field",
    [
        ({0: ["999999"]}, 0),  # an option of no question
        ({0: []}, 0),  # a required question unanswered
        ({2: ["6"]}, 2),  # beyond the scale
        ({2: ["abc"]}, 2),
        ({2: []}, 2),
        ({3: ["x" * 501]}, 3),
        ({3: ["bad\x00text"]}, 3),
    ],
)
def test_bad_answers_refused_beside_their_question(world, change, field):
    survey = factories.survey(world.community)
    db.session.commit()
    data = factories.survey_answers(survey, scale=3)
    for position, values in change.items():
        data[f"q{survey.questions[position].id}"] = values
    with pytest.raises(DomainError) as refused:
        services.answer(viewer(world, "resident"), survey, client_id="c1", answers=data)
    db.session.rollback()
    assert refused.value.field == f"q{survey.questions[field].id}"
    assert count(SurveyResponse) == 0 and count(SurveyParticipation) == 0


@pytest.mark.parametrize("key", ["unverified", "staff", "street_staff", "other_resident", "property_manager"])
def test_only_verified_residents_answer(world, key):
    survey = factories.survey(world.community)
    db.session.commit()
    with pytest.raises(DomainError):
        answer(world, key, survey, scale=3)
    db.session.rollback()
    assert count(SurveyResponse) == 0


def test_building_scope(world):
    survey = factories.survey(world.community, building_ids=[world.building_b.id], respondent="person")
    db.session.commit()
    with pytest.raises(DomainError):
        answer(world, "resident", survey, scale=3)  # building A
    db.session.rollback()
    answer(world, "leader_b", survey, scale=3)
    assert queries.eligible(survey) == 3  # leader_b, resident_rep, owners_committee live in building B


def test_results_and_summary(world):
    survey = factories.survey(world.community, respondent="person", anonymous=False)
    db.session.commit()
    answer(world, "resident", survey, single=0, multiple=(0, 1), scale=5, text="Thanks")
    answer(world, "leader_b", survey, single=1, multiple=(1,), scale=2)
    answer(world, "owner", survey, single=0, scale=4)
    open_summary = queries.summary(survey)
    assert (open_summary.closed, open_summary.responses, open_summary.score) == (False, 3, None)
    services.close_survey(survey)
    db.session.commit()
    found = queries.results(survey)
    q = survey.questions
    assert found.responses == 3
    assert found.total.options[q[0].options[0].id] == 2
    assert found.total.share(q[0], q[0].options[0]) == Fraction(2, 3)
    assert found.total.share(q[1], q[1].options[1]) == Fraction(2, 2)  # of the two who answered it
    assert found.total.mean(q[2]) == Fraction(11, 3)
    assert found.texts[q[3].id] == ["Thanks"]
    assert found.eligible == queries.eligible(survey)
    assert found.rate == Fraction(3, found.eligible)
    summary = queries.summary(survey)
    assert summary.closed and summary.responses == 3
    assert summary.score == (Fraction(11, 3) - 1) / 4
    assert [b.responses for b in found.buildings] == [2, 1]  # named: every building


def test_anonymous_small_buildings_merged_or_withheld(world):
    survey = factories.survey(world.community, respondent="person", anonymous=True)
    db.session.commit()
    for key in ("resident", "leader_b"):
        answer(world, key, survey, scale=3)
    services.close_survey(survey)
    db.session.commit()
    found = queries.results(survey)
    assert found.buildings == [] and found.withheld


def test_create_survey_refuses_bad_questions(world):
    bad = [
        [],
        [{"kind": "odd", "text": "x"}],
        [{"kind": "single", "text": "x", "options": ["one"]}],
        [{"kind": "single", "text": "x", "options": ["a", "a"]}],
        [{"kind": "scale", "text": "x", "min": 5, "max": 1}],
        [{"kind": "scale", "text": "x", "min": 0, "max": 11}],
        [{"kind": "text", "text": ""}],
    ]
    for questions in bad:
        with pytest.raises(DomainError) as refused:
            factories.survey(world.community, questions=questions)
        db.session.rollback()
        assert refused.value.field == "questions"


def test_tick_closes_due_surveys(world):
    survey = factories.survey(world.community, closes_at=utcnow() + timedelta(minutes=5))
    db.session.commit()
    assert services.close_due(utcnow()) == 0
    assert services.close_due(utcnow() + timedelta(minutes=6)) == 1
    db.session.commit()
    assert survey.state == SurveyState.CLOSED
