"""A world with a known history in March 2026 (Asia/Shanghai), written as rows so the counts are exact."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from app.consultations.models import Attendance, Consultation, Motion, MotionState, Phase
from app.decisions.models import Decision, DecisionState
from app.extensions import db
from app.ideas.models import Category, Idea, IdeaEvent, IdeaStatus
from app.microprojects.models import EntryKind, Fund, LedgerEntry, MicroProject, ProjectStatus
from app.moderation.models import ModerationAction, Mute, Report
from app.procedure.shipped import ensure_shipped
from app.voting.models import Participation, Poll

PERIOD = "start=2026-01&end=2026-12&by=month"


def at(month: int, day: int, hour: int = 4) -> datetime:
    """A UTC instant in 2026 (04:00 UTC is noon in Shanghai: the same local day)."""
    return datetime(2026, month, day, hour, tzinfo=UTC)


def _consultation(world, community, *, opened, concluded=None, carried=False):
    rules = ensure_shipped()
    made = Consultation(
        community_id=community.id,
        title="协商",
        chair_id=world.users["staff"].id,
        created_by_id=world.users["staff"].id,
        rule_set_id=rules[0].id,
        phase=Phase.CONCLUDED if concluded else Phase.OPEN,
        opened_at=opened,
        concluded_at=concluded,
    )
    db.session.add(made)
    db.session.flush()
    if carried:
        db.session.add(
            Motion(
                consultation_id=made.id,
                mover_id=world.users["staff"].id,
                client_id=uuid.uuid4().hex,
                text="动议",
                state=MotionState.CARRIED,
            )
        )
    return made


def _idea(world, community, key, created, *events):
    made = Idea(
        community_id=community.id,
        author_id=world.users[key].id,
        client_id=uuid.uuid4().hex,
        title="建议",
        description="说明",
        category=Category.OTHER,
        created_at=created,
    )
    db.session.add(made)
    db.session.flush()
    for status, when in events:
        db.session.add(IdeaEvent(idea_id=made.id, to_status=status, created_at=when))
    return made


@pytest.fixture
def history(world):
    """In 翠竹园 (world.community): 2 consultations opened in March (one concluded 10 days later with a carried
    motion, one still open), a household attending; 3 ideas (decided after 2, 4 and 30 days); a fund of ¥1000 with
    ¥300 allocated and ¥120 spent; 2 reports, a hide, a mute; a decision with 2 of 4 heads voting. In 南塘 (other):
    one idea in April. The other street's 远方 (far): one consultation, never counted on 梅山's dashboard."""
    w, c = world, world.community
    first = _consultation(w, c, opened=at(3, 1), concluded=at(3, 11), carried=True)
    _consultation(w, c, opened=at(3, 20))
    _consultation(w, w.far, opened=at(3, 5))
    db.session.add(Attendance(consultation_id=first.id, user_id=w.users["resident"].id, first_seen_at=at(3, 2)))
    db.session.add(Attendance(consultation_id=first.id, user_id=w.users["leader_a"].id, first_seen_at=at(3, 2)))
    _idea(w, c, "resident", at(3, 1), (IdeaStatus.ADOPTED, at(3, 3)), (IdeaStatus.IMPLEMENTED, at(5, 1)))
    _idea(w, c, "owner", at(3, 1), (IdeaStatus.DECLINED, at(3, 5)))
    _idea(w, c, "resident", at(3, 1), (IdeaStatus.UNDER_REVIEW, at(3, 2)), (IdeaStatus.ADOPTED, at(3, 31)))
    _idea(w, w.other, "other_resident", at(4, 2))
    fund = Fund(community_id=c.id, year=2026, total_fen=100_000)
    db.session.add(fund)
    db.session.flush()
    project = MicroProject(
        community_id=c.id,
        fund_id=fund.id,
        applicant_id=w.users["resident"].id,
        title="书架",
        status=ProjectStatus.IN_PROGRESS,
    )
    db.session.add(project)
    db.session.flush()
    db.session.add_all(
        [
            LedgerEntry(
                fund_id=fund.id,
                project_id=project.id,
                kind=EntryKind.ALLOCATION,
                amount_fen=30_000,
                created_at=at(4, 1),
            ),
            LedgerEntry(
                fund_id=fund.id,
                project_id=project.id,
                kind=EntryKind.EXPENDITURE,
                amount_fen=12_000,
                created_at=at(4, 9),
            ),
            Report(
                community_id=c.id,
                target_type="speech",
                target_id=1,
                reporter_id=w.users["resident"].id,
                reason="广告",
                created_at=at(3, 2),
            ),
            Report(
                community_id=c.id,
                target_type="speech",
                target_id=1,
                reporter_id=w.users["owner"].id,
                reason="广告",
                created_at=at(3, 2),
            ),
            ModerationAction(community_id=c.id, action="hide", created_at=at(3, 2)),
            ModerationAction(community_id=c.id, action="warn", created_at=at(3, 2)),
            Mute(
                community_id=c.id,
                room="consultation:1",
                user_id=w.users["owner"].id,
                until=at(3, 3),
                reason="刷屏",
                created_at=at(3, 2),
            ),
        ]
    )
    decision = Decision(
        community_id=c.id,
        matter=5,
        title="更新电梯",
        state=DecisionState.VOTING,
        voting_starts_on=at(6, 1).date(),
        voting_ends_on=at(6, 20).date(),
        client_id=uuid.uuid4().hex,
        roll_heads=4,
        roll_area=40000,
        opened_at=at(6, 1),
    )
    db.session.add(decision)
    db.session.flush()
    db.session.add(
        Poll(
            community_id=c.id,
            poll_type="decision",
            subject_id=decision.id,
            head="0" * 64,
            opened_head="0" * 64,
            opened_at=at(6, 1),
        )
    )
    db.session.add_all(
        [Participation(poll_type="decision", poll_id=decision.id, voter_key=f"roll:{n}") for n in (1, 2)]
    )
    db.session.commit()
    return w
