"""The milestone's satisfaction survey (app/flows/milestone_satisfaction.py): submitted → the households are
asked, anonymously; the survey's close records its exact summary on the milestone; a survey nobody answered
records nothing, and the staff or a panel expert ask again."""

from __future__ import annotations

from fractions import Fraction

import pytest
from sqlalchemy import select

from app.communities import access
from app.core.errors import DomainError
from app.extensions import db
from app.flows import milestone_satisfaction as flow
from app.notifications.models import Notification
from app.procurement import queries, services
from app.procurement.models import MilestoneStatus
from app.surveys import services as surveys
from app.surveys.models import Survey, SurveyState
from tests.procurement import edge, evidence, party
from tests.procurement.test_flow import _contract


def _submitted(pw):
    contract = _contract(pw)
    first = contract.milestones[0]
    evidence(first, pw.users["social_org"])
    edge(services.submit_milestone, party(pw.users["social_org"], pw.call), first, report="已开餐，每日30份")
    return first


def _survey(milestone) -> Survey:
    return db.session.scalars(
        select(Survey).where(Survey.owner_kind == "milestone", Survey.owner_id == milestone.id).order_by(Survey.id)
    ).all()


def _answer(pw, key, survey, grade):
    viewer = access.viewer(pw.users[key], pw.call.community)
    question = survey.questions[0]
    edge(surveys.answer, viewer, survey, client_id=f"c-{key}", answers={f"q{question.id}": [str(grade)]})


def test_a_submitted_milestone_asks_the_households_and_the_close_records_the_exact_score(app, pw):
    milestone = _submitted(pw)
    [survey] = _survey(milestone)
    assert survey.state == SurveyState.OPEN and survey.anonymous and survey.respondent.value == "household"
    told = db.session.scalars(select(Notification.user_id).where(Notification.kind == flow.ASKED)).all()
    assert pw.users["resident"].id in told and pw.users["staff"].id not in told
    _answer(pw, "resident", survey, 5)  # household a101
    _answer(pw, "owner", survey, 3)  # household a102
    with pytest.raises(DomainError):  # a101 again, through another member
        _answer(pw, "leader_a", survey, 1)
    edge(surveys.close_survey, survey)

    record = milestone.satisfaction
    assert record is not None and record.survey_id == survey.id and record.responses == 2
    # (5 - 1) / 4 and (3 - 1) / 4: the mean of 1 and 1/2
    assert record.score == Fraction(3, 4)
    assert record.eligible == 3  # the three households with verified residents
    evaluation = edge(services.sign_off, party(pw.users["staff"], pw.call), milestone, note="验收合格，资料齐全")
    assert evaluation is not None and milestone.status == MilestoneStatus.EVALUATED


def test_a_survey_nobody_answered_records_nothing_and_is_asked_again_by_staff_only(app, pw, as_):
    milestone = _submitted(pw)
    [first] = _survey(milestone)
    url = f"/procurement/milestones/{milestone.id}/ask-again"
    assert as_("staff").post(url).status_code == 302
    assert len(_survey(milestone)) == 1  # refused: the survey is still open
    edge(surveys.close_survey, first)
    assert milestone.satisfaction is None and milestone.status == MilestoneStatus.SUBMITTED
    page = as_("staff").get(f"/procurement/milestones/{milestone.id}")
    assert "The survey closed with no answers." in page.get_data(as_text=True)

    for key in ("resident", "social_org"):  # a resident, the organisation itself
        assert as_(key).post(url).status_code == 403
    assert len(_survey(milestone)) == 1
    assert as_("far_street_staff").post(url).status_code == 404
    assert as_("expert_panel").post(url).status_code == 302
    [_old, new] = _survey(milestone)
    assert new.state == SurveyState.OPEN
    assert as_("staff").post(url).status_code == 302  # one open already: nothing more
    assert len(_survey(milestone)) == 2


def test_residents_answer_the_milestone_survey_and_outsiders_do_not_see_it(app, pw, as_):
    milestone = _submitted(pw)
    [survey] = _survey(milestone)
    assert as_("resident").get(f"/surveys/{survey.id}").status_code == 200
    assert as_("outsider").get(f"/surveys/{survey.id}").status_code == 404
    assert f"/surveys/{survey.id}" in as_("staff").get(f"/procurement/milestones/{milestone.id}").get_data(True)


def test_a_service_project_is_a_subject_of_the_satisfaction_campaigns(app, pw):
    from app.satisfaction import permissions as satisfaction_permissions
    from app.satisfaction import services as satisfaction_services
    from app.satisfaction import subjects
    from app.satisfaction.models import CampaignSubject
    from tests.satisfaction import campaign

    contract = _contract(pw)
    kind = subjects.kind("service_project")
    assert kind.choices(pw.call.community) == [(contract.id, f"{pw.call.title}（雨花睦邻社工服务中心）")]
    assert kind.choices(pw.world.far) == []
    made = campaign(pw.world, picks=[f"service_project:{contract.id}"])
    [subject] = made.subjects
    assert isinstance(subject, CampaignSubject) and subject.kind == "service_project"
    satisfaction_services.close(made)
    db.session.commit()

    def sees(key, community=None):
        viewer = access.viewer(pw.users[key], community or pw.call.community)
        return satisfaction_permissions.can_see_results(viewer, made, subject)

    # the contractor's agents are the one judged; the project's results are public to the community's members
    assert kind.is_subject(access.viewer(pw.users["social_org"], pw.call.community), contract.id)
    assert not kind.is_subject(access.viewer(pw.users["agent2"], pw.call.community), contract.id)
    assert sees("social_org") and sees("resident") and sees("agent2")
    assert not sees("outsider")


def test_the_organisations_showcase_lists_its_service_projects(app, pw, as_):
    milestone = _submitted(pw)
    [survey] = _survey(milestone)
    _answer(pw, "resident", survey, 4)
    edge(surveys.close_survey, survey)
    contract = milestone.contract
    url = f"/orgs/{pw.org.id}/showcase"
    for key, opens in (("resident", True), ("social_org", True), ("agent_far", False)):
        page = as_(key).get(url)
        assert page.status_code == 200, key
        html = page.get_data(as_text=True)
        assert 'id="showcase-projects"' in html, key
        assert pw.call.title in html, key
        assert "<td>75.0%</td>" in html, key
        assert (f'href="/procurement/contracts/{contract.id}"' in html) is opens, key
    assert 'id="showcase-projects"' not in as_("resident").get(f"/orgs/{pw.org2.id}/showcase").get_data(True)


def test_the_milestone_page_finds_the_survey_the_flow_opened(app, pw):
    """Procurement names the survey engine's owner kind; the flow registers and opens surveys under it."""
    milestone = _submitted(pw)
    [survey] = _survey(milestone)
    assert flow.OWNER == queries.SURVEY_OWNER
    assert queries.satisfaction_survey(milestone) == survey
