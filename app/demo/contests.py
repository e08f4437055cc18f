"""The demo's contests: a proposal contest in its voting phase, which admits social organisations' entries."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.communities.models import Community, Membership
from app.contests.models import BallotUnit, Contest, Entry, EntryStatus, Phase
from app.contests.services import end_of_day, last_day
from app.core.models import utcnow
from app.extensions import db
from app.ideas.models import Idea
from app.orgs.models import Organisation
from app.voting import services as voting

ORG_NUMBER = "52320114MJ00000016"  # 雨花睦邻社工服务中心 (app/demo/orgs.py)


def load(community: Community, users: dict[str, User]) -> None:
    """A proposal contest in its voting phase: three screened entries (one from a golden idea, one ruled
    out) and two ballots already cast, so the live turnout shows something. 王秀兰 (13800000001) has not
    voted: log in as her to try the ballot."""
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
        admits_organisations=True,
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
    org_entry = _organisation_entry(contest, users, expert, now)
    if org_entry is not None:
        entries.append(org_entry)
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
    db.session.flush()


def _organisation_entry(contest: Contest, users: dict[str, User], expert: User, now) -> Entry | None:
    """雨花睦邻社工服务中心's entry, entered by its agent 孙海燕 (13800000009), screened eligible."""
    org = db.session.scalar(select(Organisation).where(Organisation.registration_number == ORG_NUMBER))
    agent = users.get("13800000009")
    if org is None or agent is None:
        return None
    entry = Entry(
        contest_id=contest.id,
        community_id=contest.community_id,
        author_id=agent.id,
        organisation_id=org.id,
        client_id="demo-entry-org-1",
        title="长者爱心午餐：社区助餐点",
        summary="在社区活动中心设立长者助餐点，工作日为60岁以上老人提供午餐，行动不便的老人由志愿者送餐上门。",
        budget_fen=19_600_00,
        status=EntryStatus.ELIGIBLE,
        screening_reason="符合征集要求，回应居民助餐需求。",
        screened_by_id=expert.id,
        screened_at=now - timedelta(days=2),
    )
    db.session.add(entry)
    return entry
