"""The hall's sign-in when the whole hall scans at once: past a bounded wait for a database slot the person is
told, in their language, to try again in a few seconds (503, Retry-After), nothing is stored, and the next try
signs them in once. bench/meeting_signin.py measures the storm itself (200 scans at one instant)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.sockets import handler_slot
from app.extensions import db
from app.meetings import services
from app.meetings.models import MeetingAttendance
from tests.meetings.conftest import login


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(MeetingAttendance))


@pytest.fixture
def saturated(app):
    """Every slot taken (one slot, held by the test), and the sign-in waits only a moment for one."""
    app.config.update(SOCKET_HANDLER_CONCURRENCY=1, MEETING_SIGNIN_SLOT_WAIT_SECONDS=0.05)
    slot = handler_slot()
    assert slot.acquire(timeout=1)
    yield slot
    slot.release()


def test_a_saturated_sign_in_says_try_again_and_stores_nothing(client, world, meeting, saturated):
    login(client, world.users["resident"])
    code = services.token(meeting)
    page = client.get(f"/meetings/{meeting.id}/sign-in?code={code}")
    assert page.status_code == 503 and page.headers["Retry-After"] == "3"
    text = page.get_data(as_text=True)
    assert "Many people are signing in at once. Please try again in 3 seconds." in text
    assert f"/meetings/{meeting.id}/sign-in?code={code}" in text  # the page comes back by itself
    posted = client.post(f"/meetings/{meeting.id}/sign-in", data={"code": code})
    assert posted.status_code == 503 and posted.headers["Retry-After"] == "3"
    assert f'name="code" value="{code}"' in posted.get_data(as_text=True)  # the button sends it again
    assert stored() == 0
    saturated.release()
    try:
        assert client.post(f"/meetings/{meeting.id}/sign-in", data={"code": code}).status_code == 302
        assert client.post(f"/meetings/{meeting.id}/sign-in", data={"code": code}).status_code == 409
    finally:
        saturated.acquire()
    assert stored() == 1


def test_the_busy_answer_is_in_chinese_for_a_chinese_reader(client, world, meeting, saturated):
    world.users["owner"].locale = "zh_CN"
    db.session.commit()
    login(client, world.users["owner"])
    posted = client.post(f"/meetings/{meeting.id}/sign-in", data={"code": services.token(meeting)})
    assert posted.status_code == 503
    assert "签到的人很多，请 3 秒后再试。" in posted.get_data(as_text=True)
    assert stored() == 0


def test_the_slot_is_given_back_after_each_sign_in(app, client, world, meeting):
    app.config.update(SOCKET_HANDLER_CONCURRENCY=1, MEETING_SIGNIN_SLOT_WAIT_SECONDS=0.05)
    code = services.token(meeting)
    for key in ("resident", "owner", "leader_b"):  # one slot: each would be refused if a scan kept it
        login(client, world.users[key])
        assert client.get(f"/meetings/{meeting.id}/sign-in?code={code}").status_code == 200
        assert client.post(f"/meetings/{meeting.id}/sign-in", data={"code": "wrong"}).status_code == 400
        assert client.post(f"/meetings/{meeting.id}/sign-in", data={"code": code}).status_code == 302
    assert stored() == 3
    slot = handler_slot()
    assert slot.acquire(timeout=0.01)
    slot.release()


def test_visitors_not_logged_in_are_sent_to_log_in(client, meeting):
    response = client.get(f"/meetings/{meeting.id}/sign-in?code={services.token(meeting)}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert stored() == 0
