"""In the hall: the sign-in sheet and its QR token, scanning in once and only in the meeting's window, staff
ticking those without a phone, those online counted from the room, and the quorum from both."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import pytest
from sqlalchemy import func, select

from app.core.models import utcnow
from app.extensions import db
from app.meetings import services
from app.meetings.models import MeetingAttendance, MeetingState, Via
from tests.meetings.conftest import as_viewer, login, make_meeting

SIGNERS = ["resident", "owner", "leader_a", "leader_b", "group_leader", "resident_rep", "staff", "property_manager"]


def attendance() -> list[MeetingAttendance]:
    return list(db.session.scalars(select(MeetingAttendance).order_by(MeetingAttendance.id)))


def scan(client, meeting, code=None):
    code = services.token(meeting) if code is None else code
    page = client.get(f"/meetings/{meeting.id}/sign-in?code={code}")
    return page, client.post(f"/meetings/{meeting.id}/sign-in", data={"code": code})


def test_the_sheet_carries_a_qr_code_of_the_signed_sign_in_address(client, world, meeting):
    for role in ("staff", "leader_a"):
        login(client, world.users[role])
        response = client.get(f"/meetings/{meeting.id}/sheet")
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "<svg" in page
        assert f"/meetings/{meeting.id}/sign-in?code={services.token(meeting)}" in page
        assert "A4" in page


@pytest.mark.parametrize(
    ("role", "status"),
    [("resident", 403), ("leader_b", 403), ("street_staff", 403), ("other_staff", 404), ("outsider", 404)],
)
def test_only_staff_and_those_running_it_print_the_sheet_and_tick(client, world, meeting, role, status):
    login(client, world.users[role])
    assert client.get(f"/meetings/{meeting.id}/sheet").status_code == status
    assert client.get(f"/meetings/{meeting.id}/roll").status_code == status
    tick = client.post(f"/meetings/{meeting.id}/tick", data={"user_id": world.users["owner"].id})
    assert tick.status_code == status
    assert attendance() == []


@pytest.mark.parametrize("role", SIGNERS)
def test_scanning_signs_a_member_in_once(client, world, meeting, role):
    login(client, world.users[role])
    page, done = scan(client, meeting)
    assert page.status_code == 200 and "Sign in: I am here in the hall" in page.get_data(as_text=True)
    assert done.status_code == 302
    page, twice = scan(client, meeting)
    assert "You have already signed in to this meeting." in page.get_data(as_text=True)  # said before the tap
    assert "Sign in: I am here in the hall" not in page.get_data(as_text=True)
    assert twice.status_code == 409
    assert "You have already signed in to this meeting." in twice.get_data(as_text=True)
    [row] = attendance()
    assert (row.user_id, row.via) == (world.users[role].id, Via.HALL)


@pytest.mark.parametrize(
    ("role", "status"),
    [("pending_a", 403), ("street_staff", 403), ("other_resident", 404), ("other_staff", 404), ("outsider", 404)],
)
def test_those_not_of_the_meeting_cannot_sign_in(client, world, meeting, role, status):
    login(client, world.users[role])
    _page, done = scan(client, meeting)
    assert done.status_code == status
    assert attendance() == []


def test_a_building_meeting_is_signed_in_to_by_that_building(client, world, rules_templates):
    from tests.consultations.conftest import make_consultation

    consultation = make_consultation(world, rules_templates, building=world.building_a, parties=("residents",))
    meeting = make_meeting(consultation, world, state=MeetingState.SCHEDULED)
    login(client, world.users["resident_rep"])  # lives in 2栋
    assert scan(client, meeting)[1].status_code == 403
    login(client, world.users["resident"])  # lives in 1栋
    assert scan(client, meeting)[1].status_code == 302
    assert [a.user_id for a in attendance()] == [world.users["resident"].id]


def test_anonymous_scanners_log_in_first(client, meeting):
    response = client.get(f"/meetings/{meeting.id}/sign-in?code={services.token(meeting)}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert attendance() == []


@pytest.mark.parametrize("starts_in", [timedelta(hours=2), timedelta(hours=-3)])
def test_outside_the_window_the_code_signs_nobody_in(client, world, consultation, starts_in):
    meeting = make_meeting(consultation, world, state=MeetingState.SCHEDULED, starts_in=starts_in)
    login(client, world.users["resident"])
    page, done = scan(client, meeting)
    assert "Sign-in is open only from 30 minutes" in page.get_data(as_text=True)
    assert done.status_code == 409
    assert "Sign-in is open only from 30 minutes before the meeting until it ends." in done.get_data(as_text=True)
    assert attendance() == []


def test_a_forged_or_other_meetings_code_signs_nobody_in(client, world, consultation, meeting):
    other = make_meeting(consultation, world, state=MeetingState.SCHEDULED)
    login(client, world.users["resident"])
    for code in ("forged", services.token(other)):
        _page, done = scan(client, meeting, code=code)
        assert done.status_code == 400
        assert "This sign-in code is not this meeting's." in done.get_data(as_text=True)
    old = services.token(meeting)
    meeting.starts_at += timedelta(minutes=5)  # the time moved: the printed code is void
    db.session.commit()
    assert scan(client, meeting, code=old)[1].status_code == 400
    assert attendance() == []


def test_a_draft_meetings_code_is_refused(client, world, consultation):
    meeting = make_meeting(consultation, world)
    login(client, world.users["resident"])
    assert scan(client, meeting)[1].status_code == 404  # a draft is not shown to residents
    assert attendance() == []


def test_staff_tick_those_without_a_phone_and_take_a_tick_back(client, world, meeting):
    login(client, world.users["staff"])
    page = client.get(f"/meetings/{meeting.id}/roll").get_data(as_text=True)
    assert "owner" in page
    owner = world.users["owner"].id
    assert client.post(f"/meetings/{meeting.id}/tick", data={"user_id": owner}).status_code == 302
    response = client.post(f"/meetings/{meeting.id}/tick", data={"user_id": owner}, follow_redirects=True)
    assert "This person is already signed in." in response.get_data(as_text=True)
    [row] = attendance()
    assert (row.user_id, row.via, row.ticked_by_id) == (owner, Via.TICKED, world.users["staff"].id)
    client.post(f"/meetings/{meeting.id}/tick", data={"user_id": owner, "present": "0"})
    assert attendance() == []


def test_staff_cannot_tick_someone_of_another_community(client, world, meeting):
    login(client, world.users["staff"])
    for user_id in (world.users["other_resident"].id, world.users["outsider"].id, world.users["pending_a"].id):
        response = client.post(f"/meetings/{meeting.id}/tick", data={"user_id": user_id}, follow_redirects=True)
        assert "Choose a member of this community from the list." in response.get_data(as_text=True)
    assert client.post(f"/meetings/{meeting.id}/tick", data={"user_id": "abc"}).status_code == 302
    assert attendance() == []


def test_those_in_the_room_during_the_meeting_count_online(app, world, consultation, meeting):
    from app.consultations import services as consultation_services

    consultation_services.room_state(as_viewer(world, "owner", consultation), consultation)
    db.session.commit()
    assert attendance() == []  # not under way yet
    services.open_meeting(as_viewer(world, "staff", meeting), meeting)
    db.session.commit()
    for key in ("owner", "resident", "owner"):
        consultation_services.room_state(as_viewer(world, key, consultation), consultation)
        db.session.commit()
    assert [(a.user_id, a.via) for a in attendance()] == [
        (world.users["owner"].id, Via.ONLINE),
        (world.users["resident"].id, Via.ONLINE),
    ]
    # the resident then walks into the hall and scans: counted once, in the hall
    services.sign_in(as_viewer(world, "resident", meeting), meeting, services.token(meeting))
    db.session.commit()
    assert {a.user_id: a.via for a in attendance()}[world.users["resident"].id] == Via.HALL


def test_those_joining_the_room_over_a_socket_during_the_meeting_count_online(app, world, consultation, meeting):
    """A join reads its user, membership and room as kept (not copied into its session): counting the joiner
    online still works from them."""
    from app.extensions import socketio
    from tests.consultations.conftest import ack, logged_in

    def member(key):
        return socketio.test_client(app, namespace="/consultations", flask_test_client=logged_in(app, world.users[key]))

    consultation_id = consultation.id
    services.open_meeting(as_viewer(world, "staff", meeting), meeting)
    db.session.commit()
    clients = [member(key) for key in ("owner", "resident")]
    try:
        for client in (*clients, clients[0]):  # the room kept by the first, the standings at connect
            assert ack(client, "join", consultation_id=consultation_id)["ok"]
    finally:
        for client in clients:
            client.disconnect(namespace="/consultations")
    assert sorted((a.user_id, a.via) for a in attendance()) == sorted(
        [(world.users["owner"].id, Via.ONLINE), (world.users["resident"].id, Via.ONLINE)]
    )


def test_the_quorum_counts_hall_and_online_in_exact_fractions(app, world, consultation, meeting):
    from app.consultations import services as consultation_services

    services.open_meeting(as_viewer(world, "staff", meeting), meeting)
    for key in ("resident", "owner", "leader_b"):
        services.sign_in(as_viewer(world, key, meeting), meeting, services.token(meeting))
    services.tick(as_viewer(world, "staff", meeting), meeting, world.users["resident_rep"].id)
    consultation_services.room_state(as_viewer(world, "group_leader", consultation), consultation)
    db.session.commit()
    quorum = services.quorum(meeting)
    assert (quorum.hall, quorum.online, quorum.present) == (4, 1, 5)
    eligible = quorum.eligible
    assert eligible >= 5
    rules = consultation.rule_set
    assert quorum.required == Fraction(rules.quorum_num, rules.quorum_den)
    assert quorum.share == Fraction(5, eligible)
    assert quorum.met == (Fraction(5, eligible) >= quorum.required)
    assert quorum.needed * quorum.required.denominator >= eligible * quorum.required.numerator


def test_a_quorum_is_not_met_with_nobody_there(app, world, meeting):
    quorum = services.quorum(meeting)
    assert quorum.present == 0 and not quorum.met


def test_many_scans_in_a_row_each_sign_in_once(app, world, consultation, meeting):
    """The burst in miniature (bench/ measures it over HTTP): many members, each scan one row."""
    from app.communities.models import Role
    from tests import factories

    household = world.households["a101"]
    people = []
    for n in range(60):
        user = factories.user(name=f"居民{n}")
        factories.membership(user, world.community, Role.RESIDENT, household_=household)
        people.append(user)
    db.session.commit()
    code = services.token(meeting)
    now = utcnow()
    for user in people:
        services.sign_in(as_viewer_user(user, meeting), meeting, code, now=now)
        db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(MeetingAttendance)) == 60


def as_viewer_user(user, meeting):
    from app.communities import access

    return access.viewer(user, meeting.community)
