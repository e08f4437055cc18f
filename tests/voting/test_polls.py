"""Polls on the database: idempotent ballots, secret ballots, certification, tamper detection, verify-count."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from app.core.errors import DomainError
from app.extensions import db
from app.voting import services as voting
from app.voting import tally
from app.voting.models import Ballot, CertifierRole, Poll, PollState


def make_poll(world, *, secret=False, subject_id=41, poll_type="contest") -> Poll:
    poll = voting.open_poll(community_id=world.community.id, poll_type=poll_type, subject_id=subject_id, secret=secret)
    db.session.commit()
    return poll


def vote(poll, user, choice, **kw):
    ballot = voting.cast(
        poll, voter_key=voting.user_key(user.id), voter_id=user.id, choice=choice, building_id=kw.pop("building", None)
    )
    db.session.commit()
    return ballot


def n_ballots(poll) -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.poll_id == poll.subject_id))


def test_a_poll_opens_once_at_the_genesis_head(world):
    poll = make_poll(world)
    assert poll.opened_head == poll.head == tally.genesis("contest", 41)
    assert voting.open_poll(community_id=world.community.id, poll_type="contest", subject_id=41).id == poll.id


def test_a_retried_ballot_returns_the_same_receipt_and_counts_once(world):
    poll = make_poll(world)
    first = vote(poll, world.users["resident"], "1,3")
    again = vote(poll, world.users["resident"], "1,3")
    assert first.id == again.id and first.receipt == again.receipt
    assert n_ballots(poll) == 1
    assert voting.count(poll).options == {"1": 1, "3": 1}


def test_a_changed_choice_is_refused_and_nothing_changes(world):
    poll = make_poll(world)
    first = vote(poll, world.users["resident"], "1")
    with pytest.raises(DomainError) as refused:
        vote(poll, world.users["resident"], "2")
    assert refused.value.code == "already_voted"
    db.session.rollback()
    assert n_ballots(poll) == 1
    assert db.session.get(Ballot, first.id).choice == "1"


def test_closing_seals_every_ballot_and_a_ballot_slipped_in_after_is_found(world):
    poll = make_poll(world)
    for key in ("resident", "owner"):
        vote(poll, world.users[key], "1")
    voting.close_poll(poll)
    db.session.commit()
    assert poll.closed_length == 2 and poll.closed_head == poll.head
    assert [b.seq for b in db.session.scalars(select(Ballot).where(Ballot.poll_id == 41).order_by(Ballot.id))] == [1, 2]
    assert voting.verify(poll).ok
    db.session.execute(
        text(
            "INSERT INTO ballots (community_id, poll_type, poll_id, voter_key, choice, weight_area, weight_heads,"
            " receipt) VALUES (:c, 'contest', 41, '', '2', 0, 0, 'LATELATELATE')"
        ),
        {"c": world.community.id},
    )
    db.session.commit()
    assert any("not in the chain after voting closed" in p for p in voting.verify(poll).problems)


def test_a_closed_poll_takes_no_new_ballot_but_a_retry_still_gets_its_receipt(world):
    poll = make_poll(world)
    first = vote(poll, world.users["resident"], "1")
    voting.close_poll(poll)
    db.session.commit()
    assert poll.closed_head == poll.head and poll.closed_length == 1
    with pytest.raises(DomainError) as refused:
        vote(poll, world.users["owner"], "1")
    assert refused.value.code == "voting_closed"
    db.session.rollback()
    assert vote(poll, world.users["resident"], "1").receipt == first.receipt
    assert n_ballots(poll) == 1


def test_receipts_differ_per_voter_and_per_poll_and_avoid_ambiguous_characters(world):
    codes = {voting.receipt_for("contest", p, voting.user_key(u)) for p in range(1, 20) for u in range(1, 20)}
    assert len(codes) == 19 * 19
    assert all(len(c) == 12 and not set(c) & set("01IO") for c in codes)
    assert voting.receipt_for("contest", 1, "user:1", key="a") != voting.receipt_for("contest", 1, "user:1", key="b")


def test_the_chain_grows_one_link_per_ballot_as_ballots_are_sealed(world):
    poll = make_poll(world)
    heads = [poll.head]
    for key in ("resident", "owner", "leader_a"):
        vote(poll, world.users[key], "2")
        assert poll.head == heads[-1]  # cast, not yet sealed: the head has not moved
        assert voting.verify(poll).ok  # an unsealed ballot of an open poll is not a difference
        assert voting.seal(poll) == 1
        db.session.commit()
        heads.append(poll.head)
    assert voting.seal(poll) == 0
    assert len(set(heads)) == 4
    ballots = db.session.scalars(select(Ballot).where(Ballot.poll_id == 41).order_by(Ballot.seq)).all()
    assert [b.seq for b in ballots] == [1, 2, 3]
    assert ballots[-1].hash == poll.head
    assert voting.verify(poll).ok


# -- secret ballots ---------------------------------------------------------------------------------


def test_a_secret_ballot_stores_nothing_that_links_a_voter_to_their_choice(world):
    poll = make_poll(world, secret=True)
    voters = [world.users[k] for k in ("resident", "owner", "leader_a", "staff")]
    choices = ["1", "2,3", "3", "1,2"]
    for user, choice in zip(voters, choices, strict=True):
        vote(poll, user, choice, building=world.building_a.id)

    ballots = db.session.scalars(select(Ballot).where(Ballot.poll_id == poll.subject_id)).all()
    assert sorted(b.choice for b in ballots) == sorted(choices)
    for ballot in ballots:
        # no voter, no voter key, no time: only what was chosen and the chain
        assert (ballot.voter_id, ballot.voter_key, ballot.created_at) == (None, "", None)
    # who voted is recorded, with no id and no time to order or date them against the ballots
    columns = {c["name"] for c in inspect(db.engine).get_columns("participations")}
    assert columns == {"poll_type", "poll_id", "voter_key", "voter_id", "building_id"}
    assert voting.voters(poll) == {voting.user_key(u.id) for u in voters}
    # the voter can still find their own ballot: the code is recomputed from who they are
    mine = voting.receipts_of(world.users["owner"].id)
    assert [(m.receipt, m.choice) for m in mine] == [
        (voting.receipt_for("contest", 41, voting.user_key(voters[1].id)), None)
    ]


def test_a_named_ballot_keeps_its_voter_and_time(world):
    poll = make_poll(world)
    ballot = vote(poll, world.users["owner"], "agree")
    assert ballot.voter_id == world.users["owner"].id
    assert ballot.voter_key == voting.user_key(world.users["owner"].id)
    assert ballot.created_at is not None


# -- certification ----------------------------------------------------------------------------------


def closed_poll(world) -> Poll:
    poll = make_poll(world)
    for key, choice in (("resident", "1"), ("owner", "1,2"), ("leader_a", "2")):
        vote(poll, world.users[key], choice)
    voting.close_poll(poll)
    db.session.commit()
    return poll


def test_an_open_poll_cannot_be_certified(world):
    poll = make_poll(world)
    with pytest.raises(DomainError) as refused:
        voting.certify(poll, world.users["staff"].id, CertifierRole.COUNTER)
    assert refused.value.code == "wrong_phase"


def test_one_certifier_does_not_publish_and_the_same_person_cannot_sign_twice(world):
    poll = closed_poll(world)
    voting.certify(poll, world.users["staff"].id, CertifierRole.COUNTER)
    db.session.commit()
    assert poll.state == PollState.CLOSED and poll.result is None
    with pytest.raises(DomainError) as refused:
        voting.certify(poll, world.users["staff"].id, CertifierRole.SCRUTINEER)
    assert refused.value.code == "same_certifier"
    db.session.rollback()
    with pytest.raises(DomainError) as refused:
        voting.certify(poll, world.users["owners_committee"].id, CertifierRole.COUNTER)
    assert refused.value.code == "role_taken"
    db.session.rollback()
    assert poll.state == PollState.CLOSED and len(voting.certifications(poll)) == 1


def test_two_different_certifiers_publish_a_frozen_result(world):
    poll = closed_poll(world)
    voting.certify(poll, world.users["staff"].id, CertifierRole.COUNTER)
    voting.certify(poll, world.users["owners_committee"].id, CertifierRole.SCRUTINEER)
    db.session.commit()
    assert poll.state == PollState.PUBLISHED
    published = voting.published_result(poll)
    assert published["options"] == {"1": 2, "2": 2} and published["ballots"] == 3
    with pytest.raises(DomainError) as refused:
        voting.certify(poll, world.users["other_staff"].id, CertifierRole.COUNTER)
    assert refused.value.code == "already_published"
    db.session.rollback()
    # a later change to the stored ballots does not change the published result: verification reports it
    db.session.execute(update(Ballot).where(Ballot.poll_id == 41, Ballot.seq == 1).values(choice="2"))
    db.session.commit()
    assert voting.published_result(poll) == published
    check = voting.verify(poll)
    assert "the recount differs from the published result" in check.problems


# -- tampering, detected ----------------------------------------------------------------------------


def tamper(world, statement: str):
    poll = closed_poll(world)
    assert voting.verify(poll).ok
    db.session.execute(text(statement), {"p": poll.subject_id})
    db.session.commit()
    return poll


def test_an_edited_ballot_is_detected(world):
    poll = tamper(world, "UPDATE ballots SET choice = '3' WHERE poll_id = :p AND seq = 2")
    problems = voting.verify(poll).problems
    assert any("hash does not match" in p for p in problems)


def test_a_deleted_ballot_is_detected(world):
    poll = tamper(world, "DELETE FROM ballots WHERE poll_id = :p AND seq = 3")  # even the last one
    problems = voting.verify(poll).problems
    assert any("at the close it was" in p for p in problems)
    assert any("2 ballots but 3 voters" in p for p in problems)


def test_an_inserted_ballot_is_detected_even_with_a_correct_hash(world):
    poll = closed_poll(world)
    forged = tally.BallotRecord(seq=4, receipt="FORGEDFORGED", choice="2")
    digest = tally.link(poll.head, "contest", 41, forged)
    db.session.execute(
        text(
            "INSERT INTO ballots (community_id, poll_type, poll_id, seq, voter_key, choice, weight_area,"
            " weight_heads, receipt, hash) VALUES (:c, 'contest', 41, 4, '', '2', 0, 0, 'FORGEDFORGED', :h)"
        ),
        {"c": world.community.id, "h": digest},
    )
    db.session.commit()
    problems = voting.verify(poll).problems
    assert any("at the close it was" in p for p in problems)
    assert any("3 voters" in p for p in problems)


def test_verify_count_reports_ok_and_differences(world, app):
    poll = closed_poll(world)
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["yishi", "verify-count", str(poll.id)])
    assert ok.exit_code == 0, ok.output
    assert "OK" in ok.output and poll.head in ok.output
    db.session.execute(delete(Ballot).where(Ballot.poll_id == 41, Ballot.seq == 2))
    db.session.commit()
    broken = runner.invoke(args=["yishi", "verify-count", str(poll.id)])
    assert broken.exit_code != 0
    assert "DIFFERENCE" in broken.output
    missing = runner.invoke(args=["yishi", "verify-count", "999999"])
    assert missing.exit_code != 0 and "No poll" in missing.output


def test_a_broken_count_cannot_be_certified(world):
    poll = tamper(world, "UPDATE ballots SET choice = '3' WHERE poll_id = :p AND seq = 1")
    with pytest.raises(DomainError) as refused:
        voting.certify(poll, world.users["staff"].id, CertifierRole.COUNTER)
    assert refused.value.code == "count_broken"


# -- objections -------------------------------------------------------------------------------------


def test_an_objection_is_recorded_once_per_submission_and_answered(world):
    poll = closed_poll(world)
    author = world.users["resident"]
    first = voting.object_to(poll, author.id, client_id="c-1", body="第三张选票的楼栋不对，请复核。")
    again = voting.object_to(poll, author.id, client_id="c-1", body="第三张选票的楼栋不对，请复核。")
    db.session.commit()
    assert first.id == again.id and len(voting.objections(poll)) == 1
    with pytest.raises(DomainError):
        voting.object_to(poll, author.id, client_id="c-2", body="短")
    voting.answer_objection(first, world.users["staff"].id, "已复核：楼栋无误。")
    db.session.commit()
    assert voting.objections(poll)[0].answer == "已复核：楼栋无误。"


def test_participation_is_the_unique_key(world):
    poll = make_poll(world)
    vote(poll, world.users["resident"], "1")
    with pytest.raises(IntegrityError):
        db.session.execute(
            text("INSERT INTO participations (poll_type, poll_id, voter_key) VALUES ('contest', 41, :k)"),
            {"k": voting.user_key(world.users["resident"].id)},
        )
    db.session.rollback()
    assert len(voting.voters(poll)) == 1


def test_a_second_signature_on_different_numbers_is_refused_and_nothing_is_added(world):
    poll = closed_poll(world)
    voting.certify(poll, world.users["staff"].id, CertifierRole.COUNTER)
    db.session.commit()
    first = voting.certifications(poll)[0]
    first.digest = "0" * 16  # as if the counter had signed other numbers
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        voting.certify(poll, world.users["owners_committee"].id, CertifierRole.SCRUTINEER)
    assert refused.value.code == "certifiers_differ"
    db.session.rollback()
    assert len(voting.certifications(poll)) == 1 and poll.state == PollState.CLOSED


def test_a_ballot_loaded_before_sealing_reads_its_place_in_the_chain_after(world):
    poll = make_poll(world, subject_id=77)
    ballot = db.session.get(Ballot, vote(poll, world.users["owner"], "1").id)
    assert ballot.seq is None and ballot.hash is None
    assert voting.seal(poll) == 1
    assert ballot.seq == 1 and ballot.hash == poll.head  # read again: sealing wrote the rows directly
