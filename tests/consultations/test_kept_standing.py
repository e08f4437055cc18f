"""A socket keeps its user, its memberships and its room between events (issue 20: a join storm costs no
query for them), and every change of what they were worked out from still takes effect at the next event: a
member removed, a role taken away, an office ended, a room changed."""

from __future__ import annotations

from sqlalchemy import event, inspect, select

from app.communities.models import MemberRole, OfficeAssignment, Role
from app.consultations.models import Consultation
from app.extensions import db, socketio
from tests.consultations.conftest import ack, code


def _statements_of(action) -> list[str]:
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    return statements


def test_a_second_join_asks_the_database_for_nothing_but_its_attendance(open_mode, members):
    client = members("resident")
    consultation_id = open_mode.id
    assert ack(client, "join", consultation_id=consultation_id)["ok"]
    db.session.expunge_all()  # as a server's event: nothing of this test's loaded already

    statements = _statements_of(lambda: ack(client, "join", consultation_id=consultation_id))

    # no login, no consultation, no membership: only the (idempotent) attendance of its batch, and the
    # participant count worked out after it (coalesced: once per interval in a server, at once in tests)
    own = [s for s in statements if "count(*)" not in s]
    assert [s.split()[0].upper() for s in own] == ["INSERT"], statements
    assert "INTO attendances" in own[0]


def test_a_member_removed_is_refused_at_the_next_event(open_mode, world, members):
    client = members("resident")
    assert ack(client, "join", consultation_id=open_mode.id)["ok"]
    db.session.delete(world.memberships["resident"])
    db.session.commit()
    assert code(ack(client, "join", consultation_id=open_mode.id)) == "not_found"
    assert code(ack(client, "raise_hand", consultation_id=open_mode.id)) == "not_found"


def test_a_role_taken_away_takes_effect_at_the_next_event(open_mode, world, members):
    client = members("staff")
    first = ack(client, "join", consultation_id=open_mode.id)
    assert first["ok"] and first["you"]["can_moderate"] is True
    role = db.session.scalar(
        select(MemberRole).where(
            MemberRole.membership_id == world.memberships["staff"].id, MemberRole.role == Role.COMMUNITY_STAFF
        )
    )
    db.session.delete(role)
    db.session.commit()
    again = ack(client, "join", consultation_id=open_mode.id)
    assert again["ok"] and again["you"]["can_moderate"] is False
    assert code(ack(client, "lock", consultation_id=open_mode.id, locked=True, reason="秩序")) != "ok"
    db.session.expire_all()
    assert db.session.get(Consultation, open_mode.id).locked is False


def test_an_office_ended_ends_the_oversight_at_the_next_event(open_mode, world, members):
    client = members("street_staff")
    assert ack(client, "join", consultation_id=open_mode.id)["ok"]
    for office in db.session.scalars(
        select(OfficeAssignment).where(OfficeAssignment.user_id == world.users["street_staff"].id)
    ):
        db.session.delete(office)
    db.session.commit()
    assert code(ack(client, "join", consultation_id=open_mode.id)) == "not_found"


def test_a_role_given_takes_effect_at_the_next_event(open_mode, world, members):
    client = members("resident")
    assert ack(client, "join", consultation_id=open_mode.id)["you"]["can_moderate"] is False
    db.session.add(MemberRole(membership_id=world.memberships["resident"].id, role=Role.COMMUNITY_STAFF))
    db.session.commit()
    assert ack(client, "join", consultation_id=open_mode.id)["you"]["can_moderate"] is True


def test_a_room_changed_is_seen_by_a_socket_that_kept_it(open_mode, members):
    client = members("resident")
    assert ack(client, "join", consultation_id=open_mode.id)["consultation"]["locked"] is False
    open_mode.locked = True
    db.session.commit()
    assert ack(client, "join", consultation_id=open_mode.id)["consultation"]["locked"] is True


def test_a_join_that_needs_no_query_takes_no_handler_slot(app, open_mode, members):
    """The slots stand for the pool's connections: a join answered from what is kept needs none, and goes
    through while every slot is taken (one that must query waits for a slot, then is told busy)."""
    from app.core import sockets as core_sockets

    client, other = members("resident"), members("owner")
    consultation_id = open_mode.id
    assert ack(client, "join", consultation_id=consultation_id)["ok"]  # the room and the standing kept
    db.session.expunge_all()
    wait, app.config["SOCKET_JOIN_SLOT_WAIT_SECONDS"] = app.config["SOCKET_JOIN_SLOT_WAIT_SECONDS"], 0.05
    slot = core_sockets.handler_slot()
    taken = 0
    while slot.acquire(blocking=False):
        taken += 1
    try:
        again = ack(client, "join", consultation_id=consultation_id)
        paged = ack(other, "history", consultation_id=consultation_id, before_id=10)
    finally:
        for _ in range(taken):
            slot.release()
        app.config["SOCKET_JOIN_SLOT_WAIT_SECONDS"] = wait
    assert again["ok"] and again["presence"] == {"count": 1}
    assert code(paged) == "busy"  # history takes its slot first, as every other event


def test_the_kept_memberships_keep_no_copy_of_their_user(open_mode, members):
    """Memory per connection (bench/NOTES.md): the connection keeps its user once, with its login; a kept
    membership does not bring a copy of its own (an event's copy finds the user in its session)."""
    client = members("resident")
    assert ack(client, "join", consultation_id=open_mode.id)["ok"]
    kept = socketio.server.environ[client.eio_sid]["saved_session"]["yishi_kept_standing"][3]
    memberships = [row for key, row in kept.items() if isinstance(key, tuple) and row is not None]
    assert memberships and all("user" in inspect(row).unloaded for row in memberships)


def test_a_join_copies_none_of_the_kept_rows_into_a_session(open_mode, members, monkeypatch):
    """The room, the login and the membership kept are read as kept: copying them into each event's session
    was most of a join's work in a storm (the first join keeps them; the next copies nothing)."""
    from sqlalchemy.orm import Session

    first, second = members("resident"), members("owner")
    consultation_id = open_mode.id
    assert ack(first, "join", consultation_id=consultation_id)["ok"]  # the room kept
    db.session.expunge_all()
    merged = []
    merge = Session.merge
    monkeypatch.setattr(
        Session, "merge", lambda self, *args, **kwargs: merged.append(args) or merge(self, *args, **kwargs)
    )
    answer = ack(second, "join", consultation_id=consultation_id)
    again = ack(first, "join", consultation_id=consultation_id)
    assert answer["ok"] and answer["you"]["can_speak"] and again["ok"] and again["presence"] == {"count": 2}
    assert merged == []
