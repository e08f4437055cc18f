"""The demo's 睦邻互助会: a group for 1栋 led by its building leader, three neighbours in it, a help request or
offer in every state of the board, and one of the group's own consultations, concluded with its motion carried."""

from __future__ import annotations

from datetime import timedelta

from app.accounts.models import User
from app.communities.models import Community
from app.consultations.models import Attendance, Consultation, Motion, MotionState, Phase
from app.core.markup import render_markdown
from app.core.models import utcnow
from app.extensions import db
from app.neighbours.models import (
    GroupBuilding,
    GroupConsultation,
    GroupMember,
    HelpCategory,
    HelpPost,
    HelpState,
    NeighbourGroup,
    PostKind,
)
from app.procedure.shipped import ensure_shipped
from app.voting import services as voting

LEADER, RESIDENT, OWNER = "13800000003", "13800000001", "13800000002"


def load(community: Community, users: dict[str, User]) -> None:
    """The group, its members, five posts (waiting, taken, done, thanked, withdrawn) and a concluded consultation."""
    now = utcnow()
    building_1 = next(b for b in community.buildings if b.name == "1栋")
    leader, resident, owner = users[LEADER], users[RESIDENT], users[OWNER]
    group = NeighbourGroup(
        community_id=community.id,
        name="1栋睦邻互助会",
        description="1栋邻居互相帮忙：借工具、代取快递、陪老人看病。楼里的小事，大家一起商量。",
        created_by_id=leader.id,
        client_id="demo-1",
        buildings=[GroupBuilding(building_id=building_1.id)],
    )
    db.session.add(group)
    db.session.flush()
    for user in (leader, resident, owner):
        db.session.add(GroupMember(group_id=group.id, user_id=user.id, joined_at=now - timedelta(days=20)))

    def help_post(author, kind, category, title, body, state, taker=None, days=1, **more):
        db.session.add(
            HelpPost(
                community_id=community.id,
                group_id=group.id,
                author_id=author.id,
                client_id=f"demo-{title}",
                kind=kind,
                category=category,
                title=title,
                body=body,
                state=state,
                taker_id=taker.id if taker else None,
                taken_at=now - timedelta(days=days) + timedelta(hours=2) if taker else None,
                created_at=now - timedelta(days=days),
                **more,
            )
        )

    help_post(resident, PostKind.REQUEST, HelpCategory.ESCORT, "周四上午陪我去社区医院复查",
              "腿脚不太方便，想请邻居陪我走一趟，大约两个小时。", HelpState.POSTED, days=0)  # fmt: skip
    help_post(owner, PostKind.REQUEST, HelpCategory.PARCELS, "帮忙取一下菜鸟驿站的快递",
              "出差到周五，快递放驿站怕过期。", HelpState.TAKEN, taker=leader, author_shares=True)  # fmt: skip
    help_post(resident, PostKind.REQUEST, HelpCategory.TOOLS, "借一把梯子换灯泡", "", HelpState.DONE,
              taker=owner, days=3, done_at=now - timedelta(days=2))  # fmt: skip
    help_post(leader, PostKind.OFFER, HelpCategory.TOOLS, "家里有电钻，邻居可以借用", "用完还回来就行。",
              HelpState.THANKED, taker=resident, days=10, done_at=now - timedelta(days=9),
              thanked_at=now - timedelta(days=9), thanks="谢谢李阿姨，柜子装好了！")  # fmt: skip
    help_post(owner, PostKind.OFFER, HelpCategory.OTHER, "周末可以帮忙照看花草", "", HelpState.WITHDRAWN,
              days=6, withdrawn_at=now - timedelta(days=5))  # fmt: skip

    simple = next(r for r in ensure_shipped() if r.key == "simple")
    rules = simple.copy(community_id=community.id, for_consultation=True)
    db.session.add(rules)
    db.session.flush()
    background = "楼道里堆放的纸箱和旧家具影响通行。商量一个周末，大家一起把楼道清理干净。"
    started = now - timedelta(days=20)
    consultation = Consultation(
        community_id=community.id,
        building_id=building_1.id,
        title="1栋楼道大扫除定在哪个周末",
        background=background,
        background_html=render_markdown(background),
        parties=["residents"],
        chair_id=leader.id,
        rule_set_id=rules.id,
        created_by_id=leader.id,
        phase=Phase.CONCLUDED,
        opened_at=started,
        concluded_at=started + timedelta(days=2),
        participant_count=3,
        created_at=started,
    )
    db.session.add(consultation)
    db.session.flush()
    db.session.add(GroupConsultation(group_id=group.id, consultation_id=consultation.id))
    voters = [leader, resident, owner]
    for voter in voters:
        db.session.add(Attendance(consultation_id=consultation.id, user_id=voter.id, first_seen_at=started))
    motion = Motion(
        consultation_id=consultation.id,
        mover_id=owner.id,
        client_id="demo-group-motion-1",
        text="本月第二个周六上午9点，1栋楼道大扫除",
        state=MotionState.CARRIED,
        seconder_id=resident.id,
        created_at=started + timedelta(hours=3),
        seconded_at=started + timedelta(hours=4),
        vote_opened_at=started + timedelta(days=1),
        closed_at=started + timedelta(days=2),
        votes_for=3,
        votes_against=0,
        abstentions=0,
        eligible=3,
        quorum_met=True,
    )
    db.session.add(motion)
    db.session.flush()
    poll = voting.open_poll(community_id=community.id, poll_type="motion", subject_id=motion.id)
    for voter in voters:
        voting.cast(poll, voter_key=voting.user_key(voter.id), voter_id=voter.id, choice="for")
    voting.close_poll(poll)
    db.session.flush()
