"""Needs, service projects and satisfaction campaigns with a known history in 2026 (Asia/Shanghai), written as
rows so the dashboards' counts are exact (see `more` for what is there)."""

from __future__ import annotations

import uuid
from datetime import date

from app.extensions import db
from app.needs.models import GuidanceItem, GuidanceStatus, Need, NeedEvent, NeedStatus, NeedSupport
from app.procurement.models import (
    Application,
    Contract,
    Evaluation,
    Milestone,
    MilestoneStatus,
    Payment,
    ServiceCall,
)
from app.satisfaction.models import Campaign, CampaignState, CampaignSubject
from app.surveys.models import (
    Question,
    QuestionKind,
    Respondent,
    Survey,
    SurveyAnswer,
    SurveyParticipation,
    SurveyResponse,
    SurveyState,
)
from tests import factories
from tests.dashboards.conftest import at


def need(world, community, created, *events, supports=()):
    made = Need(
        community_id=community.id,
        author_id=world.users["resident"].id,
        client_id=uuid.uuid4().hex,
        title="需求",
        created_at=created,
    )
    db.session.add(made)
    db.session.flush()
    for status, when in events:
        db.session.add(NeedEvent(need_id=made.id, to_status=status, created_at=when))
    for household, when in supports:
        db.session.add(NeedSupport(need_id=made.id, household_id=household.id, created_at=when))
    return made


def guidance(community, street, published=None):
    item = GuidanceItem(
        street_id=street.id,
        community_id=community.id if community else None,
        year=2026,
        title="指引",
        status=GuidanceStatus.PUBLISHED if published else GuidanceStatus.DRAFT,
        published_at=published,
    )
    db.session.add(item)
    db.session.flush()
    return item


def call(community, item, created):
    made = ServiceCall(
        street_id=community.street_id,
        community_id=community.id,
        guidance_item_id=item.id,
        client_id=uuid.uuid4().hex,
        title="服务",
        scope="范围",
        ceiling_fen=100_000,
        deadline=at(12, 1),
        created_at=created,
    )
    db.session.add(made)
    db.session.flush()
    return made


def contract(world, community, item, *, created, milestones):
    """A contract of the milestones' amounts; each milestone (fen, evaluated at, paid at) is signed and paid."""
    made_call = call(community, item, created)
    org = factories.organisation(community.street.district)
    total = sum(fen for fen, _e, _p in milestones)
    application = Application(call_id=made_call.id, organisation_id=org.id, plan="计划", total_fen=total)
    db.session.add(application)
    db.session.flush()
    made = Contract(
        call_id=made_call.id,
        application_id=application.id,
        organisation_id=org.id,
        community_id=community.id,
        total_fen=total,
        created_at=created,
    )
    db.session.add(made)
    db.session.flush()
    for n, (fen, evaluated, paid) in enumerate(milestones):
        milestone = Milestone(
            contract_id=made.id,
            position=n,
            title="节点",
            deliverable="成果",
            due_on=date(2026, 12, 1),
            share_num=1,
            share_den=len(milestones),
            amount_fen=fen,
            status=MilestoneStatus.PAID
            if paid
            else MilestoneStatus.EVALUATED
            if evaluated
            else MilestoneStatus.PENDING,
        )
        db.session.add(milestone)
        db.session.flush()
        if evaluated:
            evaluation = Evaluation(milestone_id=milestone.id, note="验收", signed_at=evaluated)
            db.session.add(evaluation)
            db.session.flush()
            if paid:
                db.session.add(
                    Payment(
                        contract_id=made.id,
                        milestone_id=milestone.id,
                        evaluation_id=evaluation.id,
                        amount_fen=fen,
                        created_at=paid,
                    )
                )
    return made


def survey(community, answers, *, scale=(1, 5), questions=1):
    """A closed household survey: `answers` is one list of scale values (None: not answered) per response."""
    made = Survey(
        community_id=community.id,
        owner_kind="satisfaction",
        title="测评",
        respondent=Respondent.HOUSEHOLD,
        state=SurveyState.CLOSED,
    )
    db.session.add(made)
    db.session.flush()
    asked = [
        Question(
            survey_id=made.id,
            position=n,
            kind=QuestionKind.SCALE,
            text="满意吗",
            scale_min=scale[0],
            scale_max=scale[1],
        )
        for n in range(questions)
    ]
    db.session.add_all(asked)
    db.session.flush()
    for n, values in enumerate(answers):
        db.session.add(SurveyParticipation(survey_id=made.id, respondent_key=f"h:{n}", client_id=uuid.uuid4().hex))
        response = SurveyResponse(survey_id=made.id)
        db.session.add(response)
        db.session.flush()
        for question, value in zip(asked, values, strict=True):
            if value is not None:
                db.session.add(SurveyAnswer(response_id=response.id, question_id=question.id, value=value))
    return made


def campaign(community, *subjects, closed=None):
    """A campaign closed at `closed` (open if None) with (kind, survey) subjects."""
    made = Campaign(
        community_id=community.id,
        client_id=uuid.uuid4().hex,
        title="测评",
        year=2026,
        state=CampaignState.CLOSED if closed else CampaignState.OPEN,
        closes_at=closed or at(12, 30),
        closed_at=closed,
    )
    db.session.add(made)
    db.session.flush()
    for n, (kind, found) in enumerate(subjects):
        db.session.add(
            CampaignSubject(campaign_id=made.id, kind=kind, subject_id=n + 1, label="对象", survey_id=found.id)
        )
    return made


def more(world):
    """翠竹园 (c): needs created 1 and 2 March and 31 March 22:00 UTC (April locally), the first supported by 1-101
    and 1-102, the second by 1-101; the first listed (two events), the second declined in April; a guidance
    item published in March, a draft and a street-wide item. A service call and contract of ¥900 in March,
    its milestones of ¥300 (evaluated and paid in April) and ¥600 (evaluated in May). A campaign closed on
    30 June: an organisation answered by 2 households (5,3 and 4,—: 9/12), a micro-project by 1 (3 of 1..3:
    1), a worker by 3 (left out); 3 eligible households each; an open campaign. 南塘 (o): a need in April
    supported by its household, a call in April. 远方 (far, another street): a need and a closed campaign."""
    w, c, o = world, world.community, world.other
    h = w.households
    need(
        w,
        c,
        at(3, 1),
        (NeedStatus.LISTED, at(3, 10)),
        (NeedStatus.LISTED, at(3, 11)),
        supports=[(h["a101"], at(3, 2)), (h["a102"], at(3, 2))],
    )
    need(w, c, at(3, 2), (NeedStatus.DECLINED, at(4, 1)), supports=[(h["a101"], at(3, 3))])
    need(w, c, at(3, 31, 22))
    need(w, o, at(4, 5), supports=[(h["other101"], at(4, 6))])
    need(w, w.far, at(3, 5))
    item = guidance(c, c.street, published=at(3, 15))
    guidance(c, c.street)
    guidance(None, c.street, published=at(3, 15))
    contract(w, c, item, created=at(3, 20), milestones=[(30_000, at(4, 10), at(4, 12)), (60_000, at(5, 1), None)])
    call(o, item, at(4, 1))
    organisation = survey(c, [[5, 3], [4, None]], questions=2)
    project = survey(c, [[3]], scale=(1, 3))
    worker = survey(c, [[1], [1], [1]])
    campaign(c, ("organisation", organisation), ("project", project), ("worker", worker), closed=at(6, 30))
    campaign(c, ("organisation", survey(c, [[5]])))
    campaign(w.far, ("organisation", survey(w.far, [[1]])), closed=at(6, 30))
    db.session.commit()
    return w
