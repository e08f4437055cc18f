"""The demo's satisfaction campaigns (群众满意度测评): one closed, with the answers of 36 households and the
note on what was done, weighed by the district; one open; and a street-wide campaign of 梅山街道 (街道统一测评)
judging the organisation in every community of the street, closed with the answers of 24 of those households.
The organisation 雨花睦邻社工服务中心 is found or made by its registration number (the orgs demo makes it too;
whichever runs first makes it)."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from fractions import Fraction

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.accounts.models import User
from app.communities import access
from app.communities.models import Community, Household, MemberRole, Membership, MembershipStatus, Relation, Role
from app.core.models import utcnow
from app.extensions import db
from app.microprojects.models import MicroProject
from app.orgs.models import OrgAgent, Organisation, OrgKind, OrgStatus, Qualification
from app.satisfaction import services as satisfaction
from app.satisfaction import street as street_campaigns
from app.satisfaction.models import Campaign
from app.surveys import services as surveys

ORG_NUMBER = "52320114MJ00000016"
RESPONDENTS = 36
FIRST_PHONE = 13700100001  # the demo households who answered (residents, verified)


def organisation(community: Community, agent: User) -> Organisation:
    """雨花睦邻社工服务中心: verified, qualified to 2027-12-31, 孙海燕 acting for it."""
    org = db.session.scalar(select(Organisation).where(Organisation.registration_number == ORG_NUMBER))
    if org is None:
        org = Organisation(
            district_id=community.street.district_id,
            street_id=community.street_id,
            name="雨花睦邻社工服务中心",
            registration_number=ORG_NUMBER,
            kind=OrgKind.SOCIAL_SERVICE,
            service_areas=["养老", "儿童"],
            status=OrgStatus.VERIFIED,
            verified_at=utcnow(),
        )
        org.qualifications.append(Qualification(name="社会组织等级评估 4A", expires_on=date(2027, 12, 31)))
        db.session.add(org)
        db.session.flush()
    if not org.is_agent(agent.id):
        org.agents.append(OrgAgent(user_id=agent.id))
        db.session.flush()
    return org


def _respondents(community: Community, password: str | None) -> list[User]:
    """36 verified residents, one per household without a demo account (phones 137 0010 0001 ...)."""
    taken = set(db.session.scalars(select(Membership.household_id).where(Membership.community_id == community.id)))
    households = [
        h
        for h in db.session.scalars(
            select(Household).where(Household.community_id == community.id).order_by(Household.id)
        )
        if h.id not in taken and not h.developer_unsold
    ][:RESPONDENTS]
    users = []
    password_hash = generate_password_hash(password or uuid.uuid4().hex)  # once: the 36 accounts share it
    for number, household in enumerate(households):
        owner = household.owners[0]
        user = User(phone=str(FIRST_PHONE + number), name=owner.name, locale="zh_CN", password_hash=password_hash)
        db.session.add(user)
        db.session.flush()
        membership = Membership(
            user_id=user.id,
            community_id=community.id,
            household_id=household.id,
            relation=Relation.FAMILY,
            status=MembershipStatus.VERIFIED,
            reviewed_at=utcnow(),
        )
        membership.roles = [MemberRole(role=Role.RESIDENT)]
        db.session.add(membership)
        users.append(user)
    db.session.flush()
    return users


def _answer_all(campaign: Campaign, community: Community, residents: list[User], seed: int = 2026) -> None:
    chance = random.Random(seed)  # the same answers on every load
    for subject in campaign.subjects:
        survey = satisfaction.survey_of(subject)
        q = survey.questions
        for user in residents:
            overall = chance.choices([5, 4, 3, 2, 1], weights=[45, 30, 15, 7, 3])[0]
            answers = {f"q{q[0].id}": [str(overall)], f"q{q[1].id}": [str(max(1, overall - chance.randint(0, 1)))]}
            if chance.random() < 0.15:
                answers[f"q{q[2].id}"] = [chance.choice(["服务很耐心。", "希望周末也有人值班。", "办事效率高。"])]
            surveys.answer(access.viewer(user, community), survey, client_id=uuid.uuid4().hex, answers=answers)


def load(community: Community, users: dict[str, User], password: str | None = None) -> None:
    staff, agent, district = users["13800000008"], users["13800000009"], users["13800000012"]
    org = organisation(community, agent)
    project = db.session.scalar(select(MicroProject).where(MicroProject.community_id == community.id))
    residents = _respondents(community, password)
    as_staff = access.viewer(staff, community)
    now = utcnow()
    picks = [f"worker:{staff.id}", f"organisation:{org.id}"] + ([f"project:{project.id}"] if project else [])
    closed = satisfaction.create(
        as_staff,
        client_id="demo-satisfaction-closed",
        title="2026年上半年群众满意度测评",
        year=now.year,
        closes_at=now + timedelta(days=1),
        picks=picks,
    )
    satisfaction.open_campaign(as_staff, closed)
    _answer_all(closed, community, residents)
    satisfaction.close(closed, actor=as_staff)
    satisfaction.publish_note(
        as_staff,
        closed,
        "感谢36户居民参与测评。针对“希望周末也有人值班”的意见，社区自下月起安排周六上午值班；"
        "社工服务中心将助餐点开放时间延长至下午一点。",
    )
    satisfaction.set_weight(district, closed, Fraction(1, 2))
    opened = satisfaction.create(
        as_staff,
        client_id="demo-satisfaction-open",
        title="2026年下半年群众满意度测评",
        year=now.year,
        closes_at=now + timedelta(days=14),
        picks=picks[:2],
    )
    satisfaction.open_campaign(as_staff, opened)
    _street_campaign(community, users["13800000011"], org, residents[:STREET_RESPONDENTS])


STREET_RESPONDENTS = 24


def _street_campaign(community: Community, officer: User, org: Organisation, residents: list[User]) -> None:
    """梅山街道's street-wide campaign on the organisation: made, opened and closed by the street's officer, each
    community's part answered by the demo households living there (翠竹园's; a community without any stays at 0)."""
    now = utcnow()
    made = street_campaigns.create(
        officer,
        community.street,
        client_id="demo-street-satisfaction",
        title="2026年梅山街道社会组织服务统一测评",
        year=now.year,
        closes_at=now + timedelta(days=1),
        org_ids=[org.id],
    )
    street_campaigns.open_all(officer, made)
    for part in made.campaigns:
        if part.community_id == community.id:
            _answer_all(part, community, residents, seed=2027)
    street_campaigns.close_all(officer, made)
