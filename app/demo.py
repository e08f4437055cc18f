"""The demo community 翠竹园社区: buildings, a household roster and one account per role.

Loading is idempotent: a second run finds the community and adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.accounts.models import User
from app.communities.models import (
    Building,
    Community,
    District,
    Household,
    HouseholdOwner,
    InviteCode,
    MemberRole,
    Membership,
    MembershipStatus,
    OfficeAssignment,
    OfficeRole,
    Relation,
    Role,
    Street,
)
from app.core.models import utcnow
from app.extensions import db

SLUG = "cuizhuyuan"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = [
    "秀英",
    "桂英",
    "建国",
    "志强",
    "丽华",
    "海燕",
    "文博",
    "国华",
    "晓东",
    "淑珍",
    "玉兰",
    "德明",
    "春梅",
    "红霞",
    "伟",
    "静",
    "磊",
    "敏",
    "军",
    "芳",
]


@dataclass(frozen=True)
class DemoAccount:
    phone: str
    name: str
    role: str  # a Role or OfficeRole value, or "unverified"
    household: tuple[str, str, str] | None  # (building, unit, room)
    relation: Relation | None = None


ACCOUNTS = [
    DemoAccount("13800000001", "王秀兰", Role.RESIDENT, ("1栋", "1", "101"), Relation.FAMILY),
    DemoAccount("13800000002", "张建国", Role.OWNER, ("1栋", "1", "201"), Relation.OWNER),
    DemoAccount("13800000003", "李桂芳", Role.BUILDING_LEADER, ("1栋", "2", "301"), Relation.OWNER),
    DemoAccount("13800000004", "吴晓东", Role.GROUP_LEADER, ("2栋", "1", "402"), Relation.OWNER),
    DemoAccount("13800000005", "郑春梅", Role.RESIDENT_REP, ("3栋", "1", "502"), Relation.TENANT),
    DemoAccount("13800000006", "陈志明", Role.PROPERTY_MANAGER, None),
    DemoAccount("13800000007", "刘淑珍", Role.OWNERS_COMMITTEE, ("2栋", "2", "201"), Relation.OWNER),
    DemoAccount("13800000008", "赵丽华", Role.COMMUNITY_STAFF, None),
    DemoAccount("13800000009", "孙海燕", Role.SOCIAL_ORG, None),
    DemoAccount("13800000010", "周文博", Role.EXPERT, None),
    DemoAccount("13800000011", "马德华", OfficeRole.STREET_STAFF, None),
    DemoAccount("13800000012", "黄国华", OfficeRole.DISTRICT_STAFF, None),
    DemoAccount("13800000013", "林玉兰", "unverified", ("1栋", "1", "302"), Relation.FAMILY),
]


def _owner_name(index: int) -> str:
    return SURNAMES[index % len(SURNAMES)] + GIVEN[(index * 7) % len(GIVEN)]


def load(password: str) -> bool:
    """Load the demo data; returns False if it was there already."""
    if db.session.scalar(select(Community).where(Community.slug == SLUG)) is not None:
        return False

    district = db.session.scalar(select(District).where(District.name == "雨花台区")) or District(name="雨花台区")
    meishan = Street(district=district, name="梅山街道")
    yuhua = Street(district=district, name="雨花街道")
    community = Community(
        street=meishan,
        name="翠竹园社区",
        slug=SLUG,
        description="翠竹园社区位于梅山街道，共4栋住宅楼。社区议事厅欢迎每位居民参与社区事务协商。",
    )
    other = Community(street=yuhua, name="南塘社区", slug="nantang", description="南塘社区（演示用的第二个社区）。")
    db.session.add_all([district, meishan, yuhua, community, other])
    db.session.flush()

    households = _roster(community)
    _roster(other, buildings=1)
    demo_phones = {a.phone: a for a in ACCOUNTS}

    # Owners on the roster carry the demo owners' phones, so verification finds them.
    for account in ACCOUNTS:
        if account.household and account.relation == Relation.OWNER:
            owner = households[account.household].owners[0]
            owner.name, owner.phone = account.name, account.phone

    users = {}
    for account in ACCOUNTS:
        user = User(phone=account.phone, name=account.name, locale="zh_CN")
        user.set_password(password)
        db.session.add(user)
        users[account.phone] = user
    db.session.flush()

    staff = users["13800000008"]
    for account in ACCOUNTS:
        user = users[account.phone]
        if isinstance(account.role, OfficeRole):
            db.session.add(
                OfficeAssignment(
                    user_id=user.id,
                    role=account.role,
                    street_id=meishan.id if account.role == OfficeRole.STREET_STAFF else None,
                    district_id=district.id if account.role == OfficeRole.DISTRICT_STAFF else None,
                )
            )
            continue
        household = households[account.household] if account.household else None
        membership = Membership(
            user_id=user.id,
            community_id=community.id,
            household_id=household.id if household else None,
            relation=account.relation,
        )
        db.session.add(membership)
        if account.role == "unverified":
            continue
        membership.status = MembershipStatus.VERIFIED
        membership.reviewed_by_id = staff.id
        membership.reviewed_at = utcnow()
        roles = []
        if household is not None:
            roles.append(MemberRole(role=Role.RESIDENT, granted_by_id=staff.id))
            owner = next((o for o in household.owners if o.phone == account.phone), None)
            if owner is not None:
                owner.user_id = user.id
                roles.append(MemberRole(role=Role.OWNER, granted_by_id=staff.id))
        if account.role not in (Role.RESIDENT, Role.OWNER):
            building_id = household.building_id if account.role == Role.BUILDING_LEADER else None
            roles.append(MemberRole(role=account.role, building_id=building_id, granted_by_id=staff.id))
        membership.roles = roles

    db.session.add(InviteCode(community_id=community.id, code="CZY2026A", created_by_id=staff.id))
    for building in community.buildings:
        number = building.name.rstrip("栋")
        db.session.add(
            InviteCode(
                community_id=community.id, building_id=building.id, code=f"CZY{number}DONG", created_by_id=staff.id
            )
        )
    db.session.add(InviteCode(community_id=other.id, code="NANTANG1", created_by_id=None))
    assert len(demo_phones) == len(ACCOUNTS)
    db.session.commit()
    _consultations(community, users)
    _ideas(community, users)
    _micro_projects(community, users)
    _contests(community, users)
    _decisions(community, users)
    return True


def _contests(community: Community, users: dict[str, User]) -> None:
    """A proposal contest in its voting phase: three screened entries (one from a golden idea, one ruled
    out) and two ballots already cast, so the live turnout shows something. 王秀兰 (13800000001) has not
    voted: log in as her to try the ballot."""
    from datetime import timedelta

    from app.contests.models import BallotUnit, Contest, Entry, EntryStatus, Phase
    from app.contests.services import end_of_day, last_day
    from app.ideas.models import Idea
    from app.voting import services as voting

    staff, expert = users["13800000008"], users["13800000010"]
    now = utcnow()
    today = last_day(now)
    contest = Contest(
        community_id=community.id,
        created_by_id=staff.id,
        client_id="demo-contest",
        title=f"{now.year + 1}年幸福提案大赛",
        description="征集让小区更美好的微提案：每项预算不超过2万元，获胜提案由社区微基金资助实施。\n每户居民可选不超过3项。",
        phase=Phase.VOTING,
        max_choices=3,
        winner_count=2,
        ballot_unit=BallotUnit.RESIDENT,
        secret=True,
        fund_year=now.year,
        submission_ends=end_of_day(today - timedelta(days=20)),
        screening_ends=end_of_day(today - timedelta(days=1)),
        voting_ends=end_of_day(today + timedelta(days=14)),
        announced_ends=end_of_day(today + timedelta(days=28)),
    )
    db.session.add(contest)
    db.session.flush()
    idea = db.session.scalar(select(Idea).where(Idea.community_id == community.id, Idea.client_id == "demo-idea-1"))
    proposals = [
        (
            "13800000001",
            "1栋、2栋楼道加装扶手",
            "为1栋、2栋每层楼道加装不锈钢扶手，方便老人和孩子上下楼。",
            12_800_00,
            idea,
        ),
        ("13800000004", "儿童游乐区铺设软垫", "在2栋旁儿童游乐区铺设安全软垫，更换一处老旧滑梯。", 18_500_00, None),
        (
            "13800000005",
            "3栋旁垃圾投放点加装洗手池",
            "在3栋旁分类投放点加装一个洗手池，方便居民投放后洗手。",
            6_200_00,
            None,
        ),
        ("13800000007", "小区大门加装电动道闸", "在小区大门加装电动道闸和车牌识别，规范车辆进出。", 86_000_00, None),
    ]
    entries = []
    for n, (phone, title, summary, budget, source) in enumerate(proposals, start=1):
        author = users[phone]
        member = db.session.scalar(
            select(Membership).where(Membership.user_id == author.id, Membership.community_id == community.id)
        )
        eligible = budget <= 20_000_00
        entry = Entry(
            contest_id=contest.id,
            community_id=community.id,
            author_id=author.id,
            building_id=member.household.building_id if member.household else None,
            client_id=f"demo-entry-{n}",
            title=title,
            summary=summary,
            budget_fen=budget,
            idea_id=source.id if source else None,
            status=EntryStatus.ELIGIBLE if eligible else EntryStatus.INELIGIBLE,
            screening_reason="符合征集要求，预算合理。"
            if eligible
            else "预算超出单项2万元上限，建议申请专项维修资金。",
            screened_by_id=expert.id,
            screened_at=now - timedelta(days=2),
        )
        db.session.add(entry)
        entries.append(entry)
    db.session.flush()
    poll = voting.open_poll(community_id=community.id, poll_type="contest", subject_id=contest.id, secret=True)
    contest.poll_id = poll.id
    for phone, picks in (("13800000002", [0, 1]), ("13800000004", [1, 2])):
        voter = users[phone]
        member = db.session.scalar(
            select(Membership).where(Membership.user_id == voter.id, Membership.community_id == community.id)
        )
        voting.cast(
            poll,
            voter_key=voting.user_key(voter.id),
            choice=",".join(str(i) for i in sorted(entries[p].id for p in picks)),
            voter_id=voter.id,
            building_id=member.household.building_id,
        )
    db.session.commit()


def _decisions(community: Community, users: dict[str, User]) -> None:
    """An owners' decision open for voting (item 5: the maintenance fund repairs a lift), with the roll frozen
    from the register, a few ballots in, and one paper ballot waiting for its second entry. 张建国 can vote."""
    from datetime import timedelta

    from app.communities import access
    from app.decisions import services as decisions

    committee, staff = users["13800000007"], users["13800000008"]
    today = utcnow().date()
    decision = decisions.create(
        access.viewer(committee, community),
        client_id="demo-decision-1",
        matter=5,
        title="使用专项维修资金维修1栋电梯",
        body=(
            "1栋电梯已运行15年，近半年多次困人。经电梯检验机构检测，需更换曳引机和控制柜。\n\n"
            "- 预算：**28.6万元**，从1栋专项维修资金列支；\n"
            "- 施工：约30天，期间1栋住户可使用临时爬楼服务；\n"
            "- 报价单和检测报告在物业服务中心公示。\n\n"
            "请业主在投票期内选择同意、反对或弃权。"
        ),
        starts_on=today - timedelta(days=2),
        ends_on=today + timedelta(days=12),
        publicity_days=7,
    )
    decisions.open_voting(access.viewer(committee, community), decision)
    roll = decisions.roll_of(decision)
    by_user = {entry.voter_user_id: entry for entry in roll if entry.voter_user_id}
    for phone, choice in (("13800000007", "agree"), ("13800000003", "agree"), ("13800000004", "oppose")):
        if users[phone].id in by_user:
            decisions.vote(access.viewer(users[phone], community), decision, choice)
    paper = next(entry for entry in roll if entry.voter_user_id is None and not entry.developer)
    for n, counter in enumerate((committee, staff)):
        decisions.enter_paper(
            access.viewer(counter, community),
            decision,
            roll_entry_id=paper.id,
            choice="agree",
            client_id=f"demo-paper-{n}",
        )
    waiting = next(e for e in roll if e.voter_user_id is None and not e.developer and e.id != paper.id)
    decisions.enter_paper(
        access.viewer(committee, community),
        decision,
        roll_entry_id=waiting.id,
        choice="abstain",
        client_id="demo-paper-2",
    )
    db.session.commit()


def _micro_projects(community: Community, users: dict[str, User]) -> None:
    """This year's micro-fund with one project under way: allocation and a first expenditure."""
    from app.microprojects import ledger
    from app.microprojects.models import BudgetLine, Fund, MicroProject, ProjectEvent, ProjectStatus

    staff, org = users["13800000008"], users["13800000009"]
    fund = Fund(community_id=community.id, year=utcnow().year, total_fen=50_000_00)
    db.session.add(fund)
    db.session.flush()
    project = MicroProject(
        community_id=community.id,
        fund_id=fund.id,
        applicant_id=org.id,
        title="周末儿童阅读角",
        purpose="在社区活动室开设周末儿童阅读角，服务6-12岁儿童，志愿者轮流值班；三个月内完成布置并开放。",
        status=ProjectStatus.IN_PROGRESS,
        granted_fen=4_450_00,
        lines=[
            BudgetLine(position=0, item="书架", quantity=2, unit_price_fen=450_00),
            BudgetLine(position=1, item="儿童绘本", quantity=100, unit_price_fen=35_50),
        ],
    )
    db.session.add(project)
    db.session.flush()
    for before, after, comment in [
        (ProjectStatus.DRAFT, ProjectStatus.SUBMITTED, ""),
        (ProjectStatus.SUBMITTED, ProjectStatus.UNDER_REVIEW, ""),
        (ProjectStatus.UNDER_REVIEW, ProjectStatus.APPROVED, "预算合理，同意资助。"),
        (ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, "书架已订购。"),
    ]:
        actor = org if after in (ProjectStatus.SUBMITTED, ProjectStatus.IN_PROGRESS) else staff
        db.session.add(
            ProjectEvent(project_id=project.id, actor_id=actor.id, from_status=before, to_status=after, comment=comment)
        )
    ledger.allocate(fund, project, 4_450_00, actor_id=staff.id, note=project.title)
    ledger.spend(project, 900_00, actor_id=org.id, note="书架2个")
    db.session.commit()


