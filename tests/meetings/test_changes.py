"""Changing a meeting before it starts (title, place, time, online room), cancelling it with a reason, the
reminders following the new time, and the agenda's order (up and down, without JavaScript): who may, who is
refused (403: sees it, may not; 404: may not see it), what is refused with which message, and who is told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.communities.models import OfficeRole
from app.core.clock import local_time
from app.core.models import utcnow
from app.extensions import db
from app.meetings import services
from app.meetings.models import AgendaItem, Meeting, MeetingAttendance, MeetingState
from app.notifications import schedule
from app.notifications.models import Notification
from tests import factories
from tests.meetings.conftest import as_viewer, login, make_meeting, the_evening_before

RUNS = ["staff", "leader_a"]  # community staff; the consultation's chair
SEE_NOT_RUN = ["resident", "owner", "leader_b", "group_leader", "resident_rep", "property_manager", "pending_a",
               "street_staff", "district_staff"]  # fmt: skip
CANNOT_SEE = ["other_staff", "other_resident", "outsider", "far_street_staff"]


@pytest.fixture
def far_street_staff(world):
    """Street staff of another street (who does not oversee the community)."""
    user = factories.user(name="far_street_staff")
    factories.office(user, OfficeRole.STREET_STAFF, street_=world.far.street)
    db.session.commit()
    world.users["far_street_staff"] = user
    return user


@pytest.fixture
def coming(consultation, world):
    """A scheduled meeting the day after tomorrow, with three items."""
    return make_meeting(consultation, world, state=MeetingState.SCHEDULED, starts_in=timedelta(days=2), items=3)


def details(meeting: Meeting, **changes) -> dict:
    start = local_time(meeting.starts_at)
    form = {
        "title": meeting.title,
        "place": meeting.place,
        "starts_on": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"),
        "duration": str(int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)),
        "online_room": "",
    }
    return {**form, **changes}


def told(kind: str = "meeting_changed") -> list[int]:
    return list(db.session.scalars(select(Notification.user_id).where(Notification.kind == kind)))


def fresh(meeting: Meeting) -> Meeting:
    db.session.expire_all()
    return db.session.get(Meeting, meeting.id)


def positions(meeting: Meeting) -> list[str]:
    return [i.title for i in fresh(meeting).items]


# -- editing ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", RUNS)
def test_those_who_run_it_change_title_place_time_and_online_room(client, world, coming, role):
    login(client, world.users[role])
    assert client.get(f"/meetings/{coming.id}/edit").status_code == 200
    later = local_time(coming.starts_at) + timedelta(days=1, hours=1)
    form = details(coming, title="改期后的议事会", place="二楼会议室", starts_on=later.date().isoformat(),
                   start_time=later.strftime("%H:%M"), online_room="腾讯会议 123-456-789")  # fmt: skip
    response = client.post(f"/meetings/{coming.id}/edit", data=form)
    assert response.status_code == 302
    meeting = fresh(coming)
    assert (meeting.title, meeting.place) == ("改期后的议事会", "二楼会议室")
    assert meeting.online_room == "腾讯会议 123-456-789"
    assert local_time(meeting.starts_at).strftime("%Y-%m-%d %H:%M") == later.strftime("%Y-%m-%d %H:%M")
    assert meeting.ends_at - meeting.starts_at == timedelta(minutes=90)
    page = client.get(f"/meetings/{coming.id}").get_data(as_text=True)
    assert "腾讯会议 123-456-789" in page and "二楼会议室" in page


@pytest.mark.parametrize("role", SEE_NOT_RUN + CANNOT_SEE)
def test_others_may_not_change_or_cancel_a_meeting(client, world, coming, far_street_staff, role):
    login(client, world.users[role])
    status = 404 if role in CANNOT_SEE else 403
    item = coming.items[1]
    assert client.get(f"/meetings/{coming.id}/edit").status_code == status
    assert client.post(f"/meetings/{coming.id}/edit", data=details(coming, title="别人改的")).status_code == status
    assert client.post(f"/meetings/{coming.id}/cancel", data={"reason": "别人取消"}).status_code == status
    move = {"direction": "up", "at": str(item.position)}
    assert client.post(f"/meetings/{coming.id}/items/{item.id}/move", data=move).status_code == status
    meeting = fresh(coming)
    assert meeting.title == "第一次议事会" and meeting.state == MeetingState.SCHEDULED
    assert positions(coming) == ["议题 1", "议题 2", "议题 3"]
    assert told() == []


def test_visitors_not_logged_in_are_sent_to_log_in(client, coming):
    for url in ("edit", "cancel", f"items/{coming.items[0].id}/move"):
        response = client.post(f"/meetings/{coming.id}/{url}", data={"reason": "取消", "direction": "down", "at": "1"})
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert fresh(coming).state == MeetingState.SCHEDULED


def test_a_new_time_or_place_tells_everyone_in_scope_once(client, world, coming):
    login(client, world.users["staff"])
    assert client.post(f"/meetings/{coming.id}/edit", data=details(coming, title="只改标题")).status_code == 302
    assert told() == []  # the title alone: nobody is told
    moved = details(fresh(coming), place="二楼会议室")
    assert client.post(f"/meetings/{coming.id}/edit", data=moved).status_code == 302
    assert client.post(f"/meetings/{coming.id}/edit", data=moved).status_code == 302  # the same form again
    people = told()
    assert len(people) == len(set(people))  # once each
    assert world.users["resident"].id in people and world.users["leader_b"].id in people
    for key in ("staff", "pending_a", "other_resident", "outsider", "street_staff"):
        assert world.users[key].id not in people, key
    message = db.session.scalar(select(Notification.text).where(Notification.user_id == world.users["resident"].id))
    assert "二楼会议室" in message


def test_a_draft_changed_tells_nobody(client, world, consultation):
    draft = make_meeting(consultation, world, starts_in=timedelta(days=2))
    login(client, world.users["staff"])
    assert client.post(f"/meetings/{draft.id}/edit", data=details(draft, place="二楼会议室")).status_code == 302
    assert fresh(draft).place == "二楼会议室" and told() == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"starts_on": "2020-01-01"}, "The meeting must start in the future."),
        ({"duration": "5"}, "Number must be between 15 and 480."),
        ({"title": "议"}, None),
        ({"place": ""}, "Say where the meeting is held."),
        ({"online_room": "腾" * 201}, None),
        ({"start_time": "25:99"}, None),
        ({"title": "议\x00事"}, None),
    ],
)
def test_bad_changes_are_refused_with_a_message_and_nothing_changes(client, world, coming, changes, message):
    login(client, world.users["staff"])
    response = client.post(f"/meetings/{coming.id}/edit", data=details(coming, **changes))
    assert response.status_code in (400, 409, 422)
    if message:
        assert message in response.get_data(as_text=True)
    meeting = fresh(coming)
    assert (meeting.title, meeting.place, meeting.online_room) == ("第一次议事会", "社区活动室", "")
    assert told() == []


@pytest.mark.parametrize("state", [MeetingState.OPEN, MeetingState.CLOSED])
def test_no_change_once_it_has_started(client, world, consultation, state):
    meeting = make_meeting(consultation, world, state=state)
    login(client, world.users["staff"])
    response = client.post(f"/meetings/{meeting.id}/edit", data=details(meeting, title="开会后改的"))
    assert response.status_code == 409
    assert "The meeting has started: it can no longer be changed." in response.get_data(as_text=True)
    assert fresh(meeting).title == "第一次议事会"
    assert "Change time, place or title" not in client.get(f"/meetings/{meeting.id}").get_data(as_text=True)


def test_no_change_once_its_time_has_come_even_unopened(app, world, consultation):
    meeting = make_meeting(consultation, world, state=MeetingState.SCHEDULED, starts_in=timedelta(minutes=-5))
    viewer = as_viewer(world, "staff", meeting)
    with pytest.raises(Exception) as refused:
        services.edit(viewer, meeting, title="迟了", place="社区活动室", online_room="",
                      starts_on=None, start_time=None, duration=90)  # fmt: skip
    assert refused.value.code == "wrong_state"
    db.session.rollback()


# -- reminders follow the new time -----------------------------------------------------------------------


def reminders(meeting: Meeting) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.kind == "meeting_reminder")
    )


def test_a_reminder_sent_for_the_old_time_is_sent_again_for_the_new_one(client, world, consultation):
    meeting = make_meeting(consultation, world, state=MeetingState.SCHEDULED, starts_in=timedelta(days=1))
    schedule.tick(the_evening_before(meeting.starts_at))
    first = reminders(meeting)
    assert first > 0
    schedule.tick(the_evening_before(meeting.starts_at) + timedelta(minutes=1))
    assert reminders(meeting) == first  # once per person for one time
    login(client, world.users["staff"])
    later = local_time(meeting.starts_at) + timedelta(days=1)
    form = details(meeting, starts_on=later.date().isoformat())
    assert client.post(f"/meetings/{meeting.id}/edit", data=form).status_code == 302
    meeting = fresh(meeting)
    schedule.tick(the_evening_before(meeting.starts_at))
    assert reminders(meeting) == 2 * first  # the day before the new day, everyone again
    schedule.tick(meeting.starts_at - timedelta(minutes=50))
    assert reminders(meeting) == 3 * first


def test_a_cancelled_meeting_is_not_reminded_of(world, consultation):
    meeting = make_meeting(consultation, world, state=MeetingState.SCHEDULED, starts_in=timedelta(days=1))
    services.cancel(as_viewer(world, "staff", meeting), meeting, "场地漏水，另行通知")
    db.session.commit()
    schedule.tick(the_evening_before(meeting.starts_at))
    schedule.tick(meeting.starts_at - timedelta(minutes=50))
    assert reminders(meeting) == 0


# -- cancelling -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", RUNS)
def test_cancelling_needs_a_reason_shows_it_and_tells_those_in_scope(client, world, coming, role):
    login(client, world.users[role])
    refused = client.post(f"/meetings/{coming.id}/cancel", data={"reason": " "})
    assert refused.status_code == 400 and "Give the reason." in refused.get_data(as_text=True)
    assert fresh(coming).state == MeetingState.SCHEDULED and told() == []
    assert client.post(f"/meetings/{coming.id}/cancel", data={"reason": "场地漏水，另行通知"}).status_code == 302
    meeting = fresh(coming)
    assert meeting.state == MeetingState.CANCELLED and meeting.cancel_reason == "场地漏水，另行通知"
    people = told()
    assert world.users["resident"].id in people and len(people) == len(set(people))
    assert world.users["outsider"].id not in people
    login(client, world.users["resident"])
    page = client.get(f"/meetings/{coming.id}").get_data(as_text=True)
    assert "This meeting was cancelled" in page and "场地漏水，另行通知" in page
    listing = client.get(f"/consultations/{coming.consultation_id}/meetings").get_data(as_text=True)
    assert "Cancelled: 场地漏水，另行通知" in listing


def test_cancelling_twice_is_refused_and_tells_nobody_again(client, world, coming):
    login(client, world.users["staff"])
    assert client.post(f"/meetings/{coming.id}/cancel", data={"reason": "场地漏水"}).status_code == 302
    count = len(told())
    again = client.post(f"/meetings/{coming.id}/cancel", data={"reason": "场地漏水"})
    assert again.status_code == 409 and "This meeting was cancelled." in again.get_data(as_text=True)
    assert len(told()) == count


@pytest.mark.parametrize("state", [MeetingState.OPEN, MeetingState.CLOSED])
def test_no_cancelling_once_under_way_or_over(client, world, consultation, state):
    meeting = make_meeting(consultation, world, state=state)
    login(client, world.users["staff"])
    response = client.post(f"/meetings/{meeting.id}/cancel", data={"reason": "不开了"})
    assert response.status_code == 409
    assert "The meeting is under way or over: it can no longer be cancelled." in response.get_data(as_text=True)
    assert fresh(meeting).state == state and told() == []


def test_the_refusal_is_in_chinese_for_a_chinese_reader(client, world, consultation):
    meeting = make_meeting(consultation, world, state=MeetingState.OPEN)
    world.users["staff"].locale = "zh_CN"
    db.session.commit()
    login(client, world.users["staff"])
    response = client.post(f"/meetings/{meeting.id}/cancel", data={"reason": "不开了"})
    assert response.status_code == 409
    assert "会议已开始或已结束，不能再取消。" in response.get_data(as_text=True)


def test_a_draft_cancelled_before_it_was_announced_stays_with_those_who_run_it(client, world, consultation):
    draft = make_meeting(consultation, world, starts_in=timedelta(days=2))
    login(client, world.users["staff"])
    assert client.post(f"/meetings/{draft.id}/cancel", data={"reason": "不需要开了"}).status_code == 302
    assert fresh(draft).state == MeetingState.CANCELLED and told() == []
    assert client.get(f"/meetings/{draft.id}").status_code == 200
    login(client, world.users["resident"])
    assert client.get(f"/meetings/{draft.id}").status_code == 404


# -- the agenda's order -----------------------------------------------------------------------------------


def move(client, meeting, item, direction, at=None):
    data = {"direction": direction, "at": str(item.position if at is None else at)}
    return client.post(f"/meetings/{meeting.id}/items/{item.id}/move", data=data)


@pytest.mark.parametrize("role", RUNS)
def test_items_move_up_and_down_and_a_repeated_tap_moves_once(client, world, coming, role):
    login(client, world.users[role])
    third = coming.items[2]
    page = client.get(f"/meetings/{coming.id}").get_data(as_text=True)
    assert f'/items/{third.id}/move"' in page  # a plain form: no script needed
    response = move(client, coming, third, "up")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#item-{third.id}")
    assert positions(coming) == ["议题 1", "议题 3", "议题 2"]
    assert move(client, coming, third, "up", at=3).status_code == 302  # the same tap again: it is no longer at 3
    assert positions(coming) == ["议题 1", "议题 3", "议题 2"]
    first = fresh(coming).items[0]
    assert move(client, coming, first, "up").status_code == 302  # already first: stays
    assert move(client, coming, first, "down").status_code == 302
    assert positions(coming) == ["议题 3", "议题 1", "议题 2"]
    assert [i.position for i in fresh(coming).items] == [1, 2, 3]


def test_during_the_meeting_an_item_taken_up_keeps_its_place(client, world, coming):
    coming.starts_at = utcnow() + timedelta(minutes=10)
    coming.ends_at = coming.starts_at + timedelta(minutes=90)
    db.session.commit()
    staff = as_viewer(world, "staff", coming)
    services.open_meeting(staff, coming)
    services.next_item(staff, coming, outcome="通过")  # item 1 done, item 2 under discussion
    db.session.commit()
    login(client, world.users["staff"])
    items = fresh(coming).items
    refused = move(client, coming, items[1], "down")
    assert refused.status_code == 409
    assert "An item already taken up keeps its place on the agenda." in refused.get_data(as_text=True)
    assert move(client, coming, items[2], "up").status_code == 409  # not above the one under discussion
    assert positions(coming) == ["议题 1", "议题 2", "议题 3"]
    services.add_item(staff, fresh(coming), title="临时动议")
    db.session.commit()
    items = fresh(coming).items
    assert move(client, coming, items[3], "up").status_code == 302  # two not yet taken up swap
    assert positions(coming) == ["议题 1", "议题 2", "临时动议", "议题 3"]
    services.next_item(staff, fresh(coming), outcome="")
    db.session.commit()
    assert fresh(coming).current_item.title == "临时动议"  # the chair takes them in the new order


def test_no_reordering_after_the_meeting_ended(client, world, consultation):
    meeting = make_meeting(consultation, world, state=MeetingState.CLOSED, items=3)
    login(client, world.users["staff"])
    response = move(client, meeting, meeting.items[2], "up")
    assert response.status_code == 409
    assert "The meeting is over: its agenda no longer changes." in response.get_data(as_text=True)
    assert positions(meeting) == ["议题 1", "议题 2", "议题 3"]


@pytest.mark.parametrize("data", [{"direction": "sideways", "at": "2"}, {"direction": "up", "at": "x"}, {}])
def test_a_bad_move_is_refused_and_nothing_moves(client, world, coming, data):
    login(client, world.users["staff"])
    response = client.post(f"/meetings/{coming.id}/items/{coming.items[1].id}/move", data=data)
    assert response.status_code == 400
    assert "Move the item up or down." in response.get_data(as_text=True)
    assert positions(coming) == ["议题 1", "议题 2", "议题 3"]


def test_an_item_of_another_meeting_is_not_found(client, world, consultation, coming):
    other = make_meeting(consultation, world, state=MeetingState.SCHEDULED, starts_in=timedelta(days=3))
    login(client, world.users["staff"])
    assert move(client, coming, other.items[1], "up").status_code == 404
    assert [i.title for i in db.session.scalars(select(AgendaItem).order_by(AgendaItem.id))][:3] == [
        "议题 1",
        "议题 2",
        "议题 3",
    ]


def test_a_cancelled_meeting_takes_no_sign_in_and_says_why(client, world, consultation):
    meeting = make_meeting(consultation, world, state=MeetingState.SCHEDULED, starts_in=timedelta(minutes=20))
    code = services.token(meeting)
    services.cancel(as_viewer(world, "staff", meeting), meeting, "场地漏水")
    db.session.commit()
    login(client, world.users["resident"])
    page = client.get(f"/meetings/{meeting.id}/sign-in?code={code}")
    assert "This meeting was cancelled." in page.get_data(as_text=True)
    refused = client.post(f"/meetings/{meeting.id}/sign-in", data={"code": code})
    assert refused.status_code == 409 and "This meeting was cancelled." in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(MeetingAttendance)) == 0
    assert "Who is here" not in client.get(f"/meetings/{meeting.id}").get_data(as_text=True)


@pytest.mark.parametrize("state", [MeetingState.OPEN, MeetingState.CLOSED])
def test_the_change_form_is_not_offered_once_it_has_started(client, world, consultation, state):
    meeting = make_meeting(consultation, world, state=state)
    login(client, world.users["staff"])
    page = client.get(f"/meetings/{meeting.id}/edit")
    assert page.status_code == 409
    assert "The meeting has started: it can no longer be changed." in page.get_data(as_text=True)


def test_a_cancelled_meeting_offers_no_change_form_and_the_feed_says_it_was_cancelled(client, world, coming):
    login(client, world.users["staff"])
    assert client.get(f"/meetings/{coming.id}/edit").status_code == 200
    assert client.post(f"/meetings/{coming.id}/cancel", data={"reason": "场地漏水"}).status_code == 302
    page = client.get(f"/meetings/{coming.id}/edit")
    assert page.status_code == 409 and "This meeting was cancelled." in page.get_data(as_text=True)
    login(client, world.users["resident"])
    feed = client.get("/c/cuizhuyuan/").get_data(as_text=True)
    assert "Meeting cancelled: “第一次议事会”" in feed
