"""Residents' satisfaction with a service project's milestone (评估兑现): when the organisation submits a
milestone for evaluation, its community's households are asked, anonymously, in a survey of the survey engine;
when the survey closes (by its time, on the tick, or by the community's staff), its summary is recorded on the
milestone, which may then be signed off and paid (docs/procurement.md).

Procurement knows no survey's pages and the survey engine knows no milestone: this flow joins them. It also
makes service projects (a contract) a subject of the satisfaction campaigns (app/satisfaction/subjects.py),
which may not read procurement themselves: residents judge the project, its organisation's agents read their
own results."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.communities.access import Viewer
from app.core.errors import Conflict, Forbidden
from app.core.models import utcnow
from app.core.web import path_for as _path
from app.extensions import db
from app.notifications import kinds
from app.notifications.kinds import Importance
from app.notifications.services import notify
from app.procurement import permissions as procurement_permissions
from app.procurement import queries as procurement_queries
from app.procurement import services as procurement
from app.procurement import signals as procurement_signals
from app.procurement.models import Contract, Milestone, MilestoneStatus, ServiceCall
from app.satisfaction import subjects
from app.satisfaction.queries import residents
from app.surveys import queries as survey_queries
from app.surveys import registry
from app.surveys import services as surveys
from app.surveys import signals as survey_signals
from app.surveys.models import Respondent, Survey, SurveyState

OWNER = procurement_queries.SURVEY_OWNER  # the survey engine's owner kind: procurement names it, this flow registers it
ASKED = "milestone_satisfaction"
SURVEY_DAYS = 7  # how long the households have to answer

kinds.register(ASKED, Importance.ACTION, _l("A service project asks how satisfied you are with its work"))


def _milestone(survey: Survey) -> Milestone | None:
    return db.session.get(Milestone, survey.owner_id) if survey.owner_id else None


registry.register(
    registry.OwnerKind(
        name=OWNER,
        # the project is the community's: its members answer and, once closed, read the results
        can_view=lambda viewer, survey: isinstance(viewer, Viewer) and viewer.may_see,
        # the community's staff may close it early, once enough households have answered
        can_manage=lambda viewer, survey: isinstance(viewer, Viewer) and viewer.is_staff,
        can_see_results=lambda viewer, survey: isinstance(viewer, Viewer) and viewer.may_see,
        url=lambda survey: _path("procurement.milestone", milestone_id=survey.owner_id),
        label=_l("Service project milestone"),
    )
)


@procurement_signals.milestone_submitted.connect
def _ask_households(milestone: Milestone, **_extra) -> Survey:
    """A household survey opens for the submitted milestone, and the community's residents are told."""
    community = milestone.contract.call.community
    title = _l("Satisfaction with “%(title)s”", title=milestone.title)
    survey = surveys.create_survey(
        community,
        title=str(title)[:120],
        description=milestone.deliverable,
        questions=[
            {
                "kind": "scale",
                "text": str(_l("How satisfied are you with what was delivered?")),
                "min": 1,
                "max": 5,
                "required": True,
            },
            {"kind": "text", "text": str(_l("Anything to add? (optional)")), "required": False},
        ],
        respondent=Respondent.HOUSEHOLD,
        anonymous=True,
        owner_kind=OWNER,
        owner_id=milestone.id,
        closes_at=utcnow() + timedelta(days=SURVEY_DAYS),
        created_by=None,
    )
    surveys.open_survey(survey)
    url = _path("surveys.show", survey_id=survey.id)
    for user in residents(community.id):
        notify(
            user,
            ASKED,
            _l("“%(title)s”: tell us how satisfied you are with this work (anonymous).", title=milestone.title),
            url=url,
            community_id=community.id,
            key=f"{ASKED}:{survey.id}",
        )
    return survey


@survey_signals.survey_closed.connect
def _record(survey: Survey, **_extra) -> None:
    """The milestone's survey closed: its summary becomes the milestone's satisfaction record. A survey nobody
    answered records nothing (the milestone page says so; the staff ask again)."""
    if survey.owner_kind != OWNER:
        return
    milestone = _milestone(survey)
    if milestone is None or milestone.status != MilestoneStatus.SUBMITTED or milestone.satisfaction is not None:
        return
    summary = survey_queries.summary(survey)
    if not summary.responses or summary.score is None:
        return
    procurement.record_satisfaction(
        milestone,
        survey_id=survey.id,
        responses=summary.responses,
        eligible=summary.eligible,
        score=summary.score,
    )


def ask_again(party, milestone: Milestone) -> Survey:
    """The survey closed with no answers: whoever may sign the milestone off (the call's staff, its panel's
    experts) asks the households again, with a new survey. Refused while one is open or once it is recorded."""
    if not procurement_permissions.can_sign_off(party, milestone):
        raise Forbidden(_l("Only the call's staff or its panel's experts ask the households again."))
    if milestone.status != MilestoneStatus.SUBMITTED or milestone.satisfaction is not None:
        raise Conflict("not_waiting", _l("This milestone is not waiting for residents' satisfaction."))
    survey = procurement_queries.satisfaction_survey(milestone)
    if survey is not None and survey.state != SurveyState.CLOSED:
        raise Conflict("survey_open", _l("The households are being asked already: wait for the survey to close."))
    return _ask_households(milestone)


def _service_projects(community) -> list[tuple[int, str]]:
    """The community's contracts, named by their call and organisation."""
    rows = db.session.execute(
        select(Contract)
        .join(ServiceCall, Contract.call_id == ServiceCall.id)
        .where(Contract.community_id == community.id)
        .order_by(Contract.id)
    ).scalars()
    return [(c.id, f"{c.call.title}（{c.organisation.name}）") for c in rows]


def _is_contractor(viewer, contract_id: int) -> bool:
    contract = db.session.get(Contract, contract_id)
    return contract is not None and viewer.user_id is not None and contract.organisation.is_agent(viewer.user_id)


subjects.register(
    subjects.SubjectKind(
        "service_project",
        _l("Service project"),
        _service_projects,
        public=True,
        is_subject=_is_contractor,
    )
)
