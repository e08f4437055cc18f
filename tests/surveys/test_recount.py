"""Hypothesis: the results' grouped counts equal a naïve recount of the stored answers (per option, per scale
value and mean, per building, the score), for any set of answers, named or anonymous."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.communities import access
from app.communities.models import Role
from app.extensions import db
from app.surveys import queries, services
from app.surveys.models import QuestionKind, SurveyAnswer, SurveyResponse
from tests import factories

RESIDENTS = 12

answer_sets = st.lists(
    st.tuples(
        st.integers(0, 1),  # single
        st.sets(st.integers(0, 2)),  # multiple
        st.one_of(st.none(), st.integers(1, 5)),  # scale (optional here)
        st.integers(0, 2),  # the second scale, 0..2 (required)
    ),
    min_size=0,
    max_size=RESIDENTS,
)

QUESTIONS = [
    {"kind": "single", "text": "A?", "options": ["x", "y"]},
    {"kind": "multiple", "text": "B?", "options": ["p", "q", "r"], "required": False},
    {"kind": "scale", "text": "C?", "min": 1, "max": 5, "required": False},
    {"kind": "scale", "text": "D?", "min": 0, "max": 2},
]


def _residents(world) -> list:
    if "many" not in world.households:
        people = []
        for n in range(RESIDENTS):
            building = world.building_a if n % 3 else world.building_b
            user = factories.user(name=f"r{n}")
            factories.membership(user, world.community, Role.RESIDENT, household_=factories.household(building))
            people.append(user)
        db.session.commit()
        world.households["many"] = people
    return world.households["many"]


def _naive(survey):
    responses = db.session.scalars(db.select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)).all()
    options, values, per_building = Counter(), defaultdict(list), Counter()
    for response in responses:
        per_building[response.building_id] += 1
        for a in db.session.scalars(db.select(SurveyAnswer).where(SurveyAnswer.response_id == response.id)):
            if a.option_id is not None:
                options[a.option_id] += 1
            if a.value is not None:
                values[a.question_id].append(a.value)
    return len(responses), options, values, per_building


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer_sets, st.booleans())
def test_results_equal_a_naive_recount(world, sets, anonymous):
    people = _residents(world)
    survey = factories.survey(world.community, questions=QUESTIONS, respondent="person", anonymous=anonymous)
    q = survey.questions
    for user, (single, multiple, scale, second) in zip(people, sets, strict=False):
        data = {
            f"q{q[0].id}": [str(q[0].options[single].id)],
            f"q{q[1].id}": [str(q[1].options[i].id) for i in sorted(multiple)],
            f"q{q[2].id}": [] if scale is None else [str(scale)],
            f"q{q[3].id}": [str(second)],
        }
        services.answer(access.viewer(user, world.community), survey, client_id=uuid.uuid4().hex, answers=data)
    services.close_survey(survey)
    db.session.commit()

    found = queries.results(survey)
    total, options, values, per_building = _naive(survey)
    assert found.responses == total == len(sets)
    for question in q:
        for option in question.options:
            assert found.total.options.get(option.id, 0) == options[option.id]
        if question.kind == QuestionKind.SCALE:
            got = values[question.id]
            assert found.total.mean(question) == (Fraction(sum(got), len(got)) if got else None)
    means = [
        (Fraction(sum(values[x.id]), len(values[x.id])) - x.scale_min) / (x.scale_max - x.scale_min)
        for x in q
        if x.kind == QuestionKind.SCALE and values[x.id]
    ]
    expected_score = sum(means, Fraction(0)) / len(means) if means else None
    assert found.score == expected_score
    assert queries.summary(survey).score == expected_score
    shown = {b.name: b.responses for b in found.buildings}
    names = {world.building_a.id: world.building_a.name, world.building_b.id: world.building_b.name}
    if not anonymous:
        assert shown == {names[b]: n for b, n in per_building.items()}
    else:
        for building_id, n in per_building.items():
            if n >= queries.MIN_GROUP and not found.withheld:
                assert shown[names[building_id]] == n
            else:
                assert names[building_id] not in shown
        assert sum(shown.values()) in (0, total)
