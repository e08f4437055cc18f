"""When the whole community opens the room at once (issue 20): a join is idempotent, bounded and cheap;
the room's shared state is built once per change and every change is seen; older speeches are paged on
request; a saturated process answers "busy, retry after"."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event

from app.consultations import services
from app.consultations.models import Attendance, Consultation, Speech
from app.consultations.services import joining
from app.core import sockets as core_sockets
from app.extensions import db
from tests.consultations.conftest import WORLD_KEYS, ack, code, committed, count, events, viewer_of
from tests.core.pages_first import a_page_in_flight_and_its_one_turn_taken

INVISIBLE = {"other_staff", "other_resident", "outsider"}
NOT_PARTICIPANTS = {"pending_a", "pending_b", "unverified", "street_staff", "district_staff", "social_org", "expert"}


def _history(consultation, author, n: int, body: str = "关于充电桩的位置，我有几点想法。") -> list[int]:
    db.session.add_all(
        Speech(consultation_id=consultation.id, author_id=author.id, client_id=f"h-{i}", body=f"{i}：{body * 3}")
        for i in range(n)
    )
    db.session.commit()
    return list(db.session.scalars(db.select(Speech.id).where(Speech.consultation_id == consultation.id)))


def _size(answer: dict) -> int:
    return len(json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode())


def test_a_join_answers_the_last_page_only_whatever_after_id_says(open_mode, world, members):
    ids = sorted(_history(open_mode, world.users["owner"], 200))
    client = members("resident")
    answer = ack(client, "join", consultation_id=open_mode.id)
    assert answer["ok"] and answer["older"] is True
    got = [m["id"] for m in answer["messages"]]
    assert got == ids[-len(got) :] and 0 < len(got) <= services.PAGE
    assert _size(answer) <= 20 * 1024
    # an old after_id: still the last page only, and the gap before it said
    again = ack(client, "join", consultation_id=open_mode.id, after_id=ids[5])
    assert [m["id"] for m in again["messages"]] == got and again["older"] is True and _size(again) <= 20 * 1024
    # up to date: nothing to send, no gap
    fresh = ack(client, "join", consultation_id=open_mode.id, after_id=ids[-1])
    assert fresh["messages"] == [] and fresh["older"] is False
    # a gap inside the page only: the speeches after after_id, no older ones missing
    inside = ack(client, "join", consultation_id=open_mode.id, after_id=got[2])
    assert [m["id"] for m in inside["messages"]] == got[3:] and inside["older"] is False


def test_speeches_too_long_for_a_page_are_cut_to_twenty_kilobytes(open_mode, world, members):
    _history(open_mode, world.users["owner"], 30, body="很长的一段话。" * 150)
    answer = ack(members("resident"), "join", consultation_id=open_mode.id)
    assert answer["ok"] and answer["messages"] and _size(answer) <= 20 * 1024 and answer["older"] is True


def test_older_history_is_paged_on_request_back_to_the_first_speech(open_mode, world, members):
    ids = sorted(_history(open_mode, world.users["owner"], 95))
    client = members("resident")
    answer = ack(client, "join", consultation_id=open_mode.id)
    seen = [m["id"] for m in answer["messages"]]
    older, pages = answer["older"], 0
    while older:
        page = ack(client, "history", consultation_id=open_mode.id, before_id=seen[0])
        assert page["ok"] and 0 < len(page["messages"]) <= services.PAGE and _size(page) <= 20 * 1024
        seen = [m["id"] for m in page["messages"]] + seen
        older, pages = page["older"], pages + 1
    assert seen == ids and pages >= 4
    # a page between what the client has (after_id) and before_id
    between = ack(client, "history", consultation_id=open_mode.id, before_id=ids[10], after_id=ids[4])
    assert [m["id"] for m in between["messages"]] == ids[5:10] and between["older"] is False


@pytest.mark.parametrize("bad", [{"before_id": "x"}, {"before_id": -1}, {}, {"before_id": 5, "after_id": True}])
def test_a_malformed_history_request_is_refused_clearly(open_mode, members, bad):
    answer = ack(members("resident"), "history", consultation_id=open_mode.id, **bad)
    assert code(answer) == "bad_request" and answer["error"]["message"]


@pytest.mark.parametrize("key", [*WORLD_KEYS, "anonymous"])
def test_who_may_page_the_history(app, open_mode, world, members, key):
    ids = sorted(_history(open_mode, world.users["owner"], 3))
    if key == "anonymous":
        from app.extensions import socketio

        client = socketio.test_client(app, namespace="/consultations")
        assert not client.is_connected("/consultations")  # refused at connect: it sends nothing
        return
    answer = ack(members(key), "history", consultation_id=open_mode.id, before_id=ids[-1] + 1)
    if key in INVISIBLE:
        assert code(answer) == "not_found"
    else:
        assert code(answer) == "ok" and [m["id"] for m in answer["messages"]] == ids


@pytest.mark.parametrize("key", WORLD_KEYS)
def test_a_retried_join_is_one_member_and_one_attendance(open_mode, members, key):
    client = members(key)
    first = ack(client, "join", consultation_id=open_mode.id)
    second = ack(client, "join", consultation_id=open_mode.id)
    if key in INVISIBLE:
        assert code(first) == code(second) == "not_found"
        assert count(Attendance, consultation_id=open_mode.id) == 0
        return
    assert first["ok"] and second["ok"]
    assert first["presence"] == second["presence"] == {"count": 1}
    attended = 0 if key in NOT_PARTICIPANTS else 1
    assert count(Attendance, consultation_id=open_mode.id) == attended
    db.session.expire_all()
    assert db.session.get(Consultation, open_mode.id).participant_count == attended


def test_every_change_of_the_room_is_seen_by_the_next_joiner(open_mode, world, members):
    chair, staff = members("leader_a"), members("staff")
    assert ack(chair, "join", consultation_id=open_mode.id)["ok"]
    before = ack(members("resident"), "join", consultation_id=open_mode.id)
    assert before["messages"] == [] and not before["consultation"]["locked"]
    said = ack(members("owner"), "speak", consultation_id=open_mode.id, client_id="c-1", body="我同意")
    assert said["ok"]
    after = ack(members("group_leader"), "join", consultation_id=open_mode.id)
    assert [m["id"] for m in after["messages"]] == [said["message"]["id"]]
    assert ack(staff, "hide", message_id=said["message"]["id"], reason="测试")["ok"]
    hidden = ack(members("resident_rep"), "join", consultation_id=open_mode.id)
    assert hidden["messages"][0]["hidden"] is True and hidden["messages"][0]["body_html"] == ""
    assert ack(staff, "lock", consultation_id=open_mode.id, locked=True, reason="秩序混乱")["ok"]
    assert ack(members("property_manager"), "join", consultation_id=open_mode.id)["consultation"]["locked"] is True


def test_a_rule_change_reaches_every_room(open_mode, world, members):
    assert ack(members("resident"), "join", consultation_id=open_mode.id)["rules"]["max_speech_chars"] != 77
    open_mode.rule_set.max_speech_chars = 77
    db.session.commit()
    assert ack(members("owner"), "join", consultation_id=open_mode.id)["rules"]["max_speech_chars"] == 77


def test_the_shared_state_is_built_once_for_many_joiners(open_mode, world, members, monkeypatch):
    built = []
    real = joining._shared
    monkeypatch.setattr(joining, "_shared", lambda c: built.append(c.id) or real(c))
    keys = ["resident", "owner", "group_leader", "resident_rep", "staff", "street_staff"]
    for key in keys:
        assert ack(members(key), "join", consultation_id=open_mode.id)["ok"]
    assert built == [open_mode.id]
    # the joiner's own part is still their own
    chair = ack(members("leader_a"), "join", consultation_id=open_mode.id)
    assert chair["you"]["is_chair"] is True and chair["you"]["id"] == world.users["leader_a"].id
    watcher = ack(members("street_staff"), "join", consultation_id=open_mode.id)
    assert watcher["you"]["can_speak"] is False and watcher["you"]["why_not_speak"]
    assert built == [open_mode.id]


def test_a_join_takes_no_lock_on_the_consultation_and_few_queries(app, open_mode, world, members):
    _history(open_mode, world.users["owner"], 50)
    assert ack(members("owner"), "join", consultation_id=open_mode.id)["ok"]  # the shared state is built
    client = members("resident")
    consultation_id = open_mode.id
    db.session.expunge_all()  # as a server's event: nothing of this test's loaded already
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert ack(client, "join", consultation_id=consultation_id)["ok"]
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    # the participant count is worked out after the commit, once per interval (at once in tests): the
    # joiner's own transaction writes its attendance and nothing else
    # and the dashboards' snapshots of its street and district are marked stale after the commit (core.changes)
    recount = [s for s in statements if s.lstrip().upper().startswith("UPDATE") and "count(*)" in s]
    marked = [s for s in statements if s.lstrip().upper().startswith("UPDATE DASHBOARD_SNAPSHOTS")]
    assert len(marked) == 1, marked
    own = [s for s in statements if s not in recount and s not in marked]
    writes = [s for s in own if s.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]
    assert len(writes) == 1 and "INTO attendances" in writes[0] and "ON CONFLICT DO NOTHING" in writes[0], writes
    assert not any("FOR UPDATE" in s.upper() for s in statements)
    # the login, the consultation with its community, the membership, the attendance
    assert len(own) <= 4, [s[:80] for s in own]


def test_a_saturated_process_says_retry_after_instead_of_timing_out(app, open_mode, members, monkeypatch):
    client = members("resident")
    app.config["SOCKET_JOIN_SLOT_WAIT_SECONDS"] = 0.05
    app.config["SOCKET_SLOT_WAIT_SECONDS"] = 0.05
    slot = core_sockets.handler_slot()
    taken = 0
    while slot.acquire(blocking=False):
        taken += 1
    try:
        answer = ack(client, "join", consultation_id=open_mode.id)
        other = ack(client, "history", consultation_id=open_mode.id, before_id=10)
    finally:
        for _ in range(taken):
            slot.release()
        app.config["SOCKET_JOIN_SLOT_WAIT_SECONDS"] = 12
        app.config["SOCKET_SLOT_WAIT_SECONDS"] = 5
    assert code(answer) == "busy" and answer["error"]["retry_after"] >= 1 and answer["error"]["message"]
    assert code(other) == "busy"
    assert count(Attendance, consultation_id=open_mode.id) == 0
    # the retry after the wait goes through, once
    assert ack(client, "join", consultation_id=open_mode.id)["ok"]
    assert count(Attendance, consultation_id=open_mode.id) == 1


def test_a_join_waits_its_turn_behind_a_page_and_says_busy_past_its_wait(app, open_mode, members):
    client = members("resident")
    with a_page_in_flight_and_its_one_turn_taken(app, "SOCKET_JOIN_SLOT_WAIT_SECONDS"):
        answer = ack(client, "join", consultation_id=open_mode.id)
    assert code(answer) == "busy" and answer["error"]["retry_after"] >= 1
    assert count(Attendance, consultation_id=open_mode.id) == 0
    assert ack(client, "join", consultation_id=open_mode.id)["ok"]
    assert count(Attendance, consultation_id=open_mode.id) == 1


def test_the_page_still_renders_the_whole_recent_history(app, open_mode, world):
    from tests.consultations.conftest import logged_in

    ids = _history(open_mode, world.users["owner"], 60)
    page = logged_in(app, world.users["resident"]).get(f"/consultations/{open_mode.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert all(f'id="m-{i}"' in text for i in ids)


def test_presence_events_still_reach_the_room(open_mode, members):
    first = members("resident")
    assert ack(first, "join", consultation_id=open_mode.id)["ok"]
    first.get_received("/consultations")
    assert ack(members("owner"), "join", consultation_id=open_mode.id)["presence"] == {"count": 2}
    assert events(first, "presence")[-1] == {"count": 2}


def test_the_attendance_count_is_kept_without_the_joiners_locking(open_mode, world):
    viewers = [viewer_of(world.users[k], open_mode) for k in ("resident", "owner", "group_leader")]
    for viewer in viewers:
        joining.note_attendance(viewer, open_mode)
        joining.note_attendance(viewer, open_mode)  # again: no second row
        committed(None)
    assert count(Attendance, consultation_id=open_mode.id) == 3
    db.session.expire_all()
    assert db.session.get(Consultation, open_mode.id).participant_count == 3
