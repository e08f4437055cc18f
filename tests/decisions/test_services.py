"""Owners' decisions as use cases: the roll frozen from the register (one unit one person, several units
one person with areas summed, unsold developer units one person, a co-owned unit through its
representative), named votes online with the same receipt on a retry, paper ballots entered twice and
reconciled, online and paper kept to one ballot per person, certification by two people, 公示 and objections."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.communities.models import HouseholdOwner, Role
from app.core.errors import DomainError
from app.core.models import utcnow
from app.decisions import services
from app.decisions.models import DecisionState, PaperEntry, RollEntry
from app.extensions import db
from app.voting import services as voting
from app.voting.models import Ballot, Participation
from tests import factories
from tests.contests import viewer
from tests.decisions.conftest import draft, opened, paper


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def stored() -> tuple:
    return count(Ballot), count(Participation), count(PaperEntry)


def entry_of(decision, name) -> RollEntry:
    return next(e for e in services.roll_of(decision) if e.name == name)


# -- the roll ---------------------------------------------------------------------------------------


def test_roll_counts_persons_per_the_spc_interpretation(owners):
    w = owners
    b = w.building_b
    co = factories.household(b, "2", "201", area=10_000, owners=[("赵一", "13600000001"), ("赵二", "13600000002")])
    multi_1 = factories.household(b, "2", "301", area=7_000, owners=[("钱多", "13600000003")])
    multi_2 = factories.household(b, "2", "302", area=3_050, owners=[("钱多", "13600000003")])
    dev_1 = factories.household(b, "2", "601", area=12_000)
    dev_2 = factories.household(b, "2", "602", area=13_000)
    for dev in (dev_1, dev_2):
        dev.developer_unsold = True
        dev.owners = [HouseholdOwner(name="开发商", is_representative=True)]
    empty = factories.household(b, "3", "101", area=5_000)
    # the owner user owns a second unit under a row not linked to the account, with the same phone
    phone = w.households["a102"].owners[0].phone
    second = factories.household(w.building_a, "2", "101", area=1_000, owners=[("李秀英", phone)])
    db.session.commit()

    decision = opened(w)
    roll = {e.key: e for e in services.roll_of(decision)}
    owner_id = w.users["owner"].id
    assert roll[f"user:{owner_id}"].area == 8_950 + 1_000
    assert sorted(roll[f"user:{owner_id}"].household_ids) == sorted([w.households["a102"].id, second.id])
    assert roll[f"user:{owner_id}"].voter_user_id == owner_id
    assert roll["phone:13600000001"].household_ids == [co.id]  # the representative, once
    assert roll["phone:13600000001"].area == 10_000
    assert "phone:13600000002" not in roll
    assert roll["phone:13600000003"].area == 10_050 and len(roll["phone:13600000003"].household_ids) == 2
    assert roll["developer"].area == 25_000 and roll["developer"].developer
    assert roll[f"unit:{empty.id}"].area == 5_000  # no owner registered: still one person by its area
    assert {multi_1.id, multi_2.id} == set(roll["phone:13600000003"].household_ids)
    total = 3 * 8_950 + 10_000 + 10_050 + 25_000 + 5_000 + 1_000
    assert (decision.roll_area, decision.roll_heads) == (total, 7)
    assert sum(e.area for e in roll.values()) == total and all(e.heads == 1 for e in roll.values())


def test_roll_is_frozen_when_voting_opens(owners):
    decision = opened(owners)
    before = [(e.key, e.area) for e in services.roll_of(decision)]
    owners.households["a101"].area_centi_m2 = 20_000
    factories.household(owners.building_b, "9", "901", owners=[("新业主", "13600009999")])
    db.session.commit()
    assert [(e.key, e.area) for e in services.roll_of(decision)] == before
    assert decision.roll_heads == 3 and decision.roll_area == 3 * 8_950


def test_opening_twice_or_with_an_empty_register_is_refused(owners):
    decision = opened(owners)
    with pytest.raises(DomainError) as refused:
        services.open_voting(viewer(owners.users["staff"], decision), decision)
    assert refused.value.code == "wrong_phase"
    empty = factories.community()
    staff = factories.user()
    factories.membership(staff, empty, Role.COMMUNITY_STAFF)
    decision = services.create(viewer(staff, empty),
        client_id="x", matter=9, title="空的社区", body="没有住户的社区不能表决。",
        starts_on=decision.voting_starts_on, ends_on=decision.voting_ends_on, publicity_days=7,
    )  # fmt: skip
    with pytest.raises(DomainError) as refused:
        services.open_voting(viewer(staff, decision), decision)
    assert refused.value.code == "empty_roll" and decision.state == DecisionState.DRAFT


def test_create_is_idempotent_and_checks_its_input(owners):
    first = draft(owners)
    assert draft(owners).id == first.id
    bad = [
        {"matter": 0}, {"matter": 10}, {"matter": "5"}, {"title": "短"}, {"body": "太短"},
        {"publicity_days": 0}, {"publicity_days": 61},
    ]  # fmt: skip
    for change in bad:
        kwargs = {
            "client_id": "bad", "matter": 5, "title": "更换1栋电梯", "body": "拟使用维修资金更换电梯。" * 2,
            "starts_on": first.voting_starts_on, "ends_on": first.voting_ends_on, "publicity_days": 7, **change,
        }  # fmt: skip
        with pytest.raises(DomainError):
            services.create(viewer(owners.users["staff"], owners.community), **kwargs)
        db.session.rollback()
    with pytest.raises(DomainError) as refused:
        services.create(viewer(owners.users["staff"], owners.community),
            client_id="d", matter=5, title="日期颠倒的表决", body="拟使用维修资金更换电梯。",
            starts_on=first.voting_ends_on, ends_on=first.voting_starts_on,
            publicity_days=7,
        )  # fmt: skip
    assert refused.value.field == "voting_ends_on"
    assert count(type(first)) == 1


@pytest.mark.parametrize("key", ["owner", "resident", "property_manager", "social_org", "other_staff", "outsider"])
def test_only_counters_create_and_open(owners, key):
    with pytest.raises(DomainError) as refused:
        draft(owners, key=key)
    assert refused.value.status_code == 403
    decision = draft(owners)
    with pytest.raises(DomainError):
        services.open_voting(viewer(owners.users[key], decision), decision)
    assert decision.state == DecisionState.DRAFT


def test_property_manager_never_tallies_even_on_the_committee(owners):
    pm = owners.memberships["property_manager"]
    pm.roles.append(type(pm.roles[0])(role=Role.OWNERS_COMMITTEE))
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        draft(owners, key="property_manager")
    assert refused.value.status_code == 403


# -- voting online ----------------------------------------------------------------------------------


def test_owner_votes_by_name_and_a_retry_returns_the_same_receipt(owners):
    decision = opened(owners)
    ballot = services.vote(viewer(owners.users["owner"], decision), decision, "agree")
    again = services.vote(viewer(owners.users["owner"], decision), decision, "agree")
    assert again.receipt == ballot.receipt and again.id == ballot.id
    entry = entry_of(decision, "李秀英")
    assert (ballot.voter_key, ballot.voter_id, ballot.weight_area, ballot.weight_heads) == (
        entry.voter_key, owners.users["owner"].id, 8_950, 1,
    )  # fmt: skip
    assert ballot.entered_by_id is None
    with pytest.raises(DomainError) as refused:
        services.vote(viewer(owners.users["owner"], decision), decision, "oppose")
    assert refused.value.code == "already_voted"
    assert stored() == (1, 1, 0)


def test_online_voting_ends_with_its_last_day_but_a_retry_still_gets_its_receipt(owners):
    from datetime import date

    decision = opened(owners)
    last_day = decision.voting_ends_on
    decision.voting_starts_on, decision.voting_ends_on = date(2026, 1, 1), date(2026, 1, 31)  # in the past
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        services.vote(viewer(owners.users["owner"], decision), decision, "agree")
    assert refused.value.code == "voting_ended"
    db.session.rollback()
    assert stored() == (0, 0, 0)
    decision.voting_ends_on = last_day
    db.session.commit()
    ballot = services.vote(viewer(owners.users["owner"], decision), decision, "agree")
    decision.voting_ends_on = date(2026, 1, 31)
    db.session.commit()
    assert services.vote(viewer(owners.users["owner"], decision), decision, "agree").receipt == ballot.receipt
    assert stored() == (1, 1, 0)


@pytest.mark.parametrize(
    "key", ["resident", "unverified", "other_resident", "other_staff", "property_manager", "staff", "outsider"]
)
def test_non_owners_cannot_vote_and_nothing_is_stored(owners, key):
    decision = opened(owners)
    with pytest.raises(DomainError) as refused:
        services.vote(viewer(owners.users[key], decision), decision, "agree")
    assert refused.value.status_code == 403
    assert stored() == (0, 0, 0)


def test_an_owner_verified_after_the_roll_froze_votes_for_their_entry(owners):
    decision = opened(owners)
    late = factories.user(name="王志强")
    factories.membership(late, owners.community, Role.RESIDENT, Role.OWNER, household_=owners.households["b101"])
    owners.households["b101"].owners[0].user_id = late.id
    db.session.commit()
    ballot = services.vote(viewer(late, decision), decision, "oppose")
    assert ballot.voter_key == entry_of(decision, "王志强").voter_key


def test_bad_choice_and_wrong_phase(owners):
    decision = draft(owners)
    with pytest.raises(DomainError) as refused:
        services.vote(viewer(owners.users["owner"], decision), decision, "agree")
    assert refused.value.status_code == 404  # a draft is not there for owners
    services.open_voting(viewer(owners.users["staff"], decision), decision)
    for choice in ("yes", "", None, "agree,oppose"):
        with pytest.raises(DomainError) as refused:
            services.vote(viewer(owners.users["owner"], decision), decision, choice)
        assert refused.value.code == "bad_choice"
    services.close_voting(viewer(owners.users["staff"], decision), decision)
    with pytest.raises(DomainError) as refused:
        services.vote(viewer(owners.users["owner"], decision), decision, "agree")
    assert refused.value.code == "wrong_phase"
    assert stored() == (0, 0, 0)


# -- paper ballots ----------------------------------------------------------------------------------


def test_a_paper_ballot_counts_when_two_different_counters_agree(owners):
    decision = opened(owners)
    entry = entry_of(decision, "张建国")
    state = paper(owners, decision, entry, "agree", "owners_committee")
    assert state.status == "pending" and state.ballot is None
    assert stored() == (0, 0, 1)
    assert services.outcome(decision).voted_heads == 0  # a single entry does not count
    state = paper(owners, decision, entry, "agree", "staff")
    assert state.status == "counted"
    ballot = state.ballot
    assert ballot.voter_id is None and ballot.entered_by_id == owners.users["staff"].id
    assert (ballot.choice, ballot.weight_area, ballot.weight_heads) == ("agree", 8_950, 1)
    assert stored() == (1, 1, 2)


def test_the_same_counter_cannot_enter_a_ballot_twice(owners):
    decision = opened(owners)
    entry = entry_of(decision, "张建国")
    paper(owners, decision, entry, "agree", "owners_committee")
    retry = services.enter_paper(viewer(owners.users["owners_committee"], decision), decision,
        roll_entry_id=entry.id, choice="agree", client_id=f"owners_committee-{entry.id}-0",
    )  # fmt: skip
    assert retry.status == "pending"  # the same submission again: the same answer
    for choice in ("agree", "oppose"):
        with pytest.raises(DomainError) as refused:
            services.enter_paper(
                viewer(owners.users["owners_committee"], decision),
                decision,
                roll_entry_id=entry.id,
                choice=choice,
                client_id="again",
            )
        assert refused.value.code == "same_counter"
    assert stored() == (0, 0, 1)


def test_a_mismatch_is_flagged_and_a_third_entry_settles_it(owners):
    decision = opened(owners)
    extra = factories.user(name="第三位计票人")
    factories.membership(extra, owners.community, Role.OWNERS_COMMITTEE)
    owners.users["third"] = extra
    db.session.commit()
    entry = entry_of(decision, "张建国")
    paper(owners, decision, entry, "agree", "owners_committee")
    state = paper(owners, decision, entry, "oppose", "staff")
    assert state.status == "disputed" and state.ballot is None
    assert [p.choice for p in state.papers] == ["agree", "oppose"]
    assert services.unsettled_paper(decision) == 1
    with pytest.raises(DomainError) as refused:
        services.close_voting(viewer(owners.users["staff"], decision), decision)
    assert refused.value.code == "unsettled_paper"
    state = paper(owners, decision, entry, "oppose", "third")
    assert state.status == "counted" and state.ballot.choice == "oppose"
    assert state.ballot.entered_by_id == extra.id
    assert services.unsettled_paper(decision) == 0


def test_a_mismatch_is_settled_by_a_correction(owners):
    decision = opened(owners)
    entry = entry_of(decision, "张建国")
    first = paper(owners, decision, entry, "agree", "owners_committee").papers[0]
    paper(owners, decision, entry, "abstain", "staff")
    with pytest.raises(DomainError) as refused:  # only the counter who made an entry corrects it
        services.correct_paper(viewer(owners.users["staff"], decision), decision, first.id, "abstain")
    assert refused.value.status_code == 403
    state = services.correct_paper(viewer(owners.users["owners_committee"], decision), decision, first.id, "abstain")
    assert state.status == "counted" and state.ballot.choice == "abstain"
    corrected = db.session.get(PaperEntry, first.id)
    assert (corrected.choice, corrected.corrected_from, corrected.counted) == ("abstain", "agree", True)
    with pytest.raises(DomainError) as refused:
        services.correct_paper(viewer(owners.users["owners_committee"], decision), decision, first.id, "oppose")
    assert refused.value.code == "paper_counted"


def test_paper_and_online_ballots_exclude_each_other(owners):
    decision = opened(owners)
    voter = entry_of(decision, "李秀英")
    services.vote(viewer(owners.users["owner"], decision), decision, "agree")
    with pytest.raises(DomainError) as refused:
        paper(owners, decision, voter, "oppose", "owners_committee")
    assert refused.value.code == "voted_online"
    assert stored() == (1, 1, 0)

    # the other way: a counted paper ballot, then an online vote
    late = factories.user(name="张建国")
    factories.membership(late, owners.community, Role.RESIDENT, Role.OWNER, household_=owners.households["a101"])
    owners.households["a101"].owners[0].user_id = late.id
    db.session.commit()
    entry = entry_of(decision, "张建国")
    paper(owners, decision, entry, "oppose", "owners_committee")
    with pytest.raises(DomainError) as refused:  # handed in on paper, waiting for the second entry
        services.vote(viewer(late, decision), decision, "oppose")
    assert refused.value.code == "paper_pending"
    paper(owners, decision, entry, "oppose", "staff")
    for choice in ("oppose", "agree"):
        with pytest.raises(DomainError) as refused:
            services.vote(viewer(late, decision), decision, choice)
        assert refused.value.code == "paper_counted"
    third = factories.user()
    factories.membership(third, owners.community, Role.OWNERS_COMMITTEE)
    with pytest.raises(DomainError) as refused:  # and no further paper entry either
        services.enter_paper(viewer(third, decision), decision, roll_entry_id=entry.id, choice="oppose", client_id="z")
    assert refused.value.code == "paper_counted"
    assert stored() == (2, 2, 2)


@pytest.mark.parametrize("key", ["owner", "resident", "property_manager", "other_staff", "outsider"])
def test_only_counters_enter_paper_ballots(owners, key):
    decision = opened(owners)
    entry = entry_of(decision, "张建国")
    with pytest.raises(DomainError) as refused:
        services.enter_paper(
            viewer(owners.users[key], decision), decision, roll_entry_id=entry.id, choice="agree", client_id="x"
        )
    assert refused.value.status_code == 403
    assert stored() == (0, 0, 0)


def test_paper_bad_input(owners):
    decision = opened(owners)
    other = opened(owners, client_id="d2", title="另一个表决事项")
    foreign = services.roll_of(other)[0]
    staff = owners.users["staff"]
    cases = [
        ({"roll_entry_id": foreign.id, "choice": "agree", "client_id": "a"}, "bad_roll_entry"),
        ({"roll_entry_id": None, "choice": "agree", "client_id": "a"}, "bad_roll_entry"),
        ({"roll_entry_id": services.roll_of(decision)[0].id, "choice": "maybe", "client_id": "a"}, "bad_choice"),
        ({"roll_entry_id": services.roll_of(decision)[0].id, "choice": "agree", "client_id": ""}, "bad_request"),
    ]
    for kwargs, code in cases:
        with pytest.raises(DomainError) as refused:
            services.enter_paper(viewer(staff, decision), decision, **kwargs)
        assert refused.value.code == code
    assert stored() == (0, 0, 0)


# -- closing, certifying, 公示 ------------------------------------------------------------------------


def _counted(owners):
    decision = opened(owners)
    services.vote(viewer(owners.users["owner"], decision), decision, "agree")
    paper(owners, decision, entry_of(decision, "张建国"), "agree", "owners_committee", "staff")
    services.close_voting(viewer(owners.users["staff"], decision), decision)
    return decision


def test_two_different_people_certify_then_the_result_is_published_and_frozen(owners):
    decision = _counted(owners)
    poll = services.poll_of(decision)
    assert poll.closed_head == poll.head and poll.closed_length == 2
    with pytest.raises(DomainError):
        services.certify(viewer(owners.users["owner"], decision), decision, "counter")
    services.certify(viewer(owners.users["staff"], decision), decision, "counter")
    for role in ("scrutineer", "counter"):
        with pytest.raises(DomainError) as refused:
            services.certify(viewer(owners.users["staff"], decision), decision, role)
        assert refused.value.code == "same_certifier"
    with pytest.raises(DomainError) as refused:
        services.certify(viewer(owners.users["owners_committee"], decision), decision, "counter")
    assert refused.value.code == "role_taken"
    with pytest.raises(DomainError) as refused:
        services.certify(viewer(owners.users["owners_committee"], decision), decision, "chair")
    assert refused.value.code == "bad_role"
    assert decision.state == DecisionState.COUNTING
    services.certify(viewer(owners.users["owners_committee"], decision), decision, "scrutineer")
    assert decision.state == DecisionState.ANNOUNCED and decision.passed is True
    assert decision.objections_until == decision.published_at + timedelta(days=7)
    result = services.outcome(decision)
    assert result.published and result.voted_heads == 2 and result.area["agree"] == 2 * 8_950

    # a published result never changes: a ballot edited in the database shows in verification only
    ballot = db.session.scalar(select(Ballot).where(Ballot.poll_id == decision.id).order_by(Ballot.seq))
    ballot.choice = "oppose"
    db.session.commit()
    assert services.outcome(decision).area["agree"] == 2 * 8_950
    assert not voting.verify(poll).ok
    with pytest.raises(DomainError) as refused:
        services.certify(viewer(owners.users["owners_committee"], decision), decision, "scrutineer")
    assert refused.value.code == "already_published"


def test_certifying_before_closing_is_refused(owners):
    decision = opened(owners)
    with pytest.raises(DomainError) as refused:
        services.certify(viewer(owners.users["staff"], decision), decision, "counter")
    assert refused.value.code == "wrong_phase"


def test_objections_during_publicity_are_recorded_and_answered(owners):
    decision = _counted(owners)
    with pytest.raises(DomainError) as refused:
        services.object_to(viewer(owners.users["owner"], decision), decision, client_id="o1", body="计票有误，请复核。")
    assert refused.value.code == "wrong_phase"
    services.certify(viewer(owners.users["staff"], decision), decision, "counter")
    services.certify(viewer(owners.users["owners_committee"], decision), decision, "scrutineer")
    objection = services.object_to(
        viewer(owners.users["owner"], decision), decision, client_id="o1", body="计票有误，请复核。"
    )
    assert services.object_to(
        viewer(owners.users["owner"], decision), decision, client_id="o1", body="计票有误，请复核。"
    ).id == (objection.id)
    for key in ("resident", "property_manager", "other_resident"):
        with pytest.raises(DomainError):
            services.object_to(viewer(owners.users[key], decision), decision, client_id="o2", body="我也有异议。")
    with pytest.raises(DomainError):
        services.object_to(viewer(owners.users["owner"], decision), decision, client_id="o3", body="短")
    with pytest.raises(DomainError):
        services.answer_objection(viewer(owners.users["owner"], decision), decision, objection.id, "不同意")
    services.answer_objection(
        viewer(owners.users["staff"], decision), decision, objection.id, "已复核纸质选票，结果无误。"
    )
    assert [o.answer for o in services.objections_of(decision)] == ["已复核纸质选票，结果无误。"]
    decision.objections_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        services.object_to(viewer(owners.users["owner"], decision), decision, client_id="o4", body="过期的异议。")
    assert refused.value.code == "wrong_phase"
    assert len(services.objections_of(decision)) == 1


def test_a_signature_refused_part_way_writes_nothing(app, owners):
    """A refused signature at the edge (the same person signing in the second role) leaves the count as it was:
    no second certification, no audit entry, the decision still counting and unpublished. The edge, not the
    service, owns the rollback: the service's earlier writes in the same transaction (here, a closing done in
    the same request) go with it."""
    from app.core.models import AuditEntry
    from app.core.web import perform
    from app.voting.models import Certification

    decision = opened(owners)
    staff = viewer(owners.users["staff"], decision)
    before = (count(Certification), count(AuditEntry))

    def close_and_sign_twice():
        services.close_voting(staff, decision)  # written (and audited) first
        services.certify(staff, decision, "counter")
        services.certify(staff, decision, "scrutineer")  # refused: a second person must sign

    with app.test_request_context():
        outcome = perform(close_and_sign_twice)
    assert outcome.status == 409
    db.session.expire_all()
    assert (count(Certification), count(AuditEntry)) == before
    assert decision.state == DecisionState.VOTING and decision.closed_at is None
