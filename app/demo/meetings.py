"""The demo's past meeting (议事会) of the concluded consultation: its agenda, who signed in (in the hall by
QR code, ticked by staff, online), and its minutes published for 公示."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.communities.models import Community
from app.consultations.models import Consultation, Motion, Phase
from app.extensions import db
from app.meetings.models import AgendaItem, Meeting, MeetingAttendance, MeetingState, Via
from app.meetings.services import PUBLICITY_DAYS


def load(community: Community, users: dict[str, User]) -> None:
    done = db.session.scalar(
        select(Consultation).where(Consultation.community_id == community.id, Consultation.phase == Phase.CONCLUDED)
    )
    if done is None or done.opened_at is None:
        return
    staff = users["13800000008"]
    started = done.opened_at
    motion = db.session.scalar(select(Motion).where(Motion.consultation_id == done.id).order_by(Motion.id))
    meeting = Meeting(
        community_id=community.id,
        consultation_id=done.id,
        created_by_id=staff.id,
        client_id="demo-meeting-1",
        title="游乐区开放时间议事会",
        place="社区议事厅（二楼）",
        starts_at=started,
        ends_at=started + timedelta(hours=2),
        state=MeetingState.CLOSED,
        scheduled_at=started - timedelta(days=3),
        opened_at=started,
        closed_at=started + timedelta(hours=2),
        published_at=started + timedelta(days=1),
        objections_until=started + timedelta(days=1 + PUBLICITY_DAYS),
    )
    db.session.add(meeting)
    db.session.flush()
    items = [
        AgendaItem(
            meeting_id=meeting.id,
            position=1,
            title="周末游乐区开放时间",
            ref_kind="motion" if motion else None,
            ref_id=motion.id if motion else None,
            started_at=started,
            done_at=started + timedelta(minutes=75),
            outcome="动议通过：周末改为早上8点开放，晚上延长到8点半；物业负责张贴告示。",
        ),
        AgendaItem(
            meeting_id=meeting.id,
            position=2,
            title="其他事项：游乐区夜间照明",
            started_at=started + timedelta(minutes=75),
            done_at=started + timedelta(minutes=110),
            outcome="物业一周内检修两盏路灯，下次议事会反馈。",
        ),
    ]
    db.session.add_all(items)
    present = [
        ("13800000001", Via.HALL),
        ("13800000002", Via.HALL),
        ("13800000004", Via.TICKED),
        ("13800000006", Via.ONLINE),
    ]
    for n, (phone, via) in enumerate(present):
        db.session.add(
            MeetingAttendance(
                meeting_id=meeting.id,
                user_id=users[phone].id,
                via=via,
                ticked_by_id=staff.id if via == Via.TICKED else None,
                created_at=started - timedelta(minutes=10 - n),
            )
        )
    db.session.flush()
