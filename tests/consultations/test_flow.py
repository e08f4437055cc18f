"""A whole formal consultation over the live room: floor, speeches, a motion, a vote, the record."""

from __future__ import annotations

from sqlalchemy import func, select

from app.consultations.models import MotionState, Speech
from app.extensions import db
from tests.consultations.conftest import ack, events


def test_formal_consultation_end_to_end(world, consultation, sockets):
    chair, resident, owner = sockets("leader_a"), sockets("resident"), sockets("owner")
    cid = consultation.id
    state = ack(chair, "join", consultation_id=cid)
    assert state["ok"], state
    assert state["rules"]["mode"] == "formal" and state["you"]["is_chair"]
    assert ack(resident, "join", consultation_id=cid)["ok"]
    assert ack(owner, "join", consultation_id=cid)["ok"]

    # Speaking without the floor is refused and stores nothing.
    refused = ack(resident, "speak", consultation_id=cid, client_id="r-1", body="我支持！", stance="for")
    assert refused == {"ok": False, "error": {"code": "rule_no_floor", "message": refused["error"]["message"]}}
    assert db.session.scalar(select(func.count()).select_from(Speech)) == 0

    # Motion first: the owner moves, the resident seconds.
    moved = ack(owner, "move", consultation_id=cid, client_id="m-1", text="在2栋北侧建集中充电棚")
    assert moved["ok"] and moved["motion"]["state"] == "moved"
    motion_id = moved["motion"]["id"]
    assert ack(owner, "second", motion_id=motion_id)["error"]["code"] == "rule_own_motion"
    seconded = ack(resident, "second", motion_id=motion_id)
    assert seconded["motion"]["state"] == "debate"

    # The resident raises a hand, the chair gives the floor, the resident speaks; the others see it live.
    assert ack(resident, "raise_hand", consultation_id=cid, stance="for")["floor"]["queue"][0]["stance"] == "for"
    granted = ack(chair, "grant_floor", consultation_id=cid, user_id=world.users["resident"].id)
    assert granted["floor"]["holder"]["id"] == world.users["resident"].id
    owner.get_received("/consultations")
    spoken = ack(resident, "speak", consultation_id=cid, client_id="r-2", body="<b>充电棚</b>更安全", stance="for")
    assert spoken["ok"], spoken
    live = events(owner, "message")
    assert [m["id"] for m in live] == [spoken["message"]["id"]]
    assert "&lt;b&gt;" in live[0]["body_html"] and "<b>" not in live[0]["body_html"]
    # The turn is used: speaking again needs the floor again.
    again = ack(resident, "speak", consultation_id=cid, client_id="r-3", body="再说一句", stance="for")
    assert again["error"]["code"] == "rule_no_floor"

    # The chair calls the vote; the chair may not vote; the others vote once.
    assert ack(chair, "call_vote", motion_id=motion_id)["motion"]["state"] == "voting"
    assert ack(chair, "vote", motion_id=motion_id, choice="for")["error"]["code"] == "rule_chair_neutral"
    receipt = ack(resident, "vote", motion_id=motion_id, choice="for")
    assert receipt["ok"] and len(receipt["receipt"]) == 12
    assert ack(resident, "vote", motion_id=motion_id, choice="for")["receipt"] == receipt["receipt"]  # retry
    assert ack(resident, "vote", motion_id=motion_id, choice="against")["error"]["code"] == "already_voted"
    assert ack(owner, "vote", motion_id=motion_id, choice="for")["ok"]
    closed = ack(chair, "close_vote", motion_id=motion_id)
    assert closed["motion"]["state"] == MotionState.CARRIED.value
    assert closed["motion"]["counts"] == {"for": 2, "against": 0, "abstain": 0, "eligible": 2, "quorum_met": True}
    assert events(owner, "motion")[-1]["state"] == "carried"


def test_rejoin_with_after_id_replays_exactly_the_missed_messages(world, open_mode, sockets):
    alice, bob = sockets("resident"), sockets("owner")
    cid = open_mode.id
    ack(alice, "join", consultation_id=cid)
    ack(bob, "join", consultation_id=cid)
    first = ack(alice, "speak", consultation_id=cid, client_id="a-1", body="第一条")["message"]
    bob.disconnect("/consultations")
    missed = [ack(alice, "speak", consultation_id=cid, client_id=f"a-{n}", body=f"第{n}条")["message"] for n in (2, 3)]
    bob.connect("/consultations")
    replay = ack(bob, "join", consultation_id=cid, after_id=first["id"])
    assert [m["id"] for m in replay["messages"]] == [m["id"] for m in missed]


def test_retried_speak_stores_one_message(world, open_mode, sockets):
    alice = sockets("resident")
    ack(alice, "join", consultation_id=open_mode.id)
    one = ack(alice, "speak", consultation_id=open_mode.id, client_id="same", body="只存一次")
    two = ack(alice, "speak", consultation_id=open_mode.id, client_id="same", body="只存一次")
    assert one["message"]["id"] == two["message"]["id"]
    assert db.session.scalar(select(func.count()).select_from(Speech)) == 1
