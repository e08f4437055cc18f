"""The demo's needs (需求清单): 翠竹园's needs at every step, households saying "我家也需要", the expert 周文博
(named by 梅山街道) scoring the screened ones with reasons, and the published 2026 project guidance list with
"老年人助餐服务" and two more items. Found or made by their names, so the other pipeline demos meet them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.communities.models import Community, ExpertAppointment, Household
from app.core.models import utcnow
from app.extensions import db
from app.needs.models import (
    Affected,
    GuidanceItem,
    GuidanceStatus,
    Need,
    NeedEvent,
    NeedScore,
    NeedStatus,
    NeedSupport,
)

EXPERT = "13800000010"
STAFF = "13800000008"

# (author, title, affected, place, households estimate, description, status, supporters, guidance item key)
NEEDS = [
    (
        "13800000001",
        "独居老人中午吃饭难",
        Affected.ELDERLY,
        "社区活动中心",
        40,
        "1栋、2栋有不少独居和高龄老人，子女白天上班，中午只能随便对付，希望社区有个助餐点。",
        NeedStatus.LISTED,
        12,
        "meal",
    ),
    (
        "13800000003",
        "高龄老人送餐上门",
        Affected.ELDERLY,
        "1栋",
        15,
        "行动不便的老人下不了楼，助餐点开了也去不了，希望能送餐上门。",
        NeedStatus.LISTED,
        6,
        "meal",
    ),
    (
        "13800000004",
        "放学后孩子没人照看",
        Affected.YOUTH,
        "2栋活动室",
        30,
        "双职工家庭多，孩子下午三点半放学后没人管，希望有课后托管或四点半课堂。",
        NeedStatus.LISTED,
        9,
        "after_school",
    ),
    (
        "13800000005",
        "楼道照明灯经常坏",
        Affected.ALL,
        "3栋",
        24,
        "3栋楼道声控灯坏了好几盏，晚上老人孩子上下楼很危险。",
        NeedStatus.LISTED,
        7,
        "lights",
    ),
    (
        "13800000007",
        "残疾人出行坡道",
        Affected.DISABLED,
        "小区南门",
        5,
        "南门只有台阶，坐轮椅的居民进出要人抬，希望加装无障碍坡道。",
        NeedStatus.LISTED,
        3,
        "lights",
    ),
    (
        "13800000002",
        "困难家庭心理疏导",
        Affected.LOW_INCOME,
        "",
        8,
        "几户困难家庭压力很大，希望有社工定期上门聊一聊，帮着链接救助资源。",
        NeedStatus.SCREENING,
        2,
        None,
    ),
    (
        "13800000009",
        "社区广场舞噪音协调",
        Affected.ALL,
        "中心广场",
        20,
        "晚上广场舞音响太响，影响休息，希望定时间、定音量。",
        NeedStatus.DECLINED,
        4,
        None,
    ),
    (
        "13800000001",
        "电动车集中充电棚",
        Affected.ALL,
        "4栋北侧空地",
        50,
        "楼道里飞线充电太危险，希望建一个集中充电棚。",
        NeedStatus.SUBMITTED,
        5,
        None,
    ),
    (
        "13800000003",
        "老年人智能手机课堂",
        Affected.ELDERLY,
        "社区活动中心",
        25,
        "老人不会用手机挂号、付款，希望每月办几次手机课堂。",
        NeedStatus.SCREENING,
        3,
        None,
    ),
]

# title -> (urgency, households, feasibility, cost, reason); 老年人智能手机课堂 still waits for 周文博's scores
SCORES = {
    "独居老人中午吃饭难": (5, 4, 4, 3, "独居高龄老人多，午餐问题每天都在发生；活动中心有厨房条件，可与社会组织合作。"),
    "高龄老人送餐上门": (5, 2, 3, 3, "户数不多但最困难，宜与助餐点一并设计，由志愿者配送。"),
    "放学后孩子没人照看": (4, 4, 4, 3, "双职工家庭普遍需要；活动室可用，需要有资质的社工机构。"),
    "楼道照明灯经常坏": (4, 3, 5, 5, "涉及安全，维修成本低，可马上做。"),
    "残疾人出行坡道": (4, 1, 4, 4, "受益户少但属于基本无障碍要求，成本可控。"),
    "困难家庭心理疏导": (3, 2, 3, 4, "需要专业社工，建议纳入明年街道统一购买服务。"),
}

ITEMS = {  # key -> (title, summary, affected, cost low fen, cost high fen)
    "meal": (
        "老年人助餐服务",
        "在社区活动中心设助餐点，为独居、高龄老人提供午餐，行动不便的送餐上门。",
        Affected.ELDERLY,
        6_000_000,
        12_000_000,
    ),
    "after_school": (
        "四点半课堂",
        "放学后在2栋活动室开展课后托管与作业辅导，由有资质的社工机构承接。",
        Affected.YOUTH,
        3_000_000,
        6_000_000,
    ),
    "lights": (
        "楼道照明与无障碍改造",
        "更换3栋楼道声控灯，在小区南门加装无障碍坡道。",
        Affected.ALL,
        1_500_000,
        4_000_000,
    ),
}


def expert(users: dict[str, User], community: Community) -> User | None:
    """周文博, named an expert by 梅山街道 (found, or named here)."""
    user = users.get(EXPERT) or db.session.scalar(select(User).where(User.phone == EXPERT))
    if user is None:
        return None
    found = db.session.scalar(
        select(ExpertAppointment).where(
            ExpertAppointment.user_id == user.id,
            ExpertAppointment.street_id == community.street_id,
            ExpertAppointment.ended_at.is_(None),
        )
    )
    if found is None:
        db.session.add(
            ExpertAppointment(
                user_id=user.id, street_id=community.street_id, field="养老、社工", appointed_by_id=_street_staff(users)
            )
        )
    return user


def _street_staff(users: dict[str, User]) -> int | None:
    user = users.get("13800000011")
    return user.id if user is not None else None


def load(community: Community, users: dict[str, User]) -> None:
    if db.session.scalar(select(Need.id).where(Need.community_id == community.id).limit(1)) is not None:
        return
    staff = users[STAFF]
    scorer = expert(users, community)
    households = list(
        db.session.scalars(select(Household).where(Household.community_id == community.id).order_by(Household.id))
    )
    buildings = {b.name: b for b in community.buildings}
    items = _items(community, staff)
    start = utcnow() - timedelta(days=60)
    for n, (phone, title, affected, place, estimate, text, status, supporters, key) in enumerate(NEEDS):
        author = users[phone]
        building = buildings.get(place) if place.endswith("栋") else None
        need = Need(
            community_id=community.id,
            author_id=author.id,
            client_id=f"demo-need-{n}",
            title=title,
            description=text,
            affected=affected,
            place="" if building else place,
            building_id=building.id if building else None,
            households_estimate=estimate,
            status=status,
            created_at=start + timedelta(days=n),
        )
        need.events.append(NeedEvent(actor_id=author.id, to_status=NeedStatus.SUBMITTED, created_at=need.created_at))
        db.session.add(need)
        db.session.flush()
        for household in households[n * 7 : n * 7 + supporters]:
            db.session.add(NeedSupport(need_id=need.id, household_id=household.id))
        _history(need, status, staff, key and items[key])
        if title in SCORES and scorer is not None:
            *grades, reason = SCORES[title]
            urgency, affected_households, feasibility, cost = grades
            db.session.add(
                NeedScore(
                    need_id=need.id,
                    expert_id=scorer.id,
                    urgency=urgency,
                    households=affected_households,
                    feasibility=feasibility,
                    cost=cost,
                    reason=reason,
                )
            )
    db.session.flush()


def _items(community: Community, staff: User) -> dict[str, GuidanceItem]:
    """The published 2026 list of 翠竹园 (found by title, or made)."""
    found = {}
    for key, (title, summary, affected, low, high) in ITEMS.items():
        item = db.session.scalar(
            select(GuidanceItem).where(
                GuidanceItem.community_id == community.id, GuidanceItem.year == 2026, GuidanceItem.title == title
            )
        )
        if item is None:
            item = GuidanceItem(
                street_id=community.street_id,
                community_id=community.id,
                year=2026,
                title=title,
                summary=summary,
                affected=affected,
                cost_low_fen=low,
                cost_high_fen=high,
                status=GuidanceStatus.PUBLISHED,
                published_at=utcnow() - timedelta(days=10),
                created_by_id=staff.id,
            )
            db.session.add(item)
            db.session.flush()
        found[key] = item
    return found


def _history(need: Need, status: NeedStatus, staff: User, item: GuidanceItem | None) -> None:
    """The staff's steps up to the need's status, with their reasons."""
    if status == NeedStatus.SUBMITTED:
        return
    steps = [(NeedStatus.SCREENING, "提交专家组评审。")]
    if status == NeedStatus.LISTED:
        need.screening_closed_at = utcnow() - timedelta(days=15)
        need.guidance_item_id = item.id
        steps.append((NeedStatus.LISTED, item.title))
    elif status == NeedStatus.DECLINED:
        steps = [(NeedStatus.DECLINED, "属于文明公约协调事项，已交由居民议事会协商，不列入项目清单。")]
        need.status_reason = steps[0][1]
    previous = NeedStatus.SUBMITTED
    for day, (to, reason) in enumerate(steps, start=1):
        when = min(need.created_at + timedelta(days=7 * day), utcnow() - timedelta(days=10))
        need.events.append(
            NeedEvent(actor_id=staff.id, from_status=previous, to_status=to, reason=reason, created_at=when)
        )
        previous = to
