"""The demo's service project (公益服务项目): a call for the guidance item "老年人助餐服务" with two applications,
the expert's scores, the award, and a contract with one milestone paid after its evaluation and one pending.

The organisations, the expert and the guidance item are got or made by the keys pipeline.md names, so this
module meets the orgs and needs demos whichever runs first."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from fractions import Fraction
from pathlib import Path

from sqlalchemy import select

from app.accounts.models import User
from app.communities import access
from app.communities.models import Community, ExpertAppointment
from app.core.models import utcnow
from app.documents import registry
from app.documents import services as documents
from app.extensions import db
from app.needs.models import GuidanceItem, GuidanceStatus
from app.orgs.models import OrgAgent, Organisation, OrgKind, OrgStatus, Qualification
from app.procurement import ledger, parties, services
from app.procurement.models import (
    Application,
    Criterion,
    PanelMember,
    PlannedMilestone,
    ServiceBudgetLine,
    ServiceCall,
)

EVIDENCE = Path(__file__).parent / "files" / "lift-quote.pdf"  # any checked PDF serves as the demo's evidence
ORGS = [
    ("52320114MJ00000016", "雨花睦邻社工服务中心", date(2027, 12, 31), "13800000009"),
    ("51320114MJ0000002C", "绿邻环保公益协会", date(2026, 6, 30), None),
]


def _organisation(community: Community, number: str, name: str, expires: date, agent: User | None) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.registration_number == number))
    if org is None:
        org = Organisation(
            district_id=community.street.district_id,
            street_id=community.street_id,
            name=name,
            registration_number=number,
            kind=OrgKind.SOCIAL_SERVICE,
            service_areas=["elderly"],
            status=OrgStatus.VERIFIED,
            verified_at=utcnow(),
        )
        org.qualifications.append(Qualification(name="社会组织等级评估（3A）", expires_on=expires))
        db.session.add(org)
        db.session.flush()
    if agent is not None and not org.is_agent(agent.id):
        org.agents.append(OrgAgent(user_id=agent.id))
        db.session.flush()
    return org


def _expert(community: Community, user: User, appointed_by: User) -> None:
    found = db.session.scalar(
        select(ExpertAppointment).where(
            ExpertAppointment.user_id == user.id, ExpertAppointment.street_id == community.street_id
        )
    )
    if found is None:
        db.session.add(
            ExpertAppointment(
                user_id=user.id, street_id=community.street_id, field="养老", appointed_by_id=appointed_by.id
            )
        )
        db.session.flush()


def _item(community: Community, staff: User) -> GuidanceItem:
    item = db.session.scalar(
        select(GuidanceItem).where(
            GuidanceItem.title == "老年人助餐服务", GuidanceItem.year == 2026, GuidanceItem.community_id == community.id
        )
    )
    if item is None:
        item = GuidanceItem(
            street_id=community.street_id,
            community_id=community.id,
            year=2026,
            title="老年人助餐服务",
            summary="社区60岁以上独居、空巢老人午餐不便，希望有助餐点和送餐上门。",
            cost_low_fen=50_000_00,
            cost_high_fen=100_000_00,
            status=GuidanceStatus.PUBLISHED,
            published_at=utcnow(),
            created_by_id=staff.id,
        )
        db.session.add(item)
        db.session.flush()
    return item


def _call(community: Community, item: GuidanceItem, staff: User, expert: User, opened: datetime) -> ServiceCall:
    call = ServiceCall(
        street_id=community.street_id,
        community_id=community.id,
        guidance_item_id=item.id,
        created_by_id=staff.id,
        client_id="demo-call-meals",
        title="翠竹园老年人助餐服务项目",
        scope="在社区活动中心设助餐点，工作日为60岁以上老人提供午餐；行动不便的老人送餐上门。服务期一年。",
        ceiling_fen=80_000_00,
        deadline=opened + timedelta(days=30),
        created_at=opened,
    )
    for position, (name, weight) in enumerate([("服务方案", Fraction(1, 2)), ("团队与经验", Fraction(3, 10))]):
        call.criteria.append(
            Criterion(position=position, name=name, weight_num=weight.numerator, weight_den=weight.denominator)
        )
    call.criteria.append(Criterion(position=2, name="预算合理性", weight_num=1, weight_den=5))
    call.panel.append(PanelMember(user_id=expert.id))
    db.session.add(call)
    db.session.flush()
    return call


def _application(call, org, agent, when, plan, lines, milestones) -> Application:
    application = Application(
        call_id=call.id,
        organisation_id=org.id,
        agent_id=agent.id if agent else None,
        plan=plan,
        total_fen=sum(fen for _item, fen in lines),
        created_at=when,
        updated_at=when,
    )
    application.lines = [ServiceBudgetLine(position=i, item=n, amount_fen=f) for i, (n, f) in enumerate(lines)]
    application.milestones = [
        PlannedMilestone(position=i, title=t, deliverable=d, due_on=due, share_num=s.numerator, share_den=s.denominator)
        for i, (t, d, due, s) in enumerate(milestones)
    ]
    db.session.add(application)
    db.session.flush()
    return application


def load(community: Community, users: dict[str, User]) -> None:
    staff, agent, expert, street = (
        users["13800000008"],
        users["13800000009"],
        users["13800000010"],
        users["13800000011"],
    )
    first, second = (_organisation(community, n, name, e, users.get(a)) for n, name, e, a in ORGS)
    _expert(community, expert, street)
    item = _item(community, staff)
    # applications closed before the second organisation's qualification expired (2026-06-30)
    opened = min(utcnow() - timedelta(days=200), datetime(2026, 5, 20, 1, tzinfo=utcnow().tzinfo))
    call = _call(community, item, staff, expert, opened)
    mine = _application(
        call,
        first,
        agent,
        opened + timedelta(days=20),
        "助餐点设在社区活动中心，工作日供应午餐（两荤一素一汤）；社工每周走访独居老人，志愿者送餐上门，每月公示菜单和收支。",
        [("餐费补贴", 48_000_00), ("送餐志愿者保险与交通", 12_000_00), ("社工服务", 15_000_00)],
        [
            ("开餐", "助餐点开放，每日供餐不少于40份", date(2026, 9, 30), Fraction(2, 5)),
            ("全年服务", "服务满一年，居民满意度测评", date(2027, 6, 30), Fraction(3, 5)),
        ],
    )
    theirs = _application(
        call,
        second,
        None,
        opened + timedelta(days=18),
        "与周边餐馆合作配餐，环保餐盒循环使用，志愿者每日送餐。",
        [("配餐", 60_000_00), ("餐盒与清洗", 10_000_00)],
        [("全年服务", "配餐满一年", date(2027, 6, 30), Fraction(1))],
    )
    panel = parties.party(expert, community)
    for application, points in ((mine, (88, 90, 80)), (theirs, (75, 70, 82))):
        services.declare(panel, application, conflicted=False, note="")
        services.submit_scores(panel, application, dict(zip((c.id for c in call.criteria), points, strict=True)))
    contract = services.award(parties.party(staff, community), call, mine, reason="")
    org_party = parties.party(agent, community)
    services.post_progress(
        org_party,
        contract,
        client_id="demo-progress-1",
        body="助餐点已开放，首周每日供餐45份，8位老人由志愿者送餐上门。",
    )
    milestone = contract.milestones[0]
    documents.attach(
        access.viewer(agent, community),
        registry.kind("milestone"),
        milestone,
        data=EVIDENCE.read_bytes(),
        file_name="开餐阶段验收材料.pdf",
        client_id="demo-evidence-1",
    )
    services.submit_milestone(org_party, milestone, report="助餐点9月开放，日均供餐46份，送餐8户。")
    if milestone.satisfaction is None:  # the survey flow, once wired, may have recorded it already
        services.record_satisfaction(milestone, survey_id=None, responses=31, eligible=40, score=Fraction(43, 50))
    services.sign_off(parties.party(staff, community), milestone, note="材料齐全，居民满意度86%，同意验收。")
    ledger.release(parties.party(staff, community), milestone, milestone.amount_fen, note="开餐阶段款")
    db.session.flush()
