"""Votes written in batches (services.write_votes, through core.batching): each voter in a batch gets the
answer a vote of their own would have got, and a batch costs the same statements for one voter or many."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from app.communities.models import Membership, Role
from app.consultations import services
from app.consultations.models import Attendance, MotionState
from app.consultations.services.motions import eligible_attendees
from app.core.errors import DomainError
from app.extensions import db
from app.voting.models import Ballot
from tests import factories
from tests.consultations.conftest import ack, code, committed, make_consultation, viewer_of

TEXT = "在2栋北侧空地建集中充电棚，费用由物业维修资金列支"


@contextmanager
def counted():
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def put_to_vote(consultation, users, client_id="m-1"):
    motion = committed(
        services.move(viewer_of(users["owner"], consultation), consultation, client_id=client_id, text=TEXT)
    )
    if motion.state == MotionState.MOVED:
        motion = committed(services.second(viewer_of(users["resident"], motion), motion))
    return committed(services.call_vote(viewer_of(users["leader_a"], motion), motion))


def answer(outcome):
    return outcome.code if isinstance(outcome, DomainError) else ("voted", outcome.choice)


@pytest.fixture
def neutral(world, rules_templates):
    return make_consultation(world, rules_templates, chair_neutral=True)


def test_each_voter_in_a_batch_gets_the_answer_of_a_vote_of_their_own(world, neutral):
    users = world.users
    motion = put_to_vote(neutral, users)
    earlier = committed(services.vote(viewer_of(users["group_leader"], motion), motion, "against"))
    users["resident_rep"].active = False
    db.session.commit()
    R = services.VoteRequest
    batch = [
        R(users["owner"].id, motion.id, "for"),
        R(users["owner"].id, motion.id, "for"),  # the same vote twice in one batch: one ballot
        R(users["resident"].id, motion.id, "against"),
        R(users["leader_a"].id, motion.id, "for"),  # the chair, under a neutral-chair rule
        R(users["pending_a"].id, motion.id, "for"),  # not verified
        R(users["street_staff"].id, motion.id, "for"),  # oversees: may look, may not vote
        R(users["outsider"].id, motion.id, "for"),
        R(users["other_resident"].id, motion.id, "for"),  # another community's member
        R(users["property_manager"].id, motion.id, "maybe"),
        R(users["resident_rep"].id, motion.id, "for"),  # deactivated since connecting
        R(users["owner"].id, 987654, "for"),  # no such motion
        R(users["group_leader"].id, motion.id, "against"),  # a retry after an earlier batch: same receipt
        R(users["group_leader"].id, motion.id, "for"),  # a change of mind: refused
    ]
    outcomes = services.write_votes(batch)
    assert [answer(o) for o in outcomes] == [
        ("voted", "for"),
        ("voted", "for"),
        ("voted", "against"),
        "rule_chair_neutral",
        "not_verified",
        "not_verified",
        "not_found",
        "not_found",
        "bad_request",
        "not_authenticated",
        "not_found",
        ("voted", "against"),
        "already_voted",
    ]
    assert outcomes[0] == outcomes[1] and outcomes[11].receipt == earlier.receipt
    db.session.expire_all()
    ballots = {b.voter_id: b for b in db.session.scalars(select(Ballot).where(Ballot.poll_id == motion.id))}
    assert set(ballots) == {users["owner"].id, users["resident"].id, users["group_leader"].id}
    assert ballots[users["owner"].id].receipt == outcomes[0].receipt
    attended = set(db.session.scalars(select(Attendance.user_id).where(Attendance.consultation_id == neutral.id)))
    assert {users["owner"].id, users["resident"].id} <= attended


def test_every_refusal_matches_the_single_vote_path(world, neutral):
    """The same refusals through services.vote, one voter at a time (a batch of one)."""
    users = world.users
    motion = put_to_vote(neutral, users)
    for key, choice, expected in [
        ("leader_a", "for", "rule_chair_neutral"),
        ("pending_a", "for", "not_verified"),
        ("street_staff", "for", "not_verified"),
        ("outsider", "for", "not_found"),
        ("property_manager", "maybe", "bad_request"),
    ]:
        with pytest.raises(DomainError) as refused:
            committed(services.vote(viewer_of(users[key], motion), motion, choice))
        assert refused.value.code == expected, key


def test_a_batch_takes_the_same_statements_for_one_voter_as_for_forty(world, rules_templates):
    users = world.users
    voters = []
    for i in range(40):
        voter = factories.user(name=f"批量{i}")
        factories.membership(voter, world.community, Role.RESIDENT)
        voters.append(voter)
    db.session.commit()
    first = make_consultation(world, rules_templates)
    second = make_consultation(world, rules_templates)
    one, many = put_to_vote(first, users, "m-1"), put_to_vote(second, users, "m-2")
    requests_one = [services.VoteRequest(voters[0].id, one.id, "for")]
    requests_many = [services.VoteRequest(v.id, many.id, "for") for v in voters]
    with counted() as for_one:
        assert all(isinstance(o, services.Voted) for o in services.write_votes(requests_one))
    with counted() as for_many:
        assert all(isinstance(o, services.Voted) for o in services.write_votes(requests_many))
    # 16 for the votes, 5 for the coalesced broadcast's tally (who may vote, who has: 应到 N 人，已投 M 人)
    assert len(for_one) == len(for_many) <= 21, (for_one, for_many)
    assert db.session.scalar(select(db.func.count()).select_from(Ballot).where(Ballot.poll_id == many.id)) == 40


def test_a_vote_over_the_socket_is_refused_once_the_user_is_deactivated(world, consultation, members):
    motion = put_to_vote(consultation, world.users)
    owner, resident = members("owner"), members("resident")
    assert ack(owner, "vote", motion_id=motion.id, choice="for")["ok"]
    world.users["resident"].active = False
    db.session.commit()
    assert code(ack(resident, "vote", motion_id=motion.id, choice="for")) == "not_authenticated"
    assert code(ack(owner, "vote", motion_id="1", choice="for")) == "bad_request"
    assert code(ack(owner, "vote", motion_id=motion.id + 1000, choice="for")) == "not_found"


def test_the_live_count_of_who_may_vote_adds_newcomers_and_is_counted_again_from_the_start(
    world, rules_templates, monkeypatch
):
    """The broadcast after votes counts only who came in since its last count; the sum is the full count at
    every step, and a member who may no longer vote drops out once the count is made again from the start."""
    from app.consultations.services import votes

    users = world.users
    consultation = make_consultation(world, rules_templates)
    motion = put_to_vote(consultation, users)
    voters = []
    for i in range(6):
        voter = factories.user(name=f"到场{i}")
        factories.membership(voter, world.community, Role.RESIDENT)
        voters.append(voter)
    db.session.commit()
    counted_rows = []
    full = eligible_attendees
    monkeypatch.setattr(
        votes, "eligible_attendees", lambda c, after=0, **kw: counted_rows.append(after) or full(c, after, **kw)
    )
    for batch in (voters[:2], voters[2:5], voters[5:]):
        services.write_votes([services.VoteRequest(v.id, motion.id, "for") for v in batch])
        assert votes.live_eligible(consultation) == services.eligible_voters(consultation) >= len(batch)
    # (the broadcast after each batch counts too): from the start once, then only the rows after the last
    assert counted_rows[0] == 0 and all(a > 0 for a in counted_rows[1:]) and counted_rows == sorted(counted_rows)
    rebuilt = len(counted_rows)
    # one of the voters leaves the community: the full count drops at once, the live one when it counts again
    db.session.delete(db.session.scalar(select(Membership).where(Membership.user_id == voters[0].id)))
    db.session.commit()
    before = services.eligible_voters(consultation)
    assert votes.live_eligible(consultation) == before + 1
    monkeypatch.setattr(votes, "LIVE_ELIGIBLE_REBUILD_SECONDS", -1.0)
    assert votes.live_eligible(consultation) == before
    assert counted_rows[rebuilt:].count(0) == 1


def test_the_broadcast_after_votes_carries_the_full_count(world, consultation, members):
    """What the room is sent after votes (应到 N 人，已投 M 人) is what counting everyone gives."""
    motion = put_to_vote(consultation, world.users)
    owner = members("owner")
    assert ack(owner, "join", consultation_id=consultation.id)["ok"]
    owner.get_received("/consultations")
    for key in ("owner", "resident", "resident_rep"):
        client = owner if key == "owner" else members(key)
        assert ack(client, "vote", motion_id=motion.id, choice="for")["ok"], key
    sent = [e["args"][0] for e in owner.get_received("/consultations") if e["name"] == "motion"]
    assert sent, "no live count was sent"
    last = sent[-1]
    db.session.expire_all()
    assert last["votes_cast"] == 3
    assert last["eligible"] == max(services.eligible_voters(consultation), 3)


def test_the_live_count_takes_the_voters_a_batch_let_vote_without_loading_their_memberships(world, rules_templates):
    """In a burst every vote brings its voter into the room: the batch noted that they may vote, so the live
    count (the broadcast after the batch) adds them without reading a membership, and still equals the full
    count. Whom the batch did not let vote (a neutral chair) it does not note; someone who came in otherwise
    (the page) is counted from their membership as ever."""
    from app.consultations.services import votes

    users = world.users
    consultation = make_consultation(world, rules_templates, chair_neutral=True)
    motion = put_to_vote(consultation, users)
    assert votes.live_eligible(consultation) == services.eligible_voters(consultation)
    voters = []
    for i in range(5):
        voter = factories.user(name=f"新到{i}")
        factories.membership(voter, world.community, Role.RESIDENT)
        voters.append(voter)
    db.session.commit()

    def membership_reads(statements):
        return [s for s in statements if "FROM memberships JOIN attendances" in " ".join(s.split())]

    with counted() as batch:  # the batch, its commit, and the broadcast after it (at once in tests)
        outcomes = services.write_votes(
            [services.VoteRequest(v.id, motion.id, "for") for v in voters]
            + [services.VoteRequest(consultation.chair_id, motion.id, "for")]
        )
    assert [answer(o) for o in outcomes] == [("voted", "for")] * 5 + ["rule_chair_neutral"]
    assert any("attendances" in s for s in batch) and membership_reads(batch) == []
    assert votes._known_eligible()[consultation.id] == set()  # counted by the broadcast: forgotten
    assert votes.live_eligible(consultation) == services.eligible_voters(consultation)
    # a member who comes in without voting: not noted, so the live count reads their membership
    attendee = factories.user(name="旁听")
    factories.membership(attendee, world.community, Role.RESIDENT)
    db.session.add(Attendance(consultation_id=consultation.id, user_id=attendee.id))
    db.session.commit()
    with counted() as live:
        counted_live = votes.live_eligible(consultation)
    assert counted_live == services.eligible_voters(consultation) and len(membership_reads(live)) == 1
