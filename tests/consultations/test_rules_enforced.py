"""The rules of procedure, enforced over the live socket: each refusal carries its stable code and a
specific translated message, and stores nothing. Malformed payloads get bad_request (unknown ids
not_found), never a server error. Speeches are escaped everywhere they are shown."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from app.consultations import services
from app.consultations.models import HandRaise, Motion, MotionState, Phase, Speech
from app.core.models import utcnow
from app.extensions import db, socketio
from app.moderation.models import ModerationAction, Mute, Report
from app.voting.models import Ballot
from tests.consultations.conftest import ack, code, committed, count, events, logged_in, make_consultation, viewer_of

_ids = itertools.count(1)

MESSAGES = {
    "not_verified": "Only verified members of this community can take part; you can read along.",
    "vote_in_progress": "A vote is under way: speeches and raised hands wait until the chair closes it.",
    "rule_floor_time_up": "Your 120 seconds on the floor are up. Raise your hand again to speak.",
    "rule_no_motion": (
        "No motion is pending, and there is no debate without a motion: ask a question without taking a side, "
        "or move a motion."
    ),
    "locked": "The chair has locked the room; only the chair can speak now.",
    "muted": "You are muted in this room for now.",
    "rule_no_floor": "Raise your hand and wait for the chair to give you the floor.",
    "rule_stance_required": "Say first whether you are for, against or neutral on the motion.",
    "rule_chair_neutral": "The chair stays neutral: the chair does not argue for a side or vote.",
    "rule_alternate": "Speakers alternate: give the floor to someone from the other side first.",
    "already_voted": "You have voted already; a vote cannot be changed.",
    "motion_pending": "Another motion is pending; it must be decided first.",
}


def say(client, consultation, body="我说两句", **extra):
    return ack(client, "speak", consultation_id=consultation.id, client_id=f"c-{next(_ids)}", body=body, **extra)


def refused(result: dict, expected_code: str, message: str | None = None) -> None:
    """The acknowledgement is exactly a refusal with this code and its (English) message."""
    assert result == {"ok": False, "error": {"code": expected_code, "message": result["error"]["message"]}}, result
    assert result["error"]["message"] == (message or MESSAGES[expected_code])


def speeches(consultation) -> int:
    return count(Speech, consultation_id=consultation.id)


@pytest.fixture
def room(world, rules_templates):
    def make(**kw):
        return make_consultation(world, rules_templates, **kw)

    return make


@pytest.fixture
def u(world):
    return world.users


def debated_motion(consultation, u, mover="owner", seconder="group_leader", text="在北侧空地建充电棚"):
    motion = committed(
        services.move(viewer_of(u[mover], consultation), consultation, client_id=f"m-{next(_ids)}", text=text)
    )
    return (
        committed(services.second(viewer_of(u[seconder], motion), motion))
        if motion.state == MotionState.MOVED
        else motion
    )


# -- length ------------------------------------------------------------------------------------------


def test_too_long_is_refused_and_exactly_the_maximum_is_accepted(room, members):
    consultation = room(key="simple", slow_mode_seconds=0, max_speech_chars=20)
    resident = members("resident")
    refused(
        say(resident, consultation, "长" * 21),
        "rule_too_long",
        "A speech can be at most 20 characters; yours has 21.",
    )
    assert speeches(consultation) == 0
    assert say(resident, consultation, "长" * 20)["ok"]
    # Surrounding white space is not counted.
    assert say(resident, consultation, "  " + "短" * 20 + "\n")["ok"]
    assert speeches(consultation) == 2


def test_the_chair_is_held_to_the_length_too(room, members):
    consultation = room(max_speech_chars=10)
    refused(
        say(members("leader_a"), consultation, "主" * 11),
        "rule_too_long",
        "A speech can be at most 10 characters; yours has 11.",
    )
    assert speeches(consultation) == 0


# -- how often -------------------------------------------------------------------------------------------


def test_open_mode_limits_speeches_per_consultation(room, members, u):
    consultation = room(key="simple", slow_mode_seconds=0, max_speeches_per_motion=2)
    resident, owner = members("resident"), members("owner")
    assert say(resident, consultation)["ok"]
    assert say(resident, consultation)["ok"]
    limit = "Each person may speak at most 2 times in this consultation; you have spoken 2 times."
    refused(say(resident, consultation), "rule_speech_limit", limit)
    assert speeches(consultation) == 2
    # Others keep their own count.
    assert say(owner, consultation)["ok"]
    # In open mode the count is per consultation: a motion does not reset it.
    debated_motion(consultation, u)
    refused(say(resident, consultation), "rule_speech_limit", limit)
    assert count(Speech, consultation_id=consultation.id, author_id=u["resident"].id) == 2


def test_formal_mode_limits_speeches_per_motion_and_a_new_motion_resets_the_count(room, members, u):
    consultation = room()  # 南塘: 2 speeches per member per motion
    chair, resident = members("leader_a"), members("resident")
    first = debated_motion(consultation, u)
    for _turn in range(2):
        assert ack(resident, "raise_hand", consultation_id=consultation.id, stance="for")["ok"]
        assert ack(chair, "grant_floor", consultation_id=consultation.id, user_id=u["resident"].id)["ok"]
        spoken = say(resident, consultation, "赞成建棚", stance="for", motion_id=first.id)
        assert spoken["ok"] and spoken["message"]["motion_id"] == first.id
    limit = "Each person may speak at most 2 times on this motion; you have spoken 2 times."
    refused(ack(resident, "raise_hand", consultation_id=consultation.id, stance="for"), "rule_speech_limit", limit)
    # Nor can the chair give the floor for a third speech: the grant is refused, saying why.
    refused(
        ack(chair, "grant_floor", consultation_id=consultation.id, user_id=u["resident"].id),
        "grant_speech_limit",
        "resident has spoken 2 times on this motion, the most the rules allow: the floor cannot be given to them.",
    )
    db.session.refresh(consultation)
    assert consultation.floor_holder_id is None
    refused(say(resident, consultation, "再说一次", stance="for"), "rule_no_floor")
    assert count(Speech, consultation_id=consultation.id, motion_id=first.id) == 2
    # The mover withdraws; on a new motion the member may speak again.
    committed(services.withdraw(viewer_of(u["owner"], first), first))
    second = debated_motion(consultation, u, text="在南侧建充电棚")
    assert ack(resident, "raise_hand", consultation_id=consultation.id, stance="against")["ok"]
    assert ack(chair, "grant_floor", consultation_id=consultation.id, user_id=u["resident"].id)["ok"]
    spoken = say(resident, consultation, "南侧太远", stance="against")
    assert spoken["ok"] and spoken["message"]["motion_id"] == second.id


def test_debate_waits_while_the_motion_is_voted_on(room, members, u):
    consultation = room()
    chair, resident = members("leader_a"), members("resident")
    motion = debated_motion(consultation, u)
    committed(services.grant_floor(viewer_of(u["leader_a"], consultation), consultation, u["resident"].id))
    assert ack(chair, "call_vote", motion_id=motion.id)["ok"]  # takes the floor back
    refused(ack(chair, "grant_floor", consultation_id=consultation.id, user_id=u["resident"].id), "vote_in_progress")
    refused(ack(resident, "raise_hand", consultation_id=consultation.id, stance="for"), "vote_in_progress")
    refused(say(resident, consultation, "赞成", stance="for"), "vote_in_progress")
    refused(say(chair, consultation, "请大家投票"), "vote_in_progress")
    assert speeches(consultation) == 0
    assert count(HandRaise, consultation_id=consultation.id) == 0


def test_slow_mode(room, members, u):
    consultation = room(key="simple", slow_mode_seconds=30)
    resident, owner = members("resident"), members("owner")
    first = say(resident, consultation)
    assert first["ok"]
    refused(say(resident, consultation), "rule_slow_mode", "Please wait 30 seconds before speaking again.")
    assert speeches(consultation) == 1
    assert say(owner, consultation)["ok"]  # slow mode is per member
    # 31 seconds later the member may speak again.
    speech = db.session.get(Speech, first["message"]["id"])
    speech.created_at = utcnow() - timedelta(seconds=31)
    db.session.commit()
    assert say(resident, consultation)["ok"]


# -- the floor -------------------------------------------------------------------------------------------


def test_formal_mode_needs_the_floor(room, members, u):
    consultation = room()
    resident = members("resident")
    refused(say(resident, consultation), "rule_no_floor")
    # Someone else's floor is no help.
    committed(services.grant_floor(viewer_of(u["leader_a"], consultation), consultation, u["owner"].id))
    refused(say(resident, consultation), "rule_no_floor")
    assert speeches(consultation) == 0
    # The holder speaks once: the turn is used up.
    owner = members("owner")
    assert say(owner, consultation)["ok"]
    refused(say(owner, consultation), "rule_no_floor")
    assert speeches(consultation) == 1


def test_an_expired_floor_is_no_floor(room, members, u):
    consultation = room()
    resident = members("resident")
    committed(services.grant_floor(viewer_of(u["leader_a"], consultation), consultation, u["resident"].id))
    consultation.floor_ends_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    # Told that the time is up, not to raise a hand "first" (they had the floor).
    refused(say(resident, consultation), "rule_floor_time_up")
    assert speeches(consultation) == 0
    assert ack(resident, "join", consultation_id=consultation.id)["floor"]["holder"] is None
    # Someone who never had it is still told to raise a hand.
    refused(say(members("owner"), consultation), "rule_no_floor")


def test_a_speech_on_a_motion_states_its_stance(room, members, u):
    consultation = room()
    resident = members("resident")
    # Without a motion, no stance is needed.
    committed(services.grant_floor(viewer_of(u["leader_a"], consultation), consultation, u["resident"].id))
    assert say(resident, consultation, "先说说情况")["ok"]
    debated_motion(consultation, u)
    refused(ack(resident, "raise_hand", consultation_id=consultation.id), "rule_stance_required")
    assert count(HandRaise, consultation_id=consultation.id) == 0
    committed(services.grant_floor(viewer_of(u["leader_a"], consultation), consultation, u["resident"].id))
    refused(say(resident, consultation, "我觉得可以"), "rule_stance_required")
    assert speeches(consultation) == 1
    # The refusal did not use up the floor.
    assert say(resident, consultation, "我觉得可以", stance="neutral")["ok"]


def test_the_chair_stays_neutral(room, members, u):
    consultation = room()
    chair = members("leader_a")
    refused(say(chair, consultation, "我赞成", stance="for"), "rule_chair_neutral")
    refused(say(chair, consultation, "我反对", stance="against"), "rule_chair_neutral")
    assert speeches(consultation) == 0
    assert say(chair, consultation, "请大家发言")["ok"]  # no floor needed, no side taken
    assert say(chair, consultation, "我中立", stance="neutral")["ok"]
    refused(ack(chair, "raise_hand", consultation_id=consultation.id), "rule_chair_neutral")
    refused(
        ack(chair, "move", consultation_id=consultation.id, client_id="m-c", text="主持人动议"), "rule_chair_neutral"
    )
    motion = committed(
        services.move(viewer_of(u["owner"], consultation), consultation, client_id="m-1", text="建充电棚")
    )
    refused(ack(chair, "second", motion_id=motion.id), "rule_chair_neutral")
    committed(services.second(viewer_of(u["resident"], motion), motion))
    assert ack(chair, "call_vote", motion_id=motion.id)["ok"]
    refused(ack(chair, "vote", motion_id=motion.id, choice="for"), "rule_chair_neutral")
    refused(ack(chair, "vote", motion_id=motion.id, choice="abstain"), "rule_chair_neutral")
    assert count(Ballot, poll_id=motion.id) == 0
    assert count(HandRaise, consultation_id=consultation.id) == 0
    assert count(Motion, consultation_id=consultation.id) == 1


def test_a_chair_who_need_not_be_neutral_may_argue_second_and_vote(room, members, u):
    consultation = room(chair_neutral=False)
    chair = members("leader_a")
    assert say(chair, consultation, "我赞成", stance="for")["ok"]
    motion = committed(
        services.move(viewer_of(u["owner"], consultation), consultation, client_id="m-1", text="建充电棚")
    )
    assert ack(chair, "second", motion_id=motion.id)["ok"]
    assert ack(chair, "call_vote", motion_id=motion.id)["ok"]
    assert ack(chair, "vote", motion_id=motion.id, choice="for")["ok"]


def test_the_chair_alternates_for_and_against(room, members, u):
    consultation = room()
    chair, resident, owner, group_leader = (members(k) for k in ("leader_a", "resident", "owner", "group_leader"))
    debated_motion(consultation, u, mover="resident_rep", seconder="leader_b")
    assert ack(resident, "raise_hand", consultation_id=consultation.id, stance="for")["ok"]
    assert ack(chair, "grant_floor", consultation_id=consultation.id, user_id=u["resident"].id)["ok"]
    assert say(resident, consultation, "赞成", stance="for")["ok"]
    assert ack(owner, "raise_hand", consultation_id=consultation.id, stance="for")["ok"]
    floor = ack(group_leader, "raise_hand", consultation_id=consultation.id, stance="against")["floor"]
    # The queue puts the other side first.
    assert [e["user_id"] for e in floor["queue"]] == [u["group_leader"].id, u["owner"].id]
    refused(ack(chair, "grant_floor", consultation_id=consultation.id, user_id=u["owner"].id), "rule_alternate")
    db.session.refresh(consultation)
    assert consultation.floor_holder_id is None
    assert count(HandRaise, consultation_id=consultation.id) == 2
    granted = ack(chair, "grant_floor", consultation_id=consultation.id, user_id=u["group_leader"].id)
    assert granted["floor"]["holder"]["id"] == u["group_leader"].id


def test_without_alternation_the_chair_may_call_the_same_side_again(room, members, u):
    consultation = room(alternate_stances=False)
    chair, resident, owner = members("leader_a"), members("resident"), members("owner")
    debated_motion(consultation, u, mover="resident_rep", seconder="leader_b")
    committed(services.grant_floor(viewer_of(u["leader_a"], consultation), consultation, u["resident"].id))
    assert say(resident, consultation, "赞成", stance="for")["ok"]
    assert ack(owner, "raise_hand", consultation_id=consultation.id, stance="for")["ok"]
    committed(services.raise_hand(viewer_of(u["group_leader"], consultation), consultation, "against"))
    assert ack(chair, "grant_floor", consultation_id=consultation.id, user_id=u["owner"].id)["ok"]


# -- rule 2: no debate without a motion (无动议不讨论) -------------------------------------------------------


def test_no_side_is_taken_while_no_motion_is_pending(room, members, u):
    consultation = room()  # 南塘议事规则: rule 2 is enforced
    assert consultation.rule_set.motion_first
    chair, resident = members("leader_a"), members("resident")
    for stance in ("for", "against", "neutral"):
        refused(ack(resident, "raise_hand", consultation_id=consultation.id, stance=stance), "rule_no_motion")
    assert count(HandRaise, consultation_id=consultation.id) == 0
    assert ack(resident, "raise_hand", consultation_id=consultation.id)["ok"]  # for a question
    assert ack(chair, "grant_floor", consultation_id=consultation.id, user_id=u["resident"].id)["ok"]
    refused(say(resident, consultation, "我赞成建棚", stance="for"), "rule_no_motion")
    refused(say(resident, consultation, "我中立", stance="neutral"), "rule_no_motion")
    assert speeches(consultation) == 0
    # the refusal did not use up the floor: the question is asked
    assert say(resident, consultation, "请问费用由谁出？")["ok"]
    # once a motion is pending, the sides argue it
    debated_motion(consultation, u)
    assert ack(resident, "raise_hand", consultation_id=consultation.id, stance="for")["ok"]
    assert ack(chair, "grant_floor", consultation_id=consultation.id, user_id=u["resident"].id)["ok"]
    assert say(resident, consultation, "我赞成建棚", stance="for")["message"]["stance"] == "for"


def test_without_rule_2_a_side_may_be_taken_before_a_motion(room, members, u):
    consultation = room(motion_first=False)
    resident = members("resident")
    assert ack(resident, "raise_hand", consultation_id=consultation.id, stance="against")["ok"]
    committed(services.grant_floor(viewer_of(u["leader_a"], consultation), consultation, u["resident"].id))
    assert say(resident, consultation, "我反对", stance="against")["ok"]


def test_rule_2_holds_in_open_mode_too_when_the_rule_set_says_so(room, members, u):
    consultation = room(key="simple", slow_mode_seconds=0, motion_first=True)
    resident = members("resident")
    refused(say(resident, consultation, "我赞成", stance="for"), "rule_no_motion")
    assert say(resident, consultation, "请问在哪里建？")["ok"]
    debated_motion(consultation, u)
    assert say(resident, consultation, "我赞成", stance="for")["ok"]


def test_the_shipped_simple_rules_do_not_enforce_rule_2(room, members):
    consultation = room(key="simple", slow_mode_seconds=0)
    assert say(members("resident"), consultation, "我赞成", stance="for")["ok"]


# -- the floor goes only to who can use it ----------------------------------------------------------------


def test_the_floor_is_not_given_to_a_muted_member(room, members, u):
    consultation = room()
    chair, owner = members("leader_a"), members("owner")
    assert ack(owner, "raise_hand", consultation_id=consultation.id)["ok"]
    committed(services.mute(viewer_of(u["staff"], consultation), consultation, u["owner"].id, 10, "刷屏"))
    committed(services.mute(viewer_of(u["staff"], consultation), consultation, u["resident"].id, 10, "刷屏"))
    refused(
        ack(chair, "grant_floor", consultation_id=consultation.id, user_id=u["resident"].id),
        "grant_muted",
        "resident is muted in this room: the floor cannot be given to them until the mute ends.",
    )
    db.session.refresh(consultation)
    assert consultation.floor_holder_id is None
    # when the mute ends, the floor may be given again
    for mute in db.session.scalars(db.select(Mute)):
        mute.until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert ack(chair, "grant_floor", consultation_id=consultation.id, user_id=u["resident"].id)["ok"]


def test_in_open_mode_there_is_no_queue_and_no_floor_to_give(room, members, u):
    consultation = room(key="simple", slow_mode_seconds=0)
    message = "In open mode there is no queue: everyone speaks directly."
    refused(ack(members("resident"), "raise_hand", consultation_id=consultation.id), "rule_open_mode", message)
    grant = ack(members("leader_a"), "grant_floor", consultation_id=consultation.id, user_id=u["resident"].id)
    refused(grant, "rule_open_mode", message)


# -- moderation states ---------------------------------------------------------------------------------


def test_a_muted_member_cannot_speak_raise_a_hand_or_move(room, members, u):
    formal, open_ = room(), room(key="simple", slow_mode_seconds=0)
    resident = members("resident")
    for consultation in (formal, open_):
        committed(services.mute(viewer_of(u["staff"], consultation), consultation, u["resident"].id, 10, "刷屏"))
    refused(say(resident, open_), "muted")
    refused(ack(resident, "raise_hand", consultation_id=formal.id), "muted")
    refused(ack(resident, "move", consultation_id=open_.id, client_id="m-1", text="动议"), "muted")
    assert speeches(open_) == 0
    assert count(HandRaise, consultation_id=formal.id) == 0
    assert count(Motion, consultation_id=open_.id) == 0
    # A mute is per room and ends on time.
    third = room(key="simple", slow_mode_seconds=0)
    assert say(resident, third)["ok"]
    for mute in db.session.scalars(db.select(Mute)):
        mute.until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert say(resident, open_)["ok"]


def test_a_locked_room_hears_only_the_chair(room, members, u):
    consultation = room()
    chair, owner, resident = members("leader_a"), members("owner"), members("resident")
    committed(services.grant_floor(viewer_of(u["leader_a"], consultation), consultation, u["owner"].id))
    assert ack(chair, "lock", consultation_id=consultation.id, reason="请大家冷静")["consultation"]["locked"]
    refused(say(owner, consultation), "locked")  # even with the floor
    refused(ack(resident, "raise_hand", consultation_id=consultation.id), "locked")
    refused(ack(resident, "move", consultation_id=consultation.id, client_id="m-1", text="动议"), "locked")
    assert speeches(consultation) == 0
    assert count(HandRaise, consultation_id=consultation.id) == 0
    assert count(Motion, consultation_id=consultation.id) == 0
    assert say(chair, consultation, "休会五分钟")["ok"]
    assert not ack(chair, "lock", consultation_id=consultation.id, locked=False)["consultation"]["locked"]
    assert say(owner, consultation)["ok"]


# -- phases -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.CONCLUDED])
def test_nothing_is_said_outside_the_discussion_phase(phase, room, members, u):
    formal, open_ = room(phase=phase), room(key="simple", slow_mode_seconds=0, phase=phase)
    chair, resident = members("leader_a"), members("resident")
    stage = f"Not possible at this stage of the consultation ({phase.value.capitalize()})."  # names the stage
    refused(say(resident, open_), "wrong_phase", stage)
    refused(say(chair, formal, "主持人发言"), "wrong_phase", stage)
    refused(ack(resident, "raise_hand", consultation_id=formal.id), "wrong_phase", stage)
    refused(ack(chair, "grant_floor", consultation_id=formal.id, user_id=u["resident"].id), "wrong_phase", stage)
    refused(ack(resident, "move", consultation_id=open_.id, client_id="m-1", text="动议"), "wrong_phase", stage)
    assert speeches(open_) == speeches(formal) == 0
    assert count(HandRaise, consultation_id=formal.id) == 0
    assert count(Motion, consultation_id=open_.id) == 0


def test_a_draft_is_closed_to_speech_and_hidden_from_residents(room, members):
    draft = room(key="simple", slow_mode_seconds=0, phase=Phase.DRAFT)
    refused(say(members("staff"), draft), "wrong_phase", "Not possible at this stage of the consultation (Draft).")
    result = say(members("resident"), draft)
    assert code(result) == "not_found"
    assert speeches(draft) == 0


# -- motions and votes --------------------------------------------------------------------------------


def test_one_pending_motion_at_a_time(room, members, u):
    consultation = room()
    owner, resident = members("owner"), members("resident")
    assert ack(owner, "move", consultation_id=consultation.id, client_id="m-1", text="建充电棚")["ok"]
    moved = ack(resident, "move", consultation_id=consultation.id, client_id="m-2", text="不建")
    assert code(moved) == "motion_pending" and moved["error"]["message"] == MESSAGES["motion_pending"]
    motion = db.session.scalar(db.select(Motion).where(Motion.consultation_id == consultation.id))
    committed(
        services.call_vote(
            viewer_of(u["leader_a"], consultation), services.second(viewer_of(u["resident"], motion), motion)
        )
    )
    assert (
        code(ack(resident, "move", consultation_id=consultation.id, client_id="m-3", text="不建")) == "motion_pending"
    )
    assert count(Motion, consultation_id=consultation.id) == 1


def test_a_vote_cannot_be_changed(room, members, u):
    consultation = room()
    resident = members("resident")
    motion = committed(services.call_vote(viewer_of(u["leader_a"], consultation), debated_motion(consultation, u)))
    receipt = ack(resident, "vote", motion_id=motion.id, choice="for")["receipt"]
    refused(ack(resident, "vote", motion_id=motion.id, choice="against"), "already_voted")
    refused(ack(resident, "vote", motion_id=motion.id, choice="abstain"), "already_voted")
    ballot = db.session.scalar(db.select(Ballot).where(Ballot.poll_id == motion.id))
    assert (ballot.choice, ballot.receipt) == ("for", receipt)
    assert count(Ballot, poll_id=motion.id) == 1


# -- escaping ---------------------------------------------------------------------------------------------

SCRIPT = "<script>alert(42)</script>"


def test_a_script_in_a_speech_is_escaped_in_the_ack_the_live_message_and_the_room_page(app, world, room, members):
    consultation = room(key="simple", slow_mode_seconds=0)
    author, listener = members("resident"), members("owner")
    assert ack(listener, "join", consultation_id=consultation.id)["ok"]
    listener.get_received("/consultations")
    result = say(author, consultation, f"充电棚{SCRIPT}\n第二行")
    html = result["message"]["body_html"]
    assert "<script>" not in html and "&lt;script&gt;alert(42)&lt;/script&gt;" in html
    assert "<br>" in html  # line breaks kept
    (live,) = events(listener, "message")
    assert live["body_html"] == html
    # The body is stored as written.
    assert db.session.get(Speech, result["message"]["id"]).body == f"充电棚{SCRIPT}\n第二行"
    page = logged_in(app, world.users["owner"]).get(f"/consultations/{consultation.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "&lt;script&gt;alert(42)" in text
    assert "<script>alert(42)" not in text
    # The background's script (make_consultation) is stripped by the Markdown sanitiser.
    assert "<script>alert(1)" not in text


# -- malformed payloads -----------------------------------------------------------------------------------

HUGE = 2**63  # beyond SQLite's (and PostgreSQL's bigint) range

HUGE_ID_BUG = (
    "app/core/sockets.py int_field accepts any int, so an id of 2**63 or more reaches the database "
    "(db.session.get / a WHERE on an INTEGER column) and SQLite raises OverflowError: the client gets "
    "`server_error` instead of bad_request/not_found. Fix: int_field should refuse ints outside the "
    "column range (e.g. not 0 <= value < 2**31 for ids) with BadPayload."
)


def _cases():
    """(event, payload(ctx), expected code, sent as); ctx has the consultation c, motion m, speech s."""
    c = lambda ctx, **kw: {"consultation_id": ctx.c.id, **kw}  # noqa: E731
    speak = lambda ctx, **kw: c(ctx, client_id="x-1", body="你好", **kw)  # noqa: E731
    unknown = 999_999
    rows = [
        ("join", lambda ctx: {}, "bad_request"),
        ("join", lambda ctx: {"consultation_id": str(ctx.c.id)}, "bad_request"),
        ("join", lambda ctx: {"consultation_id": True}, "bad_request"),
        ("join", lambda ctx: {"consultation_id": float(ctx.c.id)}, "bad_request"),
        ("join", lambda ctx: {"consultation_id": None}, "bad_request"),
        ("join", lambda ctx: c(ctx, after_id="5"), "bad_request"),
        ("join", lambda ctx: c(ctx, after_id=-1), "bad_request"),
        ("join", lambda ctx: {"consultation_id": unknown}, "not_found"),
        ("join", lambda ctx: {"consultation_id": -1}, "bad_request"),
        ("leave", lambda ctx: {}, "bad_request"),
        ("leave", lambda ctx: {"consultation_id": "1"}, "bad_request"),
        ("leave", lambda ctx: {"consultation_id": unknown}, "not_found"),
        ("speak", lambda ctx: {"client_id": "x-1", "body": "你好"}, "bad_request"),
        ("speak", lambda ctx: {"consultation_id": str(ctx.c.id), "client_id": "x-1", "body": "你好"}, "bad_request"),
        ("speak", lambda ctx: {"consultation_id": unknown, "client_id": "x-1", "body": "你好"}, "not_found"),
        ("speak", lambda ctx: c(ctx, body="你好"), "bad_request"),
        ("speak", lambda ctx: c(ctx, client_id=17, body="你好"), "bad_request"),
        ("speak", lambda ctx: c(ctx, client_id="x" * 65, body="你好"), "bad_request"),
        ("speak", lambda ctx: c(ctx, client_id="   ", body="你好"), "bad_request"),
        ("speak", lambda ctx: c(ctx, client_id="x-1"), "bad_request"),
        ("speak", lambda ctx: c(ctx, client_id="x-1", body=["你好"]), "bad_request"),
        ("speak", lambda ctx: c(ctx, client_id="x-1", body={"text": "你好"}), "bad_request"),
        ("speak", lambda ctx: c(ctx, client_id="x-1", body=""), "bad_request"),
        ("speak", lambda ctx: c(ctx, client_id="x-1", body=" \n\t "), "bad_request"),
        ("speak", lambda ctx: c(ctx, client_id="x-1", body="长" * 10_001), "bad_request"),
        ("speak", lambda ctx: speak(ctx, stance="maybe"), "bad_request"),
        ("speak", lambda ctx: speak(ctx, stance=1), "bad_request"),
        ("speak", lambda ctx: speak(ctx, stance=["for"]), "bad_request"),
        ("speak", lambda ctx: speak(ctx, motion_id=str(ctx.m.id)), "bad_request"),
        ("speak", lambda ctx: speak(ctx, motion_id=unknown), "bad_request"),
        ("raise_hand", lambda ctx: {}, "bad_request"),
        ("raise_hand", lambda ctx: c(ctx, stance="up"), "bad_request"),
        ("raise_hand", lambda ctx: c(ctx, stance=["for"]), "bad_request"),
        ("raise_hand", lambda ctx: {"consultation_id": unknown}, "not_found"),
        ("lower_hand", lambda ctx: {}, "bad_request"),
        ("lower_hand", lambda ctx: {"consultation_id": [ctx.c.id]}, "bad_request"),
        ("lower_hand", lambda ctx: {"consultation_id": unknown}, "not_found"),
        ("grant_floor", lambda ctx: c(ctx), "bad_request"),
        ("grant_floor", lambda ctx: c(ctx, user_id=str(ctx.resident.id)), "bad_request"),
        ("grant_floor", lambda ctx: {"user_id": ctx.resident.id}, "bad_request"),
        ("grant_floor", lambda ctx: c(ctx, user_id=unknown), "not_found"),
        ("grant_floor", lambda ctx: c(ctx, user_id=ctx.outsider.id), "not_found"),
        ("grant_floor", lambda ctx: {"consultation_id": unknown, "user_id": ctx.resident.id}, "not_found"),
        ("yield_floor", lambda ctx: {}, "bad_request"),
        ("yield_floor", lambda ctx: {"consultation_id": "1"}, "bad_request"),
        ("yield_floor", lambda ctx: {"consultation_id": unknown}, "not_found"),
        ("move", lambda ctx: c(ctx, client_id="m-9"), "bad_request"),
        ("move", lambda ctx: c(ctx, text="建充电棚"), "bad_request"),
        ("move", lambda ctx: c(ctx, client_id="m" * 65, text="建充电棚"), "bad_request"),
        ("move", lambda ctx: c(ctx, client_id="m-9", text=["建充电棚"]), "bad_request"),
        ("move", lambda ctx: c(ctx, client_id="m-9", text="  "), "bad_request"),
        ("move", lambda ctx: c(ctx, client_id="m-9", text="动" * 501), "bad_request"),
        ("move", lambda ctx: {"consultation_id": unknown, "client_id": "m-9", "text": "建"}, "not_found"),
    ]
    for event in ("second", "withdraw", "call_vote", "close_vote"):
        rows += [
            (event, lambda ctx: {}, "bad_request"),
            (event, lambda ctx: {"motion_id": str(ctx.m.id)}, "bad_request"),
            (event, lambda ctx: {"motion_id": None}, "bad_request"),
            (event, lambda ctx: {"motion_id": unknown}, "not_found"),
        ]
    rows += [
        ("vote", lambda ctx: {"motion_id": ctx.m.id}, "bad_request"),
        ("vote", lambda ctx: {"motion_id": ctx.m.id, "choice": "yes"}, "bad_request"),
        ("vote", lambda ctx: {"motion_id": ctx.m.id, "choice": "FOR"}, "bad_request"),
        ("vote", lambda ctx: {"motion_id": ctx.m.id, "choice": 1}, "bad_request"),
        ("vote", lambda ctx: {"motion_id": ctx.m.id, "choice": None}, "bad_request"),
        ("vote", lambda ctx: {"motion_id": str(ctx.m.id), "choice": "for"}, "bad_request"),
        ("vote", lambda ctx: {"choice": "for"}, "bad_request"),
        ("vote", lambda ctx: {"motion_id": unknown, "choice": "for"}, "not_found"),
    ]
    for event in ("report", "hide"):
        rows += [
            (event, lambda ctx: {"reason": "人身攻击"}, "bad_request"),
            (event, lambda ctx: {"message_id": str(ctx.s.id), "reason": "人身攻击"}, "bad_request"),
            (event, lambda ctx: {"message_id": unknown, "reason": "人身攻击"}, "not_found"),
            (event, lambda ctx: {"message_id": ctx.s.id}, "bad_request"),
            (event, lambda ctx: {"message_id": ctx.s.id, "reason": ["人身攻击"]}, "bad_request"),
            (event, lambda ctx: {"message_id": ctx.s.id, "reason": ""}, "bad_request"),
            (event, lambda ctx: {"message_id": ctx.s.id, "reason": "   "}, "bad_request"),
            (event, lambda ctx: {"message_id": ctx.s.id, "reason": "理" * 201}, "bad_request"),
            (event, lambda ctx: {"message_id": ctx.s.id, "reason": "理" * 1001}, "bad_request"),
        ]
    mute = lambda ctx, **kw: c(ctx, **{"user_id": ctx.resident.id, "minutes": 10, "reason": "刷屏", **kw})  # noqa: E731
    rows += [
        ("mute", lambda ctx: c(ctx, minutes=10, reason="刷屏"), "bad_request"),
        ("mute", lambda ctx: mute(ctx, user_id=str(ctx.resident.id)), "bad_request"),
        ("mute", lambda ctx: mute(ctx, minutes="10"), "bad_request"),
        ("mute", lambda ctx: mute(ctx, minutes=1.5), "bad_request"),
        ("mute", lambda ctx: mute(ctx, minutes=True), "bad_request"),
        ("mute", lambda ctx: mute(ctx, minutes=0), "bad_request"),
        ("mute", lambda ctx: mute(ctx, minutes=-5), "bad_request"),
        ("mute", lambda ctx: mute(ctx, minutes=7 * 24 * 60 + 1), "bad_request"),
        ("mute", lambda ctx: mute(ctx, minutes=HUGE), "bad_request"),
        ("mute", lambda ctx: mute(ctx, reason=""), "bad_request"),
        ("mute", lambda ctx: mute(ctx, reason=None), "bad_request"),
        ("mute", lambda ctx: mute(ctx, user_id=ctx.chair.id), "bad_request"),  # oneself
        ("mute", lambda ctx: mute(ctx, user_id=unknown), "not_found"),
        ("mute", lambda ctx: mute(ctx, user_id=ctx.outsider.id), "not_found"),
        ("mute", lambda ctx: mute(ctx, consultation_id=unknown), "not_found"),
        ("lock", lambda ctx: {"reason": "冷静"}, "bad_request"),
        ("lock", lambda ctx: {"consultation_id": str(ctx.c.id), "reason": "冷静"}, "bad_request"),
        ("lock", lambda ctx: c(ctx), "bad_request"),  # locking needs a reason
        ("lock", lambda ctx: c(ctx, reason=["冷静"]), "bad_request"),
        ("lock", lambda ctx: {"consultation_id": unknown, "reason": "冷静"}, "not_found"),
    ]
    return rows


CASES = _cases()
EVENTS = sorted({event for event, _payload, _code in CASES})


class Ctx:
    pass


class TestMalformedPayloads:
    """Run against one world for the class (each case on its own consultation)."""

    @pytest.fixture(scope="class")
    @classmethod
    def app(cls, shared_app):
        return shared_app

    @pytest.fixture(scope="class")
    @classmethod
    def world(cls, shared_world):
        return shared_world

    @pytest.fixture(scope="class")
    @classmethod
    def ctx(cls, app, world):
        """A formal consultation with a debated motion and a speech, shared by the class's cases
        (each checks that it stored nothing). The chair sends every case, so no permission check
        stands before the parsing under test."""
        from app.procedure.shipped import ensure_shipped

        ctx = Ctx()
        u = world.users
        ctx.c = make_consultation(world, {r.key: r for r in ensure_shipped()})
        ctx.m = debated_motion(ctx.c, u)
        ctx.s = committed(
            services.speak(viewer_of(u["leader_a"], ctx.c), ctx.c, client_id="s-1", body="主持人发言")
        ).speech
        ctx.chair, ctx.resident, ctx.outsider = u["leader_a"], u["resident"], u["outsider"]
        ctx.client = socketio.test_client(app, namespace="/consultations", flask_test_client=logged_in(app, ctx.chair))
        yield ctx
        ctx.client.disconnect("/consultations")

    @pytest.fixture(autouse=True)
    def _clean_session(self, ctx):
        yield
        db.session.rollback()

    @staticmethod
    def stored(ctx) -> tuple:
        return (
            count(Speech),
            count(Motion),
            count(Ballot),
            count(Report),
            count(Mute),
            count(ModerationAction),
            count(HandRaise),
            ctx.m.state,
            ctx.c.floor_holder_id,
            ctx.c.locked,
        )

    def check(self, ctx, event, payload, expected):
        before = self.stored(ctx)
        result = ctx.client.emit(event, payload, namespace="/consultations", callback=True)
        assert result["ok"] is False, result
        assert result["error"]["code"] == expected, result
        assert result["error"]["message"]
        db.session.expire_all()
        assert self.stored(ctx) == before

    @pytest.mark.parametrize(
        ("event", "payload", "expected"), CASES, ids=[f"{e}-{n}" for n, (e, *_r) in enumerate(CASES)]
    )
    def test_case(self, ctx, event, payload, expected):
        self.check(ctx, event, payload(ctx), expected)

    @pytest.mark.parametrize(
        "payload", [[], ["x"], "x", 5, True, 1.5], ids=["list", "list1", "str", "int", "bool", "float"]
    )
    @pytest.mark.parametrize("event", EVENTS)
    def test_a_payload_that_is_not_an_object(self, ctx, event, payload):
        self.check(ctx, event, payload, "bad_request")

    @pytest.mark.parametrize("event", EVENTS)
    def test_no_payload_at_all(self, ctx, event):
        result = ctx.client.emit(event, namespace="/consultations", callback=True)
        assert result["ok"] is False and result["error"]["code"] == "bad_request", result

    @pytest.mark.parametrize(
        ("event", "payload"),
        [
            ("join", lambda ctx: {"consultation_id": HUGE}),
            ("join", lambda ctx: {"consultation_id": ctx.c.id, "after_id": HUGE}),
            ("speak", lambda ctx: {"consultation_id": HUGE, "client_id": "x", "body": "你好"}),
            ("raise_hand", lambda ctx: {"consultation_id": HUGE}),
            ("grant_floor", lambda ctx: {"consultation_id": ctx.c.id, "user_id": HUGE}),
            ("second", lambda ctx: {"motion_id": HUGE}),
            ("vote", lambda ctx: {"motion_id": HUGE, "choice": "for"}),
            ("report", lambda ctx: {"message_id": HUGE, "reason": "人身攻击"}),
            ("mute", lambda ctx: {"consultation_id": ctx.c.id, "user_id": HUGE, "minutes": 5, "reason": "刷屏"}),
            ("lock", lambda ctx: {"consultation_id": HUGE, "reason": "冷静"}),
        ],
        ids=["join", "join-after_id", "speak", "raise_hand", "grant_floor", "second", "vote", "report", "mute", "lock"],
    )
    def test_an_id_out_of_range_is_not_a_server_error(self, ctx, event, payload):
        result = ctx.client.emit(event, payload(ctx), namespace="/consultations", callback=True)
        assert result["error"]["code"] in ("bad_request", "not_found"), result