def _ideas(community: Community, users: dict[str, User]) -> None:
    """Three golden ideas at different steps of the loop."""
    from app.ideas.models import Category, Endorsement, Idea, IdeaEvent, IdeaStatus

    staff = users["13800000008"]
    entries = [
        (
            "13800000001",
            "楼道加装扶手",
            Category.ELDERLY,
            "1栋、2栋楼道台阶陡，老人上下楼不方便，建议加装扶手。",
            IdeaStatus.UNDER_REVIEW,
            "社区已联系物业测量，下周答复。",
            ["13800000002", "13800000004", "13800000005"],
        ),
        (
            "13800000002",
            "周末开设儿童阅读角",
            Category.YOUTH,
            "活动室周末空着，可以开设儿童阅读角，请志愿者轮流值班。",
            IdeaStatus.SUBMITTED,
            "",
            ["13800000001"],
        ),
        (
            "13800000005",
            "垃圾分类点加装洗手池",
            Category.ENVIRONMENT,
            "分类投放后没有地方洗手，建议在3栋旁投放点加装洗手池。",
            IdeaStatus.SUBMITTED,
            "",
            [],
        ),
    ]
    for n, (phone, title, category, text, status, reason, endorsers) in enumerate(entries, start=1):
        author = users[phone]
        idea = Idea(
            community_id=community.id,
            author_id=author.id,
            client_id=f"demo-idea-{n}",
            title=title,
            description=text,
            category=category,
            status=status,
            endorsement_count=len(endorsers),
        )
        idea.events.append(IdeaEvent(actor_id=author.id, from_status=None, to_status=IdeaStatus.SUBMITTED))
        if status != IdeaStatus.SUBMITTED:
            idea.events.append(
                IdeaEvent(actor_id=staff.id, from_status=IdeaStatus.SUBMITTED, to_status=status, reason=reason)
            )
        db.session.add(idea)
        db.session.flush()
        for endorser in endorsers:
            db.session.add(Endorsement(idea_id=idea.id, user_id=users[endorser].id))
    db.session.commit()


