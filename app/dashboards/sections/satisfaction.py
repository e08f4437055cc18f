"""Satisfaction (群众满意度): campaigns closed, responses, the response rate, and the mean score by subject kind
(organisations, micro-projects, service projects), all counted at the campaign's close.

Community workers are left out of every figure here: a worker's results are read by that worker and the street
and district staff on the campaign's own page only, and a community with one worker would show that worker's
result as the community's mean. The responses and the rate are those of the subjects shown."""

from __future__ import annotations

from math import lcm

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, select

from app.communities.models import Household, MemberRole, Membership, MembershipStatus, Role
from app.dashboards.period import Period
from app.dashboards.registry import COUNT, SHARE, Figure, Scope, SectionData, section
from app.dashboards.sql import bucket, within
from app.extensions import db
from app.satisfaction.models import Campaign, CampaignState, CampaignSubject
from app.surveys.models import (
    Question,
    QuestionKind,
    Respondent,
    Survey,
    SurveyAnswer,
    SurveyBuilding,
    SurveyParticipation,
)

KINDS = ("organisation", "project", "service_project")  # never "worker"


def _link(community, _period):
    return url_for("satisfaction.index", slug=community.slug)


def _closed(scope: Scope, period: Period):
    return (
        Campaign.community_id.in_(scope.community_ids),
        Campaign.state == CampaignState.CLOSED,
        within(Campaign.closed_at, period),
    )


def _subjects(scope: Scope, period: Period):
    """The closed campaigns' subjects shown here: their community, the close's bucket, their survey, kind."""
    return (
        select(
            Campaign.community_id.label("cid"),
            bucket(Campaign.closed_at, period).label("b"),
            CampaignSubject.survey_id.label("survey_id"),
            CampaignSubject.kind.label("kind"),
        )
        .join(Campaign, CampaignSubject.campaign_id == Campaign.id)
        .where(*_closed(scope, period), CampaignSubject.kind.in_(KINDS))
        .subquery()
    )


def _eligible(subjects):
    """Per survey, who may answer it today, as the survey engine counts them (queries.eligible_now): verified
    residents (a person survey) or their distinct households (a household survey); `_rate` prefers the count the
    survey kept at its close. A survey open to the whole community takes its community's two counts, found once
    per community; one limited to some buildings is counted on its own."""
    residents = and_(
        Membership.status == MembershipStatus.VERIFIED,
        MemberRole.role == Role.RESIDENT,
    )
    household = Survey.respondent == Respondent.HOUSEHOLD
    per_community = (
        select(
            Membership.community_id.label("cid"),
            func.count(Membership.id.distinct()).label("persons"),
            func.count(Membership.household_id.distinct()).label("households"),
        )
        .join(MemberRole, MemberRole.membership_id == Membership.id)
        .where(residents, Membership.community_id.in_(select(subjects.c.cid).distinct()))
        .group_by(Membership.community_id)
        .subquery()
    )
    scoped = exists().where(SurveyBuilding.survey_id == Survey.id)
    key = case((household, Membership.household_id), else_=Membership.id)
    per_scoped_survey = (
        select(Survey.id.label("survey_id"), func.count(key.distinct()).label("n"))
        .join(subjects, subjects.c.survey_id == Survey.id)
        .join(SurveyBuilding, SurveyBuilding.survey_id == Survey.id)
        .join(Household, Household.building_id == SurveyBuilding.building_id)
        .join(Membership, and_(Membership.household_id == Household.id, Membership.community_id == Survey.community_id))
        .join(MemberRole, MemberRole.membership_id == Membership.id)
        .where(residents)
        .group_by(Survey.id)
        .subquery()
    )
    whole = case((household, per_community.c.households), else_=per_community.c.persons)
    return (
        select(
            Survey.id.label("survey_id"),
            case((scoped, func.coalesce(per_scoped_survey.c.n, 0)), else_=func.coalesce(whole, 0)).label("n"),
        )
        .join(subjects, subjects.c.survey_id == Survey.id)
        .outerjoin(per_community, per_community.c.cid == Survey.community_id)
        .outerjoin(per_scoped_survey, per_scoped_survey.c.survey_id == Survey.id)
        .subquery()
    )


