"""The demo's consultations: an open formal consultation to try the room, and a concluded one with its minutes."""

from __future__ import annotations

from datetime import timedelta

from app.accounts.models import User
from app.communities.models import Community
from app.consultations.models import Attendance, Consultation, Motion, MotionState, Phase, Speech
from app.core.markup import render_markdown
from app.core.models import utcnow
from app.extensions import db
from app.procedure.engine import Stance
from app.procedure.shipped import ensure_shipped
from app.voting import services as voting


def load(community: Community, users: dict[str, User]) -> None:
    """An open formal consultation to try the room, and a concluded one with its minutes."""
    shipped = {r.key: r for r in ensure_shipped()}
    nantang, simple = shipped["nantang"], shipped["simple"]
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
            parties=["residents_committee", "property_manager", "owners_committee", "resident_unit", "residents"],
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
    db.session.flush()