def _consultations(community: Community, users: dict[str, User]) -> None:
    """An open formal consultation to try the room, and a concluded one with its minutes."""
    from datetime import timedelta

    from app.consultations.models import Attendance, Consultation, Motion, MotionState, Phase, Speech
    from app.core.markup import render_markdown
    from app.procedure.engine import Stance
    from app.procedure.shipped import ensure_shipped
    from app.voting import services as voting

    nantang, simple = ensure_shipped()
    staff, leader = users["13800000008"], users["13800000003"]
    now = utcnow()
    background = (
        "1栋、2栋楼道里经常有电动车**飞线充电**，物业多次劝阻无效，存在火灾隐患。\n\n"
        "本次议题：在小区内哪里建集中充电棚、费用如何分担。请先提出动议，再按议事规则发言。"
    )
    rules = nantang.copy(community_id=community.id, for_consultation=True)
    db.session.add(rules)
    db.session.flush()
    db.session.add(
        Consultation(
            community_id=community.id,
            title="电动车集中充电棚建在哪里",
            background=background,
            background_html=render_markdown(background),
            parties=["residents_committee", "property_manager", "owners_committee", "residents"],
            chair_id=leader.id,
            rule_set_id=rules.id,
            created_by_id=staff.id,
            phase=Phase.OPEN,
            opened_at=now,
        )
    )
    done_rules = simple.copy(community_id=community.id, for_consultation=True)
    db.session.add(done_rules)
    db.session.flush()
    started = now - timedelta(days=7)
    done = Consultation(
        community_id=community.id,
        title="儿童游乐区周末开放时间",
        background="游乐区周末早上7点开放，部分居民反映噪音影响休息。",
        background_html=render_markdown("游乐区周末早上7点开放，部分居民反映噪音影响休息。"),
        parties=["residents_committee", "property_manager", "residents"],
        chair_id=staff.id,
        rule_set_id=done_rules.id,
        created_by_id=staff.id,
        phase=Phase.CONCLUDED,
        opened_at=started,
        concluded_at=started + timedelta(hours=2),
        participant_count=4,
    )
    db.session.add(done)
    db.session.flush()
    voters = [users[p] for p in ("13800000001", "13800000002", "13800000004", "13800000006")]
    for voter in voters:
        db.session.add(Attendance(consultation_id=done.id, user_id=voter.id, first_seen_at=started))
    motion = Motion(
        consultation_id=done.id,
        mover_id=voters[1].id,
        client_id="demo-motion-1",
        text="周末游乐区改为早上8点开放",
        state=MotionState.CARRIED,
        seconder_id=voters[0].id,
        created_at=started + timedelta(minutes=10),
        seconded_at=started + timedelta(minutes=12),
        vote_opened_at=started + timedelta(minutes=50),
        closed_at=started + timedelta(minutes=70),
        votes_for=3,
        votes_against=1,
        abstentions=0,
        eligible=4,
        quorum_met=True,
    )
    db.session.add(motion)
    db.session.flush()
    lines = [
        (voters[1], Stance.FOR, "我家老人早上6点就被吵醒，建议改到8点。"),
        (voters[2], Stance.AGAINST, "上班族周末只有早上能带孩子玩，8点有点晚。"),
        (voters[0], Stance.FOR, "可以8点开放，同时晚上延长到8点半。"),
        (voters[3], Stance.NEUTRAL, "物业可以配合调整开门时间，并在入口张贴告示。"),
    ]
    for n, (author, stance, body) in enumerate(lines, start=1):
        db.session.add(
            Speech(
                consultation_id=done.id,
                author_id=author.id,
                client_id=f"demo-{n}",
                body=body,
                stance=stance,
                motion_id=motion.id,
                created_at=started + timedelta(minutes=15 + 8 * n),
            )
        )
    poll = voting.open_poll(community_id=community.id, poll_type="motion", subject_id=motion.id)
    for voter, choice in zip(voters, ["for", "for", "against", "for"], strict=True):
        voting.cast(poll, voter_key=voting.user_key(voter.id), voter_id=voter.id, choice=choice)
    voting.close_poll(poll)
    db.session.commit()