def _rate(scope: Scope, period: Period, responses: Figure, rate: Figure) -> None:
    subjects = _subjects(scope, period)
    answered = (
        select(SurveyParticipation.survey_id.label("survey_id"), func.count().label("n"))
        .join(subjects, subjects.c.survey_id == SurveyParticipation.survey_id)
        .group_by(SurveyParticipation.survey_id)
        .subquery()
    )
    eligible = _eligible(subjects)
    rows = db.session.execute(
        select(
            subjects.c.cid,
            subjects.c.b,
            func.coalesce(func.sum(answered.c.n), 0),
            # the count frozen at the survey's close where it was kept, else as the engine counts it today
            func.coalesce(func.sum(func.coalesce(Survey.eligible_at_close, eligible.c.n)), 0),
        )
        .select_from(subjects)
        .join(Survey, Survey.id == subjects.c.survey_id)
        .outerjoin(answered, answered.c.survey_id == subjects.c.survey_id)
        .outerjoin(eligible, eligible.c.survey_id == subjects.c.survey_id)
        .group_by(subjects.c.cid, subjects.c.b)
    ).all()
    responses.add_rows(scope, [(cid, b, n, 0) for cid, b, n, _e in rows])
    rate.add_rows(scope, rows)


def _scores(scope: Scope, period: Period, figures: dict[str, Figure]) -> None:
    """Each scale answer normalised to 0..1 as (value − min) / (max − min); SQL sums them per range, and one
    common denominator (the lcm of the ranges met) keeps every cell an exact num / den that adds up."""
    subjects = _subjects(scope, period)
    scales = (
        select(Question.id)
        .join(subjects, subjects.c.survey_id == Question.survey_id)
        .where(Question.kind == QuestionKind.SCALE)
    )
    per_question = (  # the answers summed per question first: a few hundred rows to bucket, not every answer
        select(
            SurveyAnswer.question_id.label("question_id"),
            func.sum(SurveyAnswer.value).label("total"),
            func.count().label("n"),
        )
        .where(SurveyAnswer.question_id.in_(scales), SurveyAnswer.value.is_not(None))
        .group_by(SurveyAnswer.question_id)
        .subquery()
    )
    width = (Question.scale_max - Question.scale_min).label("width")
    rows = db.session.execute(
        select(
            subjects.c.cid,
            subjects.c.b,
            subjects.c.kind,
            width,
            func.sum(per_question.c.total - Question.scale_min * per_question.c.n),
            func.sum(per_question.c.n),
        )
        .select_from(per_question)
        .join(Question, per_question.c.question_id == Question.id)
        .join(subjects, subjects.c.survey_id == Question.survey_id)
        .group_by(subjects.c.cid, subjects.c.b, subjects.c.kind, width)
    ).all()
    common = lcm(*(int(r[3]) for r in rows)) if rows else 1
    for kind, figure in figures.items():
        figure.add_rows(
            scope,
            [(cid, b, int(s) * (common // int(w)), int(n) * common) for cid, b, k, w, s, n in rows if k == kind],
        )


@section("satisfaction", _l("Satisfaction"), 55)
def build(scope: Scope, period: Period) -> SectionData:
    closed = Figure("campaigns_closed", _("Satisfaction campaigns closed"), COUNT, _link)
    b = bucket(Campaign.closed_at, period)
    closed.add_rows(
        scope,
        db.session.execute(
            select(Campaign.community_id, b, func.count(), 0)
            .where(*_closed(scope, period))
            .group_by(Campaign.community_id, b)
        ),
    )
    responses = Figure("satisfaction_responses", _("Satisfaction responses"), COUNT, _link)
    rate = Figure("satisfaction_rate", _("Satisfaction response rate"), SHARE, _link)
    _rate(scope, period, responses, rate)
    scores = {
        "organisation": Figure("score_organisation", _("Mean score: social organisations"), SHARE, _link),
        "project": Figure("score_project", _("Mean score: micro-projects"), SHARE, _link),
        "service_project": Figure("score_service_project", _("Mean score: service projects"), SHARE, _link),
    }
    _scores(scope, period, scores)
    return SectionData([closed, responses, rate, *scores.values()])
