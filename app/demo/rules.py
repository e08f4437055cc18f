"""The demo's rules of procedure: 翠竹园社区议事规则, drafted from 南塘议事规则 last month, commented on by the
residents and adopted by their vote (version 1, with its ballots in the chain and its count to verify)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.communities import access
from app.communities.models import Community, Membership
from app.core.models import utcnow
from app.extensions import db
from app.procedure.shipped import ensure_shipped
from app.rulebook import services as rulebook
from app.rulebook.models import DraftState, RuleComment
from app.voting import services as voting

TEXT_CHANGES = {
    "4. 限时发言：每人每次发言不超过2分钟。": "4. 限时发言：每人每次发言不超过3分钟，老人可由家属代读。",
}
ADDED = "14. 公开透明：议题、表决结果和会议纪要同时在社区公告栏和议事平台公示。"

COMMENTS = [
    ("13800000001", 2, "两分钟对我们老年人太短了，话还没说完就到时间了。"),
    ("13800000004", 3, "同意延长到三分钟，但最好还是先把动议写清楚再讨论。"),
    ("13800000005", 5, "建议纪要也贴在楼道公告栏，不会用手机的邻居也能看到。"),
]
# 5 of the 6 verified residents vote; 王秀兰 (13800000001) did not
VOTES = [
    ("13800000002", "yes"),
    ("13800000003", "yes"),
    ("13800000004", "yes"),
    ("13800000007", "yes"),
    ("13800000005", "no"),
]


def load(community: Community, users: dict[str, User]) -> None:
    staff = access.viewer(users["13800000008"], community)
    nantang = ensure_shipped()[0]
    now = utcnow()
    opened = now - timedelta(days=30)
    draft = rulebook.create(
        staff,
        client_id="demo-rules",
        source_id=nantang.id,
        name="翠竹园社区议事规则",
        explanation="在南塘议事规则的基础上，根据居民议事会的意见修改：发言时间延长到3分钟，增加公示条款。",
    )
    lines = [TEXT_CHANGES.get(line, line) for line in nantang.text.splitlines()]
    rulebook.update(
        staff,
        draft,
        {"floor_seconds": 180},
        name=draft.title,
        text="\n".join([*lines, ADDED]),
        explanation=draft.explanation,
    )
    # the comment period (two weeks) and the vote (a week), a month ago: set as they happened
    draft.state = DraftState.COMMENTING
    draft.comments_close_at = opened + timedelta(days=14)
    for phone, day, body in COMMENTS:
        db.session.add(
            RuleComment(
                draft_id=draft.id,
                community_id=community.id,
                author_id=users[phone].id,
                client_id=f"demo-rules-{phone}",
                body=body,
                created_at=opened + timedelta(days=day),
            )
        )
    rules = rulebook.governing(draft)
    draft.vote_quorum_num, draft.vote_quorum_den = rules.quorum_num, rules.quorum_den
    draft.vote_pass_num, draft.vote_pass_den = rules.pass_num, rules.pass_den
    draft.vote_pass_strict, draft.vote_tie_fails = rules.pass_strict, rules.tie_fails
    poll = voting.open_poll(community_id=community.id, poll_type=rulebook.POLL_TYPE, subject_id=draft.id, secret=True)
    poll.opened_at = draft.comments_close_at
    draft.poll_id = poll.id
    draft.state = DraftState.VOTING
    draft.vote_closes_at = draft.comments_close_at + timedelta(days=7)
    for phone, choice in VOTES:
        member = db.session.scalar(
            select(Membership).where(Membership.user_id == users[phone].id, Membership.community_id == community.id)
        )
        voting.cast(
            poll,
            voter_key=voting.user_key(users[phone].id),
            choice=choice,
            voter_id=users[phone].id,
            building_id=member.building_id,
        )
    db.session.flush()
    rulebook.close(draft, draft.vote_closes_at)
    poll.closed_at = draft.vote_closes_at
