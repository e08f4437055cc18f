"""The motion lifecycle over the live room: moved → seconded → debate → vote → carried / failed,
withdrawn or lapsed; quorum, threshold and tie from the rule set; one ballot per member."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from app.consultations import services
from app.consultations.models import Attendance, HandRaise, Motion, MotionState, Phase, Speech
from app.extensions import db
from app.voting.models import Ballot
from app.voting.services import RECEIPT_ALPHABET
from tests.consultations.conftest import ack, code, committed, count, events, inbox, make_consultation, viewer_of

TEXT = "在2栋北侧空地建集中充电棚，费用由物业维修资金列支"


@pytest.fixture
def u(world):
    return world.users


def joined(members, consultation, *keys):
    clients = []
    for key in keys:
        client = members(key)
        assert ack(client, "join", consultation_id=consultation.id)["ok"], key
        clients.append(client)
    for client in clients:
        client.get_received("/consultations")
    return clients


def move(client, consultation, text=TEXT, client_id="m-1"):
    return ack(client, "move", consultation_id=consultation.id, client_id=client_id, text=text)


def voting_motion(consultation, u, mover="owner", seconder="resident"):
    motion = committed(services.move(viewer_of(u[mover], consultation), consultation, client_id="m-1", text=TEXT))
    if motion.state == MotionState.MOVED:
        motion = committed(services.second(viewer_of(u[seconder], motion), motion))
    chair = db.session.get(type(u[mover]), consultation.chair_id)
    return committed(services.call_vote(viewer_of(chair, motion), motion))


def test_the_whole_lifecycle_of_a_carried_motion(consultation, members, u):
    chair, owner, resident, group_leader, watcher = joined(
        members, consultation, "leader_a", "owner", "resident", "group_leader", "pending_a"
    )
    cid = consultation.id
    # Moved: everyone in the room sees it, waiting for a second.
    moved = move(owner, consultation)
    assert moved["ok"]
    motion = moved["motion"]
    assert (motion["state"], motion["mover"]["id"], motion["seconder"], motion["counts"]) == (
        "moved",
        u["owner"].id,
        None,
        None,
    )
    assert events(watcher, "motion") == [motion]
    # A retried move answers the same motion and stores nothing new.
    assert move(owner, consultation)["motion"]["id"] == motion["id"]
    assert count(Motion, consultation_id=cid) == 1
    # The mover cannot second; someone else does, which opens the debate.
    own = ack(owner, "second", motion_id=motion["id"])
    assert own["error"] == {
        "code": "rule_own_motion",
        "message": "You moved this motion: another member must second it.",
    }
    seconded = ack(resident, "second", motion_id=motion["id"])["motion"]
    assert (seconded["state"], seconded["seconder"]["id"]) == ("debate", u["resident"].id)
    assert ack(resident, "second", motion_id=motion["id"])["motion"] == seconded  # retry
    assert code(ack(group_leader, "second", motion_id=motion["id"])) == "wrong_phase"  # seconded already
    # Debate: speeches are recorded against the motion.
    assert ack(group_leader, "raise_hand", consultation_id=cid, stance="against")["ok"]
    assert ack(chair, "grant_floor", consultation_id=cid, user_id=u["group_leader"].id)["ok"]
    spoken = ack(group_leader, "speak", consultation_id=cid, client_id="g-1", body="费用太高", stance="against")
    assert spoken["message"]["motion_id"] == motion["id"] and spoken["message"]["stance"] == "against"
    assert ack(resident, "raise_hand", consultation_id=cid, stance="for")["ok"]
    # The vote: floor and queue are cleared.
    watcher.get_received("/consultations")
    voting = ack(chair, "call_vote", motion_id=motion["id"])["motion"]
    assert voting["state"] == "voting" and voting["counts"] is None
    assert count(HandRaise, consultation_id=cid) == 0
    got = inbox(watcher)
    assert got["floor"][-1]["queue"] == [] and got["motion"][-1]["state"] == "voting"
    assert ack(chair, "call_vote", motion_id=motion["id"])["motion"]["state"] == "voting"  # retry
    receipts = {}
    for client, key, choice in (
        (owner, "owner", "for"),
        (resident, "resident", "for"),
        (group_leader, "group_leader", "against"),
    ):
        result = ack(client, "vote", motion_id=motion["id"], choice=choice)
        assert result["ok"] and len(result["receipt"]) == 12 and set(result["receipt"]) <= set(RECEIPT_ALPHABET)
        receipts[key] = result["receipt"]
    assert len(set(receipts.values())) == 3
    # While the vote is open the room sees how many voted, not how.
    live = events(watcher, "motion")
    assert [m["votes_cast"] for m in live] == [1, 2, 3]
    assert all(m["counts"] is None and m["state"] == "voting" for m in live)
    # The chair closes: carried, 2 for of 3 cast (abstentions aside), quorum 3 of 3 attendees (chair
    # excluded as neutral).
    closed = ack(chair, "close_vote", motion_id=motion["id"])["motion"]
    counts = {"for": 2, "against": 1, "abstain": 0, "eligible": 3, "quorum_met": True}
    assert (closed["state"], closed["counts"]) == ("carried", counts)
    (announced,) = events(watcher, "motion")
    assert (announced["state"], announced["counts"]) == ("carried", counts)
    assert ack(chair, "close_vote", motion_id=motion["id"])["motion"] == closed  # retry
    stored = db.session.get(Motion, motion["id"])
    assert (stored.votes_for, stored.votes_against, stored.abstentions, stored.eligible, stored.quorum_met) == (
        2,
        1,
        0,
        3,
        True,
    )
    assert stored.closed_at is not None and stored.vote_opened_at is not None and stored.seconded_at is not None
    # A vote after the close is refused; a new motion may now be moved.
    leader_b = members("leader_b")
    late = ack(leader_b, "vote", motion_id=motion["id"], choice="for")
    assert late["error"] == {
        "code": "vote_not_open",
        "message": "This motion is not being voted on now (it is: Carried).",
    }
    assert count(Ballot, poll_id=motion["id"]) == 3
    assert move(leader_b, consultation, "第二个动议", client_id="m-2")["ok"]


def test_a_motion_goes_straight_to_debate_when_no_second_is_required(world, rules_templates, members, u):
    consultation = make_consultation(world, rules_templates, second_required=False)
    chair, owner = members("leader_a"), members("owner")
    motion = move(owner, consultation)["motion"]
    assert motion["state"] == "debate" and motion["seconder"] is None
    assert ack(chair, "call_vote", motion_id=motion["id"])["motion"]["state"] == "voting"


def test_the_vote_cannot_be_called_before_a_second(consultation, members, u):
    chair, owner = members("leader_a"), members("owner")
    motion = move(owner, consultation)["motion"]
    result = ack(chair, "call_vote", motion_id=motion["id"])
    assert result["error"] == {
        "code": "wrong_phase",
        "message": "The motion needs a second before it can be debated and voted.",
    }
    assert db.session.get(Motion, motion["id"]).state == MotionState.MOVED
    early = ack(owner, "vote", motion_id=motion["id"], choice="for")
    assert early["error"] == {
        "code": "vote_not_open",
        "message": "This motion is not being voted on now (it is: Waiting for a second).",
    }
    assert count(Ballot) == 0


def test_only_the_mover_withdraws_and_only_before_the_vote(consultation, members, u):
    chair, owner, resident, staff, watcher = joined(
        members, consultation, "leader_a", "owner", "resident", "staff", "expert"
    )
    motion = move(owner, consultation)["motion"]
    for client in (chair, resident, staff):
        assert code(ack(client, "withdraw", motion_id=motion["id"])) == "forbidden"
    withdrawn = ack(owner, "withdraw", motion_id=motion["id"])["motion"]
    assert withdrawn["state"] == "withdrawn"
    assert events(watcher, "motion")[-1]["state"] == "withdrawn"
    assert db.session.get(Motion, motion["id"]).closed_at is not None
    assert code(ack(owner, "withdraw", motion_id=motion["id"])) == "wrong_phase"
    assert code(ack(resident, "second", motion_id=motion["id"])) == "wrong_phase"
    # No longer pending: another motion may be moved; once put to the vote it cannot be withdrawn.
    again = move(resident, consultation, "另一个动议", client_id="m-2")["motion"]
    assert ack(owner, "second", motion_id=again["id"])["ok"]
    assert ack(resident, "withdraw", motion_id=again["id"])["ok"] is True
    third = move(resident, consultation, "第三个动议", client_id="m-3")["motion"]
    ack(owner, "second", motion_id=third["id"])
    ack(chair, "call_vote", motion_id=third["id"])
    assert code(ack(resident, "withdraw", motion_id=third["id"])) == "wrong_phase"
    assert db.session.get(Motion, third["id"]).state == MotionState.VOTING


@pytest.mark.parametrize(
    ("choices", "state", "counts"),
    [
        (["for", "against"], "failed", (1, 1, 0)),  # a tie fails
        (["for", "for", "against", "against", "abstain"], "failed", (2, 2, 1)),
        (["for", "against", "abstain", "abstain"], "failed", (1, 1, 2)),
        (["for", "abstain", "abstain", "abstain"], "carried", (1, 0, 3)),  # abstentions do not count against
        (["for", "for", "against"], "carried", (2, 1, 0)),
        (["against", "abstain"], "failed", (0, 1, 1)),
        (["abstain", "abstain"], "failed", (0, 0, 2)),  # nobody for: not carried
    ],
    ids=["tie", "tie-with-abstention", "tie-abstentions", "abstentions", "majority", "against", "all-abstain"],
)
def test_the_count_decides(choices, state, counts, consultation, members, u):
    voters = ["resident", "owner", "group_leader", "leader_b", "resident_rep"][: len(choices)]
    motion = voting_motion(consultation, u)
    for key, choice in zip(voters, choices, strict=True):
        assert ack(members(key), "vote", motion_id=motion.id, choice=choice)["ok"]
    closed = ack(members("leader_a"), "close_vote", motion_id=motion.id)["motion"]
    assert closed["state"] == state
    assert (closed["counts"]["for"], closed["counts"]["against"], closed["counts"]["abstain"]) == counts


def test_quorum_not_met_fails_even_if_all_votes_are_for(world, rules_templates, members, u):
    consultation = make_consultation(world, rules_templates, quorum_num=1, quorum_den=1)
    # Three participants came into the room; the chair (neutral) is not counted.
    chair, owner, resident, _absent = joined(members, consultation, "leader_a", "owner", "resident", "group_leader")
    motion = voting_motion(consultation, u)
    assert ack(owner, "vote", motion_id=motion.id, choice="for")["ok"]
    assert ack(resident, "vote", motion_id=motion.id, choice="for")["ok"]
    closed = ack(chair, "close_vote", motion_id=motion.id)["motion"]
    assert closed["state"] == "failed"
    assert closed["counts"] == {"for": 2, "against": 0, "abstain": 0, "eligible": 3, "quorum_met": False}


def test_quorum_met_exactly_at_its_share(world, rules_templates, members, u):
    """Quorum 1/2 of 4 attendees: 2 votes are enough (\"at least\")."""
    consultation = make_consultation(world, rules_templates)
    chair, owner, resident, _a, _b = joined(
        members, consultation, "leader_a", "owner", "resident", "group_leader", "staff"
    )
    motion = voting_motion(consultation, u)
    ack(owner, "vote", motion_id=motion.id, choice="for")
    ack(resident, "vote", motion_id=motion.id, choice="for")
    closed = ack(chair, "close_vote", motion_id=motion.id)["motion"]
    assert closed["counts"]["eligible"] == 4 and closed["counts"]["quorum_met"] is True
    assert closed["state"] == "carried"


def test_a_chair_who_votes_counts_among_the_eligible(world, rules_templates, members, u):
    consultation = make_consultation(world, rules_templates, chair_neutral=False)
    chair, owner = joined(members, consultation, "leader_a", "owner")
    motion = voting_motion(consultation, u)
    assert ack(chair, "vote", motion_id=motion.id, choice="against")["ok"]
    assert ack(owner, "vote", motion_id=motion.id, choice="for")["ok"]
    closed = ack(chair, "close_vote", motion_id=motion.id)["motion"]
    assert closed["state"] == "failed"
    assert closed["counts"] == {"for": 1, "against": 1, "abstain": 0, "eligible": 2, "quorum_met": True}


def test_one_ballot_per_member_is_a_database_constraint(consultation, u):
    motion = voting_motion(consultation, u)
    committed(services.vote(viewer_of(u["resident"], motion), motion, "for"))
    db.session.add(
        Ballot(
            community_id=consultation.community_id,
            poll_type="motion",
            poll_id=motion.id,
            seq=2,
            voter_id=u["resident"].id,
            choice="against",
            receipt="ABCDEFGHJKLM",
            hash="0" * 64,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert count(Ballot, poll_id=motion.id) == 1


def test_a_retried_vote_returns_the_same_receipt(consultation, members, u):
    motion = voting_motion(consultation, u)
    owner = members("owner")
    first = ack(owner, "vote", motion_id=motion.id, choice="abstain")
    again = ack(owner, "vote", motion_id=motion.id, choice="abstain")
    assert first == again == {"ok": True, "receipt": first["receipt"]}
    assert count(Ballot, poll_id=motion.id) == 1
    assert code(ack(owner, "vote", motion_id=motion.id, choice="for")) == "already_voted"
    ballot = db.session.scalar(db.select(Ballot).where(Ballot.poll_id == motion.id))
    assert (ballot.choice, ballot.receipt, ballot.voter_id) == ("abstain", first["receipt"], u["owner"].id)


def test_a_vote_retried_after_the_close_still_returns_its_receipt(consultation, members, u):
    motion = voting_motion(consultation, u)
    owner = members("owner")
    receipt = ack(owner, "vote", motion_id=motion.id, choice="for")["receipt"]
    committed(services.close_vote(viewer_of(u["leader_a"], motion), motion))
    assert ack(owner, "vote", motion_id=motion.id, choice="for") == {"ok": True, "receipt": receipt}


def test_voting_records_the_voter_as_attending(consultation, members, u):
    motion = voting_motion(consultation, u)
    assert count(Attendance, consultation_id=consultation.id, user_id=u["property_manager"].id) == 0
    assert ack(members("property_manager"), "vote", motion_id=motion.id, choice="for")["ok"]
    assert count(Attendance, consultation_id=consultation.id, user_id=u["property_manager"].id) == 1
    # 社会组织 is not among this consultation's parties: refused, and not counted as attending.
    refused = ack(members("social_org"), "vote", motion_id=motion.id, choice="for")
    assert code(refused) == "not_a_party"
    assert "(Residents' committee (居委会), Property manager (物业), Residents (居民))" in refused["error"]["message"]
    assert count(Attendance, consultation_id=consultation.id, user_id=u["social_org"].id) == 0


def test_motion_text_is_checked(consultation, members):
    owner = members("owner")
    assert code(move(owner, consultation, "  ")) == "bad_request"
    assert code(move(owner, consultation, "动" * 501)) == "bad_request"
    assert move(owner, consultation, "动" * 500)["ok"]


def test_a_speech_names_only_the_motion_under_debate(consultation, members, u):
    first = voting_motion(consultation, u)
    committed(services.close_vote(viewer_of(u["leader_a"], first), first))
    committed(services.grant_floor(viewer_of(u["leader_a"], consultation), consultation, u["group_leader"].id))
    result = ack(
        members("group_leader"),
        "speak",
        consultation_id=consultation.id,
        client_id="g-1",
        body="旧动议",
        motion_id=first.id,
    )
    assert code(result) == "bad_request"
    assert count(Speech, consultation_id=consultation.id) == 0


# -- the consultation ends --------------------------------------------------------------------------------


def test_concluding_counts_a_motion_being_voted_on(consultation, members, u):
    (watcher,) = joined(members, consultation, "resident_rep")
    motion = voting_motion(consultation, u)
    committed(services.vote(viewer_of(u["owner"], motion), motion, "for"))
    committed(services.vote(viewer_of(u["resident"], motion), motion, "for"))
    watcher.get_received("/consultations")
    committed(services.set_phase(viewer_of(u["staff"], consultation), consultation, Phase.CONCLUDED))
    db.session.refresh(motion)
    assert motion.state == MotionState.CARRIED and motion.closed_at is not None
    # resident_rep attended and did not vote: 2 of 3 eligible, quorum 1/2 met.
    assert (motion.votes_for, motion.votes_against, motion.eligible, motion.quorum_met) == (2, 0, 3, True)
    got = inbox(watcher)
    assert got["motion"][-1]["state"] == "carried" and got["motion"][-1]["counts"]["for"] == 2
    assert got["phase_changed"] == [{"phase": "concluded"}]
    assert code(ack(members("group_leader"), "vote", motion_id=motion.id, choice="against")) == "vote_not_open"


@pytest.mark.parametrize("seconded", [False, True], ids=["moved", "debate"])
def test_concluding_lapses_a_motion_not_yet_voted_on(seconded, consultation, members, u):
    (watcher,) = joined(members, consultation, "resident_rep")
    motion = committed(services.move(viewer_of(u["owner"], consultation), consultation, client_id="m-1", text=TEXT))
    if seconded:
        committed(services.second(viewer_of(u["resident"], motion), motion))
    committed(services.raise_hand(viewer_of(u["group_leader"], consultation), consultation, "for"))
    committed(services.grant_floor(viewer_of(u["leader_a"], consultation), consultation, u["leader_b"].id))
    watcher.get_received("/consultations")
    committed(services.set_phase(viewer_of(u["leader_a"], consultation), consultation, Phase.CONCLUDED))
    db.session.refresh(motion)
    db.session.refresh(consultation)
    assert motion.state == MotionState.LAPSED and motion.closed_at is not None
    assert events(watcher, "motion")[-1]["state"] == "lapsed"
    # The floor and the queue are cleared; nothing more can be moved or seconded.
    assert consultation.floor_holder_id is None
    assert count(HandRaise, consultation_id=consultation.id) == 0
    assert code(move(members("resident"), consultation, "新动议", client_id="m-2")) == "wrong_phase"
    assert code(ack(members("group_leader"), "second", motion_id=motion.id)) == "wrong_phase"


def test_the_minutes_record_the_motions_and_resolutions(consultation, u):
    carried = voting_motion(consultation, u)
    committed(services.vote(viewer_of(u["owner"], carried), carried, "for"))
    committed(services.close_vote(viewer_of(u["leader_a"], carried), carried))
    withdrawn = committed(
        services.move(viewer_of(u["resident"], consultation), consultation, client_id="m-2", text="另一个动议")
    )
    committed(services.withdraw(viewer_of(u["resident"], withdrawn), withdrawn))
    committed(services.set_phase(viewer_of(u["staff"], consultation), consultation, Phase.CONCLUDED))
    minutes = services.minutes(viewer_of(u["resident"], consultation), consultation)
    assert [(m.no, m.text, m.carried) for m in minutes.motions] == [(1, TEXT, True), (2, "另一个动议", False)]
    assert minutes.motions[0].votes_for == 1 and minutes.motions[0].seconder == "resident"
    assert minutes.resolutions == (TEXT,)
