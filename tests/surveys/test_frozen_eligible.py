"""The response rate's denominator is frozen at the close: households (or residents) who join afterwards do not
move a published rate, on the results page, in the summary an owner records, or on the dashboards."""

from __future__ import annotations

from fractions import Fraction

from app.communities.models import Role
from app.extensions import db
from app.surveys import queries, services
from tests import factories
from tests.surveys import answer


def _join_new_household(world):
    household = factories.household(world.building_a, "3", "301")
    newcomer = factories.user(name="newcomer")
    factories.membership(newcomer, world.community, Role.RESIDENT, household_=household)
    db.session.commit()


def test_a_household_joining_after_the_close_leaves_the_rate_alone(world):
    survey = factories.survey(world.community)
    db.session.commit()
    answer(world, "resident", survey, scale=4)
    before = queries.eligible_now(survey)
    services.close_survey(survey)
    db.session.commit()
    assert survey.eligible_at_close == before
    _join_new_household(world)
    assert queries.eligible_now(survey) == before + 1  # the community grew
    found = queries.results(survey)
    assert found.eligible == before and found.rate == Fraction(1, before)
    assert queries.summary(survey).eligible == before


def test_while_open_the_count_follows_the_community(world):
    survey = factories.survey(world.community, respondent="person")
    db.session.commit()
    before = queries.eligible(survey)
    _join_new_household(world)
    assert survey.eligible_at_close is None
    assert queries.eligible(survey) == before + 1


def test_the_results_page_shows_the_frozen_rate(app, world):
    survey = factories.survey(world.community)
    db.session.commit()
    answer(world, "resident", survey, scale=4)
    services.close_survey(survey)
    db.session.commit()
    frozen = survey.eligible_at_close
    _join_new_household(world)
    http = app.test_client()
    with http.session_transaction() as session:
        session["_user_id"] = factories.login_token(world.users["staff"])
    page = http.get(f"/surveys/{survey.id}/results", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"1/{frozen}" in page
    assert f"1/{frozen + 1}" not in page
