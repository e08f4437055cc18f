"""Preparing and scheduling a meeting: who may, what is refused (no agenda, a start in the past, a bad
reference), and who is told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.clock import local_today
from app.extensions import db
from app.ideas.models import Category, Idea
from app.meetings.models import AgendaItem, Meeting, MeetingState
from app.notifications.models import Notification
from tests.meetings.conftest import login, make_meeting

MANAGERS = ["staff", "leader_a"]  # community staff; the chair (1栋's leader)
# roles that see the consultation but do not run it: 403; those who may not see it: 404
REFUSED = [
    ("resident", 403),
    ("owner", 403),
    ("leader_b", 403),
    ("group_leader", 403),
    ("property_manager", 403),
    ("owners_committee", 403),
    ("pending_a", 403),
    ("street_staff", 403),
    ("district_staff", 403),
    ("other_staff", 404),
    ("other_resident", 404),
    ("outsider", 404),
]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def new_form(**changes):
    form = {
        "client_id": "m-1",
        "title": "充电桩选址议事会",
        "place": "社区活动室",
        "starts_on": (local_today() + timedelta(days=2)).isoformat(),
        "start_time": "19:30",
        "duration": "90",
    }
    return {**form, **changes}


@pytest.mark.parametrize("role", MANAGERS)
def test_those_who_run_the_consultation_prepare_a_meeting_once(client, world, consultation, role):
    login(client, world.users[role])
    assert client.get(f"/consultations/{consultation.id}/meetings/new").status_code == 200
    first = client.post(f"/consultations/{consultation.id}/meetings/new", data=new_form())
    again = client.post(f"/consultations/{consultation.id}/meetings/new", data=new_form())
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    [meeting] = db.session.scalars(select(Meeting))
    assert meeting.state == MeetingState.DRAFT and meeting.ends_at - meeting.starts_at == timedelta(minutes=90)


@pytest.mark.parametrize(("role", "status"), REFUSED)
def test_others_may_not_prepare_a_meeting(client, world, consultation, role, status):
    login(client, world.users[role])
    assert client.get(f"/consultations/{consultation.id}/meetings/new").status_code == status
    assert client.post(f"/consultations/{consultation.id}/meetings/new", data=new_form()).status_code == status
    assert count(Meeting) == 0


def test_anonymous_visitors_are_sent_to_log_in(client, consultation):
    response = client.get(f"/consultations/{consultation.id}/meetings/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post(f"/consultations/{consultation.id}/meetings/new", data=new_form()).status_code == 302
    assert count(Meeting) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"starts_on": (local_today() - timedelta(days=1)).isoformat()}, "The meeting must start in the future."),
        ({"duration": "5"}, "Number must be between 15 and 480."),
        ({"title": "议\x00事"}, None),
        ({"starts_on": "not a day"}, None),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_stored(client, world, consultation, changes, message):
    login(client, world.users["staff"])
    response = client.post(f"/consultations/{consultation.id}/meetings/new", data=new_form(**changes))
    assert response.status_code in (400, 409)
    if message:
        assert message in response.get_data(as_text=True)
    assert count(Meeting) == 0


def test_a_meeting_with_no_agenda_cannot_be_scheduled(client, world, consultation):
    meeting = make_meeting(consultation, world, items=0, starts_in=timedelta(days=2))
    login(client, world.users["staff"])
    response = client.post(f"/meetings/{meeting.id}/schedule", follow_redirects=True)
    assert "Put at least one item on the agenda before scheduling the meeting." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).state == MeetingState.DRAFT
    assert count(Notification) == 0


def test_scheduling_tells_everyone_in_scope_once(client, world, consultation):
    meeting = make_meeting(consultation, world, starts_in=timedelta(days=2))
    login(client, world.users["staff"])
    assert client.post(f"/meetings/{meeting.id}/schedule").status_code == 302
    assert client.post(f"/meetings/{meeting.id}/schedule").status_code == 302  # again: refused, nobody told twice
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).state == MeetingState.SCHEDULED
    told = set(db.session.scalars(select(Notification.user_id).where(Notification.key == meeting.notification_key)))
    assert world.users["resident"].id in told and world.users["leader_b"].id in told
    for key in ("staff", "pending_a", "other_resident", "outsider", "street_staff"):
        assert world.users[key].id not in told, key


def test_a_building_consultation_tells_only_that_building(client, world, rules_templates):
    from tests.consultations.conftest import make_consultation

    consultation = make_consultation(world, rules_templates, building=world.building_a)
    meeting = make_meeting(consultation, world, starts_in=timedelta(days=2))
    login(client, world.users["staff"])
    client.post(f"/meetings/{meeting.id}/schedule")
    told = set(db.session.scalars(select(Notification.user_id).where(Notification.key == meeting.notification_key)))
    assert world.users["resident"].id in told
    assert world.users["leader_b"].id not in told and world.users["resident_rep"].id not in told


@pytest.mark.parametrize(("role", "status"), REFUSED)
def test_only_those_who_run_it_change_the_agenda_or_schedule(client, world, consultation, role, status):
    meeting = make_meeting(consultation, world, starts_in=timedelta(days=2), state=MeetingState.SCHEDULED)
    login(client, world.users[role])
    assert client.post(f"/meetings/{meeting.id}/items", data={"title": "其他事项"}).status_code == status
    assert count(AgendaItem) == 2


def test_a_draft_is_seen_only_by_those_who_run_it(client, world, consultation):
    meeting = make_meeting(consultation, world, starts_in=timedelta(days=2))
    for role, status in [("staff", 200), ("leader_a", 200), ("resident", 404), ("street_staff", 404)]:
        login(client, world.users[role])
        assert client.get(f"/meetings/{meeting.id}").status_code == status, role


def test_agenda_items_point_to_things_of_this_community_only(client, world, consultation):
    def an_idea(community, author, title):
        return Idea(
            community_id=community.id,
            author_id=author.id,
            client_id=title,
            title=title,
            description="老人上楼难",
            category=next(iter(Category)),
        )

    idea = an_idea(world.community, world.users["resident"], "楼道装扶手")
    foreign = an_idea(world.other, world.users["other_resident"], "别处")
    db.session.add_all([idea, foreign])
    db.session.commit()
    meeting = make_meeting(consultation, world, starts_in=timedelta(days=2), items=0)
    login(client, world.users["staff"])
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f"idea:{idea.id}" in page and f"idea:{foreign.id}" not in page
    bad = client.post(f"/meetings/{meeting.id}/items", data={"title": "别处的点子", "ref": f"idea:{foreign.id}"})
    assert bad.status_code == 400 and "Choose an item of this community from the list." in bad.get_data(as_text=True)
    assert client.post(f"/meetings/{meeting.id}/items", data={"title": "x", "ref": "nonsense:1"}).status_code == 400
    assert count(AgendaItem) == 0
    ok = client.post(f"/meetings/{meeting.id}/items", data={"title": "楼道装扶手", "ref": f"idea:{idea.id}"})
    assert ok.status_code == 302
    [item] = db.session.scalars(select(AgendaItem))
    assert (item.ref_kind, item.ref_id, item.position) == ("idea", idea.id, 1)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f"/ideas/{idea.id}" in page


def test_items_come_off_the_agenda_only_while_it_is_prepared(client, world, consultation):
    meeting = make_meeting(consultation, world, starts_in=timedelta(days=2))
    login(client, world.users["staff"])
    first = meeting.items[0].id
    assert client.post(f"/meetings/{meeting.id}/items/{first}/remove").status_code == 302
    assert count(AgendaItem) == 1
    client.post(f"/meetings/{meeting.id}/schedule")
    second = db.session.scalar(select(AgendaItem.id))
    response = client.post(f"/meetings/{meeting.id}/items/{second}/remove", follow_redirects=True)
    assert "items are no longer taken off" in response.get_data(as_text=True)
    assert count(AgendaItem) == 1


def test_the_consultation_lists_its_meetings(client, world, consultation):
    make_meeting(consultation, world, starts_in=timedelta(days=2), state=MeetingState.SCHEDULED)
    for role, status in [("resident", 200), ("street_staff", 200), ("other_staff", 404), ("outsider", 404)]:
        login(client, world.users[role])
        response = client.get(f"/consultations/{consultation.id}/meetings")
        assert response.status_code == status, role
        if status == 200:
            assert "第一次议事会" in response.get_data(as_text=True)


def test_the_home_page_asks_those_in_scope_to_come_until_they_sign_in(client, world, consultation):
    from app.meetings import services

    meeting = make_meeting(consultation, world, state=MeetingState.SCHEDULED)
    login(client, world.users["resident"])
    assert "come and sign in" in client.get("/c/cuizhuyuan/").get_data(as_text=True)
    client.post(f"/meetings/{meeting.id}/sign-in", data={"code": services.token(meeting)})
    assert "come and sign in" not in client.get("/c/cuizhuyuan/").get_data(as_text=True)
    login(client, world.users["street_staff"])  # oversees, not in scope
    assert "come and sign in" not in client.get("/c/cuizhuyuan/").get_data(as_text=True)


def test_a_draft_consultations_meeting_is_not_announced(client, world, rules_templates):
    from app.consultations.models import Phase
    from tests.consultations.conftest import make_consultation

    consultation = make_consultation(world, rules_templates, phase=Phase.DRAFT)
    meeting = make_meeting(consultation, world, starts_in=timedelta(days=2))
    login(client, world.users["staff"])
    response = client.post(f"/meetings/{meeting.id}/schedule", follow_redirects=True)
    assert "Open the consultation before scheduling its meeting." in response.get_data(as_text=True)
    assert db.session.get(Meeting, meeting.id).state == MeetingState.DRAFT and count(Notification) == 0
