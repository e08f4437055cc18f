"""The demo community's past meeting: its sign-in (hall, ticked, online), its agenda and its published minutes."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.meetings.models import Meeting, MeetingState, Via


def test_the_demo_has_a_past_meeting_with_its_sign_in_and_minutes(app, client):
    app.test_cli_runner().invoke(args=["yishi", "demo"])
    [meeting] = db.session.scalars(select(Meeting))
    assert meeting.state == MeetingState.CLOSED and meeting.published_at is not None
    assert {a.via for a in _rows(meeting)} == set(Via)
    assert meeting.items[0].ref_kind == "motion"
    client.post("/account/login", data={"phone": "13800000001", "password": app.config["DEMO_PASSWORD"]})
    page = client.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    assert "周末游乐区开放时间" in page and "共 4 人：现场 3 人，线上 1 人" in page  # the demo people read Chinese
    assert "我家老人早上6点就被吵醒" in page  # the speeches of the room while the meeting was under way
    show = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "提交异议" in show  # still in its 公示 period


def _rows(meeting):
    from app.meetings.models import MeetingAttendance

    return db.session.scalars(select(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting.id))
