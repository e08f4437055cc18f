"""The demo's slow consultation (异步协商): replies over several days, answers, reactions, an edited reply, and a
proposal open for two more days with positions and reasons."""

from __future__ import annotations

from datetime import timedelta

from app.accounts.models import User
from app.communities.models import Community
from app.consultations.models import Attendance, Consultation, Motion, MotionState, Phase
from app.core.markup import render_markdown
from app.core.models import utcnow
from app.extensions import db
from app.procedure.engine import Choice
from app.procedure.shipped import ensure_shipped
from app.slow.models import Position, Reaction, Reply, ReplyReaction, ReplyStance

BACKGROUND = (
    "小区只有一个非机动车棚，在3栋北侧，1栋、2栋的居民停车要走很远，很多自行车停在楼道和消防通道上。\n\n"
    "本议题用**线上协商**的方式讨论一周：新车棚建在哪里、要不要装充电桩。大家有空时回复，"
    "对提案表明立场并说明理由，截止前都可以改变。"
)

# (phone of the author, stance, body, answers: [(phone, stance, body)])
THREADS = [
    ("13800000001", ReplyStance.FOR, "赞成在2栋东侧空地建，离1栋2栋都近，晚上下班也方便。", [
        ("13800000002", ReplyStance.QUESTION, "东侧空地是不是消防通道？要先问问物业。"),
        ("13800000006", ReplyStance.NEUTRAL, "物业答复：东侧空地不是消防通道，但要留出3米宽的车道。"),
    ]),
    ("13800000004", ReplyStance.AGAINST, "2栋东侧紧挨着一楼住户的窗户，车棚晚上有人进出，会影响休息。", [
        ("13800000007", ReplyStance.NEUTRAL, "可以把入口开在远离窗户的一侧，再装声控灯。"),
    ]),
    ("13800000005", ReplyStance.QUESTION, "充电桩的电费怎么收？按次还是按度？", []),
    ("13800000002", ReplyStance.FOR, "建议同时装智能充电桩，按度计费，杜绝飞线充电。", []),
]  # fmt: skip

POSITIONS = [
    ("13800000001", Choice.FOR, "离家近，也能解决楼道停车的问题。"),
    ("13800000002", Choice.FOR, "同意，但入口要避开一楼窗户。"),
    ("13800000004", Choice.AGAINST, "还是担心噪音，希望再比较一下别的位置。"),
    ("13800000007", Choice.ABSTAIN, ""),
]


def load(community: Community, users: dict[str, User]) -> None:
    """A slow consultation in progress, chaired by 1栋's leader."""
    template = next(r for r in ensure_shipped() if r.key == "slow")
    staff, leader = users["13800000008"], users["13800000003"]
    now = utcnow()
    started = now - timedelta(days=4)
    rules = template.copy(community_id=community.id, for_consultation=True)
    db.session.add(rules)
    db.session.flush()
    consultation = Consultation(
        community_id=community.id,
        title="新建非机动车棚的位置",
        background=BACKGROUND,
        background_html=render_markdown(BACKGROUND),
        parties=["residents_committee", "property_manager", "residents"],
        chair_id=leader.id,
        rule_set_id=rules.id,
        created_by_id=staff.id,
        phase=Phase.OPEN,
        opened_at=started,
        last_activity_at=now - timedelta(hours=3),
    )
    db.session.add(consultation)
    db.session.flush()
    at = started
    replies = []
    for n, (phone, stance, body, answers) in enumerate(THREADS):
        at += timedelta(hours=9)
        top = Reply(
            consultation_id=consultation.id, author_id=users[phone].id, client_id=f"demo-{n}", body=body,
            stance=stance, created_at=at,
        )  # fmt: skip
        db.session.add(top)
        db.session.flush()
        replies.append(top)
        for m, (answer_phone, answer_stance, answer_body) in enumerate(answers):
            at += timedelta(hours=2)
            answer = Reply(
                consultation_id=consultation.id, parent_id=top.id, author_id=users[answer_phone].id,
                client_id=f"demo-{n}-{m}", body=answer_body, stance=answer_stance, created_at=at,
            )  # fmt: skip
            db.session.add(answer)
            replies.append(answer)
    replies[0].edited_at = replies[0].created_at + timedelta(minutes=20)  # shown as edited
    db.session.flush()
    for phone, kind in (("13800000002", Reaction.AGREE), ("13800000005", Reaction.USEFUL)):
        db.session.add(ReplyReaction(reply_id=replies[0].id, user_id=users[phone].id, kind=kind))
    db.session.add(ReplyReaction(reply_id=replies[2].id, user_id=users["13800000001"].id, kind=Reaction.USEFUL))
    replies[0].agree_count, replies[0].useful_count, replies[2].useful_count = 1, 1, 1
    proposal = Motion(
        consultation_id=consultation.id,
        mover_id=users["13800000001"].id,
        client_id="demo-proposal",
        text="在2栋东侧空地新建非机动车棚（入口朝东，远离一楼窗户），并安装10个按度计费的充电桩。",
        state=MotionState.DEBATE,
        created_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=2),
    )
    db.session.add(proposal)
    db.session.flush()
    for phone, choice, reason in POSITIONS:
        db.session.add(
            Position(
                consultation_id=consultation.id, motion_id=proposal.id, user_id=users[phone].id, choice=choice,
                reason=reason, created_at=now - timedelta(hours=12), updated_at=now - timedelta(hours=12),
            )
        )  # fmt: skip
    for user in {users[p] for p, *_ in THREADS} | {users[p] for p, *_ in POSITIONS}:
        db.session.add(Attendance(consultation_id=consultation.id, user_id=user.id, first_seen_at=started))
    consultation.participant_count = len({p for p, *_ in THREADS} | {p for p, *_ in POSITIONS})
    db.session.flush()
