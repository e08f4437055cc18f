"""On PostgreSQL: six members of one household answer a household survey at the same moment; exactly one
response is stored, the others are refused ("already answered"); the count stays exact."""

from __future__ import annotations

import threading
import uuid

import pytest

from app.accounts.models import User
from app.communities import access
from app.communities.models import Community, Role
from app.core.errors import DomainError
from app.extensions import db
from app.surveys import queries, services
from app.surveys.models import Survey, SurveyParticipation, SurveyResponse
from tests import factories
from tests.services.conftest import pg_app, pg_db, pg_schema, pg_url  # noqa: F401  (fixtures)

pytestmark = pytest.mark.postgres


def test_one_household_answers_once_under_concurrency(pg_app, pg_db):  # noqa: F811
    community = factories.community(slug="pgsurvey")
    household = factories.household(factories.building(community))
    members = []
    for _n in range(6):
        user = factories.user()
        factories.membership(user, community, Role.RESIDENT, household_=household)
        members.append(user.id)
    survey = factories.survey(community)
    pg_db.session.commit()
    survey_id, community_id = survey.id, community.id
    start = threading.Barrier(len(members))
    outcomes = []

    def answer(user_id):
        with pg_app.app_context():
            try:
                found = db.session.get(Survey, survey_id)
                viewer = access.viewer(db.session.get(User, user_id), db.session.get(Community, community_id))
                data = factories.survey_answers(found, scale=4)
                start.wait()
                services.answer(viewer, found, client_id=uuid.uuid4().hex, answers=data)
                db.session.commit()
                outcomes.append("ok")
            except DomainError as err:
                db.session.rollback()
                outcomes.append(err.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=answer, args=(uid,)) for uid in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already_answered"] * 5 + ["ok"]
    pg_db.session.expire_all()
    assert pg_db.session.query(SurveyResponse).count() == 1
    assert pg_db.session.query(SurveyParticipation).count() == 1
    survey = pg_db.session.get(Survey, survey_id)
    services.close_survey(survey)
    pg_db.session.commit()
    found = queries.results(survey)
    assert found.responses == 1 and found.eligible == 1
