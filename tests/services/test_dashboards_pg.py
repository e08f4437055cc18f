"""The dashboards on PostgreSQL with the demo: the figures that are counted again at each level (households taking
part, households supporting needs, the median days to a decision) are asked in one statement there (grouping
sets) and must equal what the one-statement-a-level path (SQLite's) finds on the same rows; the satisfaction
response rate's denominators equal the survey engine's own eligible counts, a survey limited to one building
included."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.communities.models import Building, OfficeAssignment, OfficeRole
from app.dashboards import scopes
from app.dashboards.period import default_period
from app.dashboards.registry import ALL
from app.dashboards.sections import common
from app.dashboards.sections.satisfaction import KINDS
from app.satisfaction.models import Campaign, CampaignState, CampaignSubject
from app.surveys import queries
from app.surveys.models import Survey, SurveyBuilding
from tests.home import demo, demo_user

pytestmark = pytest.mark.postgres


def _cells(scope, period) -> dict:
    return {(s.key, f.key): dict(f.cells) for s, data in scopes.figures(scope, period) for f in data.figures}


def _limit_one_survey_to_a_building(db) -> Survey:
    subject = db.session.scalars(
        select(CampaignSubject)
        .join(Campaign, CampaignSubject.campaign_id == Campaign.id)
        .where(Campaign.state == CampaignState.CLOSED, CampaignSubject.kind.in_(KINDS))
        .order_by(CampaignSubject.id)
    ).first()
    survey = db.session.get(Survey, subject.survey_id)
    building = db.session.scalars(
        select(Building).where(Building.community_id == survey.community_id).order_by(Building.id)
    ).first()
    db.session.add(SurveyBuilding(survey_id=survey.id, building_id=building.id))
    db.session.flush()
    db.session.expire(survey)
    survey.eligible_at_close = queries.eligible_now(survey)  # as if limited from the start: its building's count
    db.session.commit()
    db.session.expire_all()
    return survey


def test_grouped_figures_equal_the_per_level_ones_and_the_engines_eligible(pg_app, pg_db, monkeypatch):
    demo(pg_app)
    scoped = _limit_one_survey_to_a_building(pg_db)
    officer = demo_user("13800000012")
    office = pg_db.session.scalar(
        select(OfficeAssignment).where(
            OfficeAssignment.user_id == officer.id, OfficeAssignment.role == OfficeRole.DISTRICT_STAFF
        )
    )
    period = default_period()
    with pg_app.test_request_context():
        district = scopes.district_scope(officer, office.district_id)
        found = {}
        streets = [scopes.street_scope(officer, street.id) for street in district.streets]
        communities = [scopes.community_scope(officer, c.slug) for c in district.communities]
        for scope in (district, *streets, *communities):
            found[scope.title] = grouped = _cells(scope, period)
            with monkeypatch.context() as patch:
                patch.setattr(common, "_postgresql", lambda: False)
                per_level = _cells(scope, period)
            assert grouped == per_level, scope.title
        grouped = found[district.title]
        for key in (("participation", "household_share"), ("ideas", "days_to_decision"), ("needs", "needs_households")):
            assert grouped[key].get((ALL, None)) and grouped[key][(ALL, None)].num > 0, key  # not vacuous

        subjects = pg_db.session.scalars(
            select(CampaignSubject)
            .join(Campaign, CampaignSubject.campaign_id == Campaign.id)
            .where(
                Campaign.state == CampaignState.CLOSED,
                Campaign.closed_at >= period.since(),
                Campaign.closed_at < period.until(),
                CampaignSubject.kind.in_(KINDS),
            )
        ).all()
        surveys = [pg_db.session.get(Survey, s.survey_id) for s in subjects]
        assert scoped in surveys and scoped.building_ids
        assert queries.eligible(scoped) < queries.eligible(next(s for s in surveys if not s.building_ids))
        rate = grouped[("satisfaction", "satisfaction_rate")][(ALL, None)]
        assert rate.den == sum(queries.eligible(s) for s in surveys) > 0