def _roster(community: Community, buildings: int = 4) -> dict[tuple[str, str, str], Household]:
    """Buildings of 2 units x 6 floors x 2 rooms, with a co-owned unit, a multi-unit owner
    and unsold developer units, as art. 278 counting needs them."""
    households = {}
    index = 0
    for number in range(1, buildings + 1):
        building = Building(community_id=community.id, name=f"{number}栋", sort_order=number)
        db.session.add(building)
        db.session.flush()
        for unit in ("1", "2"):
            for floor in range(1, 7):
                for door in (1, 2):
                    room = f"{floor}0{door}"
                    area = 8950 if door == 1 else 12035  # 89.50 m² and 120.35 m²
                    household = Household(
                        community_id=community.id,
                        building_id=building.id,
                        unit=unit,
                        room=room,
                        area_centi_m2=area + number * 100,
                    )
                    if number == buildings and unit == "2" and floor == 6:
                        household.developer_unsold = True
                        household.owners = [HouseholdOwner(name="开发商（未售）", is_representative=True)]
                    else:
                        index += 1
                        household.owners = [
                            HouseholdOwner(name=_owner_name(index), phone=f"139{index:08d}", is_representative=True)
                        ]
                    db.session.add(household)
                    households[(building.name, unit, room)] = household
    # 1栋1-102 is co-owned by a couple; 林玉兰's husband owns 1栋1-302 and 1栋1-402.
    if buildings > 1:
        couple = households[("1栋", "1", "102")]
        couple.owners.append(HouseholdOwner(name="钱丽娟", phone="13900009901", is_representative=False))
        multi = households[("1栋", "1", "402")]
        multi.owners[0].name, multi.owners[0].phone = "林德明", "13900009902"
        again = households[("1栋", "1", "302")]
        again.owners[0].name, again.owners[0].phone = "林德明", "13900009902"
    db.session.flush()
    return households


def account_table() -> list[tuple[str, str, str]]:
    """(phone, name, role) for printing."""
    return [(a.phone, a.name, str(a.role)) for a in ACCOUNTS]
