"""The demo's objections (app/objections): one to the past meeting's published minutes, answered by staff, so
the minutes' 公示 shows an objection and its answer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.communities.models import Community
from app.extensions import db
from app.meetings.models import Meeting
from app.objections.models import Objection


def load(community: Community, users: dict[str, User]) -> None:
    meeting = db.session.scalar(
        select(Meeting).where(Meeting.community_id == community.id, Meeting.client_id == "demo-meeting-1")
    )
    if meeting is None or meeting.published_at is None:
        return
    db.session.add(
        Objection(
            community_id=community.id,
            owner_kind="meeting",
            owner_id=meeting.id,
            author_id=users["13800000003"].id,
            client_id="demo-objection-1",
            body="纪要里没有写上夜间照明由谁负责检修，请补充。",
            created_at=meeting.published_at + timedelta(hours=3),
            answer="已补充：由物业负责，一周内检修两盏路灯。",
            answered_by_id=users["13800000008"].id,
            answered_at=meeting.published_at + timedelta(days=1),
        )
    )
    db.session.flush()
