"""The meeting under way: the chair moves through the agenda (the room is told after the commit), closing,
the minutes (page and DOCX) with attendance, items, speeches and motions, 公示 with objections, reminders."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from docx import Document
from sqlalchemy import func, select

from app.consultations import services as consultation_services
from app.core.models import utcnow
from app.extensions import db, socketio
from app.meetings import services
from app.meetings.models import Meeting, MeetingState
from app.notifications import schedule
from app.notifications.models import Notification
from app.objections.models import Objection
from tests.meetings.conftest import as_viewer, login, make_meeting, the_evening_before

REFUSED = [
    ("resident", 403),
    ("leader_b", 403),
    ("group_leader", 403),
    ("property_manager", 403),
    ("street_staff", 403),
    ("other_staff", 404),
    ("outsider", 404),
]


def fresh(meeting) -> Meeting:
    db.session.expire_all()
    return db.session.get(Meeting, meeting.id)


@pytest.mark.parametrize("role", ["staff", "leader_a"])
def test_the_chair_and_staff_move_through_the_agenda(client, world, meeting, role):
    login(client, world.users[role])
    assert client.post(f"/meetings/{meeting.id}/open").status_code == 302
    m = fresh(meeting)
    assert m.state == MeetingState.OPEN and m.current_item.position == 1
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Now under discussion: 1. 议题 1" in page and 'http-equiv="refresh"' not in page  # they are typing
    login(client, world.users["resident"])
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Now under discussion: 1. 议题 1" in page and 'http-equiv="refresh"' in page  # follows without a script
    login(client, world.users[role])
    client.post(f"/meetings/{meeting.id}/next", data={"outcome": "同意放在北门"})
    m = fresh(meeting)
    assert m.current_item.position == 2 and m.items[0].outcome == "同意放在北门" and m.items[0].done_at
    client.post(f"/meetings/{meeting.id}/close", data={"outcome": "下次再议"})
    m = fresh(meeting)
    assert m.state == MeetingState.CLOSED and m.current_item is None and m.items[1].outcome == "下次再议"


@pytest.mark.parametrize(("role", "status"), REFUSED)
def test_others_do_not_run_the_meeting(client, world, meeting, role, status):
    login(client, world.users[role])
    for action in ("open", "next", "close", "publish"):
        assert client.post(f"/meetings/{meeting.id}/{action}").status_code == status, action
    assert fresh(meeting).state == MeetingState.SCHEDULED


def test_a_meeting_opens_only_in_its_window(client, world, consultation):
    meeting = make_meeting(consultation, world, state=MeetingState.SCHEDULED, starts_in=timedelta(hours=3))
    login(client, world.users["staff"])
    response = client.post(f"/meetings/{meeting.id}/open", follow_redirects=True)
    assert "A meeting opens from 30 minutes before its time until its end." in response.get_data(as_text=True)
    assert fresh(meeting).state == MeetingState.SCHEDULED


def test_the_room_hears_the_item_under_discussion_after_the_commit(app, world, consultation, meeting):
    http = app.test_client()
    login(http, world.users["owner"])
    listener = socketio.test_client(app, namespace="/consultations", flask_test_client=http)
    listener.emit("join", {"consultation_id": consultation.id}, namespace="/consultations", callback=True)
    listener.get_received("/consultations")
    services.open_meeting(as_viewer(world, "staff", meeting), meeting)
    assert not [e for e in listener.get_received("/consultations") if e["name"] == "meeting_item"]  # not yet
    db.session.commit()
    services.next_item(as_viewer(world, "staff", meeting), meeting, outcome="")
    db.session.commit()
    said = [e["args"][0] for e in listener.get_received("/consultations") if e["name"] == "meeting_item"]
    assert [s["item"]["position"] for s in said] == [1, 2]
    listener.disconnect("/consultations")


def test_a_refused_move_stores_and_says_nothing(app, world, meeting):
    services.open_meeting(as_viewer(world, "staff", meeting), meeting)
    db.session.commit()
    with pytest.raises(Exception):  # noqa: B017  (a DomainError: the outcome is too long)
        services.next_item(as_viewer(world, "staff", meeting), meeting, outcome="长" * 3000)
    db.session.rollback()
    assert fresh(meeting).current_item.position == 1


def closed_meeting_with_a_debate(world, consultation, meeting):
    staff = as_viewer(world, "staff", meeting)
    services.open_meeting(staff, meeting)
    services.sign_in(as_viewer(world, "resident", meeting), meeting, services.token(meeting))
    consultation_services.room_state(as_viewer(world, "owner", consultation), consultation)
    db.session.commit()
    consultation_services.speak(
        as_viewer(world, "leader_a", consultation), consultation, client_id="s-1", body="我主持：先说第一项。"
    )
    db.session.commit()
    services.close(staff, meeting, outcome="通过")
    db.session.commit()
    return meeting


def test_the_minutes_record_attendance_items_and_speeches(client, world, consultation, meeting):
    closed_meeting_with_a_debate(world, consultation, meeting)
    login(client, world.users["resident"])
    assert client.get(f"/meetings/{meeting.id}/minutes").status_code == 403  # not published yet
    login(client, world.users["staff"])
    page = client.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    assert "2 people: 1 in the hall, 1 online" in page
    assert "议题 1" in page and "通过" in page and "我主持：先说第一项。" in page
    docx = client.get(f"/meetings/{meeting.id}/minutes.docx")
    assert docx.status_code == 200 and "attachment" in docx.headers["Content-Disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.data)).paragraphs)
    tables = "\n".join(c.text for t in Document(io.BytesIO(docx.data)).tables for r in t.rows for c in r.cells)
    assert "我主持：先说第一项。" in text and "议题 1" in tables and "In the hall" in text


def test_minutes_before_the_close_are_refused(client, world, meeting):
    login(client, world.users["staff"])
    assert client.get(f"/meetings/{meeting.id}/minutes").status_code == 409


@pytest.mark.parametrize(
    ("role", "status"),
    [("resident", 302), ("owner", 302), ("leader_b", 302), ("street_staff", 403), ("pending_a", 403)],
)
def test_published_minutes_take_objections_during_gongshi(client, world, consultation, meeting, role, status):
    closed_meeting_with_a_debate(world, consultation, meeting)
    login(client, world.users["staff"])
    assert client.post(f"/meetings/{meeting.id}/publish").status_code == 302
    login(client, world.users[role])
    assert client.get(f"/meetings/{meeting.id}/minutes").status_code == 200
    form = {"client_id": "o-1", "body": "签到人数记录有误，我也在场。"}
    assert client.post(f"/meetings/{meeting.id}/objections", data=form).status_code == status
    client.post(f"/meetings/{meeting.id}/objections", data=form)  # the same form again: one objection
    stored = db.session.scalar(select(func.count()).select_from(Objection))
    assert stored == (1 if status == 302 else 0)


@pytest.mark.parametrize("role", ["other_resident", "outsider"])
def test_outsiders_do_not_see_the_minutes(client, world, consultation, meeting, role):
    closed_meeting_with_a_debate(world, consultation, meeting)
    services.publish(as_viewer(world, "staff", meeting), meeting)
    db.session.commit()
    login(client, world.users[role])
    assert client.get(f"/meetings/{meeting.id}/minutes").status_code == 404
    assert client.post(f"/meetings/{meeting.id}/objections", data={"body": "不对不对不对"}).status_code == 404


def test_after_gongshi_no_objection_is_taken_and_answers_are_for_those_running_it(client, world, consultation, meeting):
    closed_meeting_with_a_debate(world, consultation, meeting)
    services.publish(as_viewer(world, "staff", meeting), meeting)
    db.session.commit()
    login(client, world.users["resident"])
    client.post(f"/meetings/{meeting.id}/objections", data={"client_id": "o-1", "body": "签到人数记录有误。"})
    [objection] = db.session.scalars(select(Objection))
    assert (
        client.post(f"/meetings/{meeting.id}/objections/{objection.id}/answer", data={"answer": "好"}).status_code
        == 403
    )
    login(client, world.users["staff"])
    client.post(f"/meetings/{meeting.id}/objections/{objection.id}/answer", data={"answer": "已核对，已补记。"})
    db.session.expire_all()
    assert db.session.get(Objection, objection.id).answer == "已核对，已补记。"
    meeting = fresh(meeting)
    meeting.objections_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    login(client, world.users["owner"])
    response = client.post(f"/meetings/{meeting.id}/objections", data={"client_id": "o-2", "body": "还有一条意见。"})
    assert response.status_code == 409
    assert "Objections are taken only during the 公示 period." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Objection)) == 1


def test_minutes_are_published_once_and_only_after_the_close(client, world, consultation, meeting):
    login(client, world.users["staff"])
    response = client.post(f"/meetings/{meeting.id}/publish", follow_redirects=True)
    assert "The minutes are published once the meeting is over." in response.get_data(as_text=True)
    closed_meeting_with_a_debate(world, consultation, meeting)
    assert client.post(f"/meetings/{meeting.id}/publish").status_code == 302
    first = fresh(meeting).published_at
    client.post(f"/meetings/{meeting.id}/publish")
    assert fresh(meeting).published_at == first
    key = f"{meeting.notification_key}:minutes"
    told = list(db.session.scalars(select(Notification.user_id).where(Notification.key == key)))
    assert world.users["resident"].id in told and len(told) == len(set(told))  # those in scope, once
    assert world.users["staff"].id not in told and world.users["outsider"].id not in told


def test_reminders_go_out_the_day_before_and_within_the_hour_once_each(app, world, consultation):
    meeting = make_meeting(consultation, world, state=MeetingState.SCHEDULED, starts_in=timedelta(days=1))
    start = meeting.starts_at

    def reminded(suffix) -> int:
        key = f"{meeting.notification_key}:{int(meeting.starts_at.timestamp())}:{suffix}"
        return db.session.scalar(select(func.count()).select_from(Notification).where(Notification.key == key))

    day_before = the_evening_before(start)
    schedule.tick(day_before)
    schedule.tick(day_before + timedelta(minutes=1))
    assert reminded("day") > 0
    day_count = reminded("day")
    schedule.tick(start - timedelta(minutes=50))
    schedule.tick(start - timedelta(minutes=40))
    assert reminded("hour") == day_count  # everyone in scope, once
    assert reminded("day") == day_count


def test_the_community_feed_shows_meetings_announced_and_minutes_published(client, world, consultation, meeting):
    meeting.scheduled_at = utcnow()
    db.session.commit()
    login(client, world.users["resident"])
    feed = client.get("/c/cuizhuyuan/").get_data(as_text=True)
    assert "Meeting announced: “第一次议事会”" in feed
    login(client, world.users["other_staff"])
    assert client.get("/c/cuizhuyuan/").status_code in (200, 404)
    assert "第一次议事会" not in client.get("/c/cuizhuyuan/").get_data(as_text=True)
