"""The dashboards' demo: 雨花街道 gets two more communities (春江, 花神) beside 南塘, and the three get a year of
generated history (members verified, consultations with their attendance and outcomes, golden ideas and their
decisions, a micro-fund with its ledger, moderation, and an owners' decision with its votes), so the street's
and the district's dashboards have something to compare. A fixed seed: the same data every time.

Rows are written directly (with their past dates), except the owners' decision, which goes through the
decisions' services (its roll, poll and ballots must agree). It flushes and never commits (see demo/__init__)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.accounts.models import User
from app.communities import access
from app.communities.models import (
    Community,
    MemberRole,
    Membership,
    MembershipStatus,
    Relation,
    Role,
    Street,
)
from app.consultations.models import Attendance, Consultation, Motion, MotionState, Phase, Speech
from app.core.models import utcnow
from app.decisions import services as decisions
from app.demo.people import roster
from app.extensions import db
from app.ideas.models import Category, Idea, IdeaEvent, IdeaStatus
from app.microprojects.models import EntryKind, Fund, LedgerEntry, MicroProject, ProjectStatus
from app.moderation.models import ModerationAction, Mute, Report
from app.needs.models import Need, NeedEvent, NeedStatus, NeedSupport
from app.procedure.shipped import ensure_shipped

SEED = 19
RESIDENTS = 12  # generated residents per community
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张"
GIVEN = ("秀英", "桂兰", "建华", "玉珍", "志明", "海燕", "国强", "丽华", "文杰", "春梅", "德明", "小红")
TOPICS = (
    "小区停车位重新划线",
    "楼道堆物清理",
    "电动车充电棚建设",
    "广场舞时间与音量",
    "垃圾分类投放点调整",
    "老年食堂开餐时间",
    "绿化带改建为口袋公园",
    "快递柜位置",
)
NEEDS = ("老人助餐点", "儿童托管", "楼道照明", "无障碍坡道", "健身角维修", "宠物粪便清理")
IDEAS = (
    ("加装楼道扶手", Category.ELDERLY),
    ("开设四点半课堂", Category.YOUTH),
    ("增设分类垃圾桶", Category.ENVIRONMENT),
    ("夜间巡逻志愿队", Category.SAFETY),
    ("错时共享停车", Category.PARKING),
    ("社区读书会", Category.CULTURE),
    ("修补健身器材", Category.OTHER),
)


def load(street: Street, nantang: Community, password: str) -> list[Community]:
    """Two more communities in `street` and a year of history in them and in 南塘; returns the three."""
    rng = random.Random(SEED)
    chunjiang = Community(street_id=street.id, name="春江社区", slug="chunjiang", description="春江社区（演示）。")
    huashen = Community(street_id=street.id, name="花神社区", slug="huashen", description="花神社区（演示）。")
    db.session.add_all([chunjiang, huashen])
    db.session.flush()
    roster(chunjiang, buildings=1)
    roster(huashen, buildings=1)
    password_hash = generate_password_hash(password)  # once: every generated account shares it
    rules = ensure_shipped()[0]
    communities = [nantang, chunjiang, huashen]
    for index, community in enumerate(communities, start=1):
        _history(rng, community, index, password_hash, rules.id)
    return communities


def _when(rng: random.Random, now, *, within_days: int = 360):
    return now - timedelta(days=rng.randint(1, within_days), hours=rng.randint(0, 10))


def _history(rng: random.Random, community: Community, index: int, password_hash: str, rule_set_id: int) -> None:
    now = utcnow()
    staff, residents = _people(rng, community, index, password_hash, now)
    rooms = _consultations(rng, community, staff, residents, rule_set_id, now)
    _ideas(rng, community, staff, residents, now)
    _needs(rng, community, staff, residents, now)
    _fund(rng, community, staff, residents, now)
    _moderation(rng, community, staff, residents, rooms, now)
    db.session.flush()
    _decision(rng, community, staff, residents)


def _people(rng, community, index, password_hash, now):
    """A community worker and twelve verified residents, each of one household (and its owner on the roster)."""
    households = sorted(
        (h for b in community.buildings for h in b.households if not h.developer_unsold), key=lambda h: h.id
    )
    staff = User(
        phone=f"1370{index}000000", name=f"{community.name[:2]}社工", locale="zh_CN", password_hash=password_hash
    )
    db.session.add(staff)
    people = []
    for n in range(RESIDENTS):
        name = SURNAMES[(index * 7 + n) % len(SURNAMES)] + GIVEN[n % len(GIVEN)]
        people.append(User(phone=f"1370{index}{n + 1:06d}", name=name, locale="zh_CN", password_hash=password_hash))
    db.session.add_all(people)
    db.session.flush()
    joined = _when(rng, now, within_days=30)
    db.session.add(
        Membership(
            user_id=staff.id,
            community_id=community.id,
            status=MembershipStatus.VERIFIED,
            reviewed_at=joined,
            created_at=joined,
            roles=[MemberRole(role=Role.COMMUNITY_STAFF)],
        )
    )
    for user, household in zip(people, rng.sample(households, len(people)), strict=True):
        owner = household.owners[0]
        owner.name, owner.phone, owner.user_id = user.name, user.phone, user.id
        verified = _when(rng, now)
        db.session.add(
            Membership(
                user_id=user.id,
                community_id=community.id,
                household_id=household.id,
                relation=Relation.OWNER,
                status=MembershipStatus.VERIFIED,
                created_at=verified - timedelta(days=1),
                reviewed_at=verified,
                reviewed_by_id=staff.id,
                roles=[MemberRole(role=Role.RESIDENT), MemberRole(role=Role.OWNER)],
            )
        )
    return staff, people


def _consultations(rng, community, staff, residents, rule_set_id, now) -> list[Consultation]:
    """Six to nine consultations over the year: most concluded after 3 to 40 days, half of those with a motion
    carried; the latest still open. Three to eight residents took part in each."""
    made = []
    for n in range(rng.randint(6, 9)):
        opened = _when(rng, now, within_days=350)
        concluded = opened + timedelta(days=rng.randint(3, 40))
        done = concluded < now and rng.random() < 0.8
        consultation = Consultation(
            community_id=community.id,
            title=TOPICS[(n + community.id) % len(TOPICS)],
            background="演示用的协商议题。",
            chair_id=staff.id,
            created_by_id=staff.id,
            rule_set_id=rule_set_id,
            phase=Phase.CONCLUDED if done else Phase.OPEN,
            opened_at=opened,
            concluded_at=concluded if done else None,
            created_at=opened,
            last_activity_at=concluded if done else opened,
        )
        db.session.add(consultation)
        db.session.flush()
        made.append(consultation)
        taking_part = rng.sample(residents, rng.randint(3, 8))
        consultation.participant_count = len(taking_part)
        for user in taking_part:
            seen = opened + timedelta(hours=rng.randint(1, 48))
            db.session.add(Attendance(consultation_id=consultation.id, user_id=user.id, first_seen_at=seen))
        if done and rng.random() < 0.5:
            db.session.add(
                Motion(
                    consultation_id=consultation.id,
                    mover_id=taking_part[0].id,
                    client_id=f"demo-dash-{consultation.id}",
                    text="同意按讨论结果实施。",
                    state=MotionState.CARRIED,
                    created_at=concluded - timedelta(days=1),
                    closed_at=concluded,
                    votes_for=len(taking_part) - 1,
                    votes_against=1,
                    eligible=len(taking_part),
                    quorum_met=True,
                )
            )
    return made


def _ideas(rng, community, staff, residents, now) -> None:
    """Eight ideas: most decided within 2 to 45 days (adopted or declined), some adopted ones implemented."""
    for n in range(8):
        title, category = IDEAS[(n + community.id) % len(IDEAS)]
        created = _when(rng, now, within_days=350)
        idea = Idea(
            community_id=community.id,
            author_id=rng.choice(residents).id,
            client_id=f"demo-dash-{community.id}-{n}",
            title=title,
            description=f"{title}：演示用的金点子。",
            category=category,
            created_at=created,
        )
        events = [IdeaEvent(to_status=IdeaStatus.SUBMITTED, actor_id=idea.author_id, created_at=created)]
        decided = created + timedelta(days=rng.randint(2, 45), hours=rng.randint(0, 8))
        if decided < now and rng.random() < 0.8:
            to = IdeaStatus.ADOPTED if rng.random() < 0.6 else IdeaStatus.DECLINED
            events.append(
                IdeaEvent(
                    from_status=IdeaStatus.SUBMITTED,
                    to_status=to,
                    actor_id=staff.id,
                    reason="经居委会讨论。",
                    created_at=decided,
                )
            )
            done = decided + timedelta(days=rng.randint(10, 60))
            if to == IdeaStatus.ADOPTED and done < now and rng.random() < 0.5:
                events.append(
                    IdeaEvent(
                        from_status=to,
                        to_status=IdeaStatus.IMPLEMENTED,
                        actor_id=staff.id,
                        reason="已完成。",
                        created_at=done,
                    )
                )
        idea.status = events[-1].to_status
        idea.events = events
        db.session.add(idea)


def _needs(rng, community, staff, residents, now) -> None:
    """Five needs, each supported by two to five households, most screened (listed or declined) within weeks."""
    household_of = dict(
        db.session.execute(
            select(Membership.user_id, Membership.household_id).where(
                Membership.community_id == community.id, Membership.household_id.is_not(None)
            )
        ).all()
    )
    for n in range(5):
        title = NEEDS[(n + community.id) % len(NEEDS)]
        created = _when(rng, now, within_days=330)
        need = Need(
            community_id=community.id,
            author_id=rng.choice(residents).id,
            client_id=f"demo-dash-need-{community.id}-{n}",
            title=title,
            description=f"{title}：演示用的需求。",
            created_at=created,
        )
        supporters = rng.sample(residents, rng.randint(2, 5))
        need.supports = [
            NeedSupport(
                household_id=household_of[user.id],
                user_id=user.id,
                created_at=created + timedelta(days=rng.randint(0, 10)),
            )
            for user in supporters
        ]
        screened = created + timedelta(days=rng.randint(14, 40))
        if screened < now and rng.random() < 0.8:
            need.status = NeedStatus.LISTED if rng.random() < 0.6 else NeedStatus.DECLINED
            reason = "" if need.status == NeedStatus.LISTED else "本年度资金不足，明年再议。"
            need.status_reason = reason
            need.events = [
                NeedEvent(
                    from_status=NeedStatus.SUBMITTED,
                    to_status=need.status,
                    actor_id=staff.id,
                    reason=reason,
                    created_at=screened,
                )
            ]
        db.session.add(need)


def _fund(rng, community, staff, residents, now) -> None:
    """This year's micro-fund (and last year's), two or three projects with their allocations and spending."""
    year = now.year
    funds = {
        y: Fund(community_id=community.id, year=y, total_fen=rng.choice((1_500_000, 2_000_000, 3_000_000)))
        for y in (year - 1, year)
    }
    db.session.add_all(funds.values())
    db.session.flush()
    for n in range(rng.randint(2, 3)):
        granted = rng.randint(20, 80) * 10_000
        allocated_at = _when(rng, now, within_days=300)
        fund = funds[allocated_at.year] if allocated_at.year in funds else funds[year]
        project = MicroProject(
            community_id=community.id,
            fund_id=fund.id,
            applicant_id=rng.choice(residents).id,
            title=f"{community.name[:2]}微项目{n + 1}",
            purpose="演示用的微项目。",
            status=ProjectStatus.IN_PROGRESS,
            granted_fen=granted,
            created_at=allocated_at,
        )
        db.session.add(project)
        db.session.flush()
        db.session.add(
            LedgerEntry(
                fund_id=fund.id,
                project_id=project.id,
                kind=EntryKind.ALLOCATION,
                amount_fen=granted,
                actor_id=staff.id,
                created_at=allocated_at,
            )
        )
        spent, when = 0, allocated_at
        for _ in range(rng.randint(1, 3)):
            when += timedelta(days=rng.randint(5, 30))
            amount = rng.randint(1, 3) * granted // 10
            if when >= now or spent + amount > granted:
                break
            spent += amount
            db.session.add(
                LedgerEntry(
                    fund_id=fund.id,
                    project_id=project.id,
                    kind=EntryKind.EXPENDITURE,
                    amount_fen=amount,
                    note="采购",
                    actor_id=staff.id,
                    created_at=when,
                )
            )


def _moderation(rng, community, staff, residents, rooms, now) -> None:
    """A few speeches reported in the consultations; some of them hidden; now and then a member muted for a day."""
    for n in range(rng.randint(3, 8)):
        consultation = rng.choice(rooms)
        reporter, author = rng.sample(residents, 2)
        at = min(consultation.opened_at + timedelta(hours=rng.randint(2, 72)), now - timedelta(hours=1))
        speech = Speech(
            consultation_id=consultation.id,
            author_id=author.id,
            client_id=f"demo-dash-{community.id}-{n}",
            body="与议题无关的广告内容。",
            created_at=at,
        )
        db.session.add(speech)
        db.session.flush()
        reason = "与议题无关"
        db.session.add(
            Report(
                community_id=community.id,
                room=consultation.room,
                target_type="speech",
                target_id=speech.id,
                reporter_id=reporter.id,
                reason=reason,
                created_at=at + timedelta(minutes=20),
            )
        )
        if rng.random() < 0.6:
            speech.hidden_at, speech.hidden_reason, speech.hidden_by_id = at + timedelta(hours=1), reason, staff.id
            db.session.add(
                ModerationAction(
                    community_id=community.id,
                    room=consultation.room,
                    action="hide",
                    target_type="speech",
                    target_id=speech.id,
                    target_user_id=author.id,
                    actor_id=staff.id,
                    reason=reason,
                    created_at=speech.hidden_at,
                )
            )
        if rng.random() < 0.25:
            db.session.add(
                Mute(
                    community_id=community.id,
                    room=consultation.room,
                    user_id=author.id,
                    until=at + timedelta(days=1),
                    reason="多次发布无关内容",
                    actor_id=staff.id,
                    created_at=at + timedelta(hours=1),
                )
            )


def _decision(rng, community, staff, residents) -> None:
    """An owners' decision open for voting (a small repair from the maintenance fund), with some owners voted."""
    viewer = access.viewer(staff, community)
    today = utcnow().date()
    decision = decisions.create(
        viewer,
        client_id=f"demo-dash-decision-{community.id}",
        matter=5,
        title=f"{community.name}屋面防水维修",
        body="屋面渗漏，拟使用专项维修资金维修。",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=14),
        publicity_days=7,
    )
    decisions.open_voting(viewer, decision)
    for user in rng.sample(residents, rng.randint(4, len(residents) - 2)):
        decisions.vote(
            access.viewer(user, community), decision, rng.choice(("agree", "agree", "agree", "oppose", "abstain"))
        )
