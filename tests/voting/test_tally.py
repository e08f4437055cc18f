"""The pure count, chain and art. 278 verdict, hammered with Hypothesis."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.voting import tally
from app.voting.tally import BallotRecord, Thresholds, Unit

OPTIONS = ["1", "2", "3", "4", "5"]


def chain(ballots: list[BallotRecord], poll_type="contest", poll_id=7) -> list[BallotRecord]:
    """Give ballots their seq and hashes as the service would."""
    out, prev = [], tally.genesis(poll_type, poll_id)
    for seq, ballot in enumerate(ballots, start=1):
        ballot = replace(ballot, seq=seq)
        ballot = replace(ballot, hash=tally.link(prev, poll_type, poll_id, ballot))
        prev = ballot.hash
        out.append(ballot)
    return out


approval_choice = st.sets(st.sampled_from(OPTIONS), min_size=1, max_size=3).map(lambda s: ",".join(sorted(s, key=int)))
ballot_strategy = st.builds(
    BallotRecord,
    seq=st.just(0),
    receipt=st.text("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", min_size=12, max_size=12),
    choice=approval_choice,
    building_id=st.sampled_from([None, 1, 2, 3]),
    weight_area=st.integers(0, 50_000),
    weight_heads=st.integers(0, 1),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(ballot_strategy, max_size=60))
def test_the_count_equals_a_recount_from_the_ballot_log(ballots):
    counted = tally.count(ballots)
    by_hand: Counter[str] = Counter()
    by_building: dict = {}
    for ballot in ballots:
        for option in ballot.choice.split(","):
            by_hand[option] += 1
            by_building.setdefault(ballot.building_id, Counter())[option] += 1
    assert counted.ballots == len(ballots)
    assert counted.options == dict(by_hand)
    assert counted.by_building == {b: dict(c) for b, c in by_building.items()}
    assert sum(counted.options.values()) == sum(len(b.choice.split(",")) for b in ballots)
    assert counted.area_total == sum(b.weight_area for b in ballots)


@settings(max_examples=200, deadline=None)
@given(st.lists(ballot_strategy, max_size=40), ballot_strategy)
def test_adding_a_ballot_never_lowers_any_count_and_raises_its_options(ballots, extra):
    before = tally.count(ballots)
    after = tally.count([*ballots, extra])
    for option in OPTIONS:
        assert after.options.get(option, 0) >= before.options.get(option, 0)
    for option in extra.options():
        assert after.options[option] == before.options.get(option, 0) + 1
    assert after.ballots == before.ballots + 1


@settings(max_examples=100, deadline=None)
@given(st.lists(ballot_strategy, min_size=1, max_size=30), st.data())
def test_the_chain_verifies_and_any_edit_delete_or_insert_breaks_it(ballots, data):
    chained = chain(ballots)
    check = tally.verify_chain("contest", 7, chained)
    assert check.ok and check.length == len(chained)
    head = check.head
    i = data.draw(st.integers(0, len(chained) - 1))

    edited = list(chained)
    new_choice = "5" if edited[i].choice != "5" else "4"
    edited[i] = replace(edited[i], choice=new_choice)
    assert not tally.verify_chain("contest", 7, edited).ok

    deleted = chained[:i] + chained[i + 1 :]
    check = tally.verify_chain("contest", 7, deleted)
    # deleting the last ballot leaves a valid shorter chain: the recorded head and length catch that
    assert not check.ok or (check.head, check.length) != (head, len(chained))

    forged = replace(chained[i], receipt="FORGEDFORGED")
    inserted = [*chained[:i], forged, *chained[i:]]
    assert not tally.verify_chain("contest", 7, inserted).ok


def test_the_chain_of_another_poll_does_not_verify():
    chained = chain([BallotRecord(seq=0, receipt="AAAAAAAAAAAA", choice="1")])
    assert tally.verify_chain("contest", 7, chained).ok
    assert not tally.verify_chain("contest", 8, chained).ok
    assert not tally.verify_chain("decision", 7, chained).ok


# -- art. 278 ---------------------------------------------------------------------------------------


def reference_verdict(matter, roll_area, roll_heads, voted_area, voted_heads, agree_area, agree_heads):
    """Art. 278 read literally, in integer cross-multiplication: ≥ 2/3 participation of both; items 6–8
    ≥ 3/4 of participants on both; the rest more than half of participants on both."""
    quorate = roll_area > 0 and roll_heads > 0 and 3 * voted_area >= 2 * roll_area and 3 * voted_heads >= 2 * roll_heads
    if voted_area == 0 or voted_heads == 0:
        return False
    if matter in (6, 7, 8):
        approved = 4 * agree_area >= 3 * voted_area and 4 * agree_heads >= 3 * voted_heads
    else:
        approved = 2 * agree_area > voted_area and 2 * agree_heads > voted_heads
    return quorate and approved


@st.composite
def votes(draw):
    roll_heads = draw(st.integers(1, 40))
    roll_area = draw(st.integers(1, 1_000_000))
    voted_heads = draw(st.integers(0, roll_heads))
    voted_area = draw(st.integers(0, roll_area))
    agree_heads = draw(st.integers(0, voted_heads))
    agree_area = draw(st.integers(0, voted_area))
    return roll_area, roll_heads, voted_area, voted_heads, agree_area, agree_heads


@settings(max_examples=500, deadline=None)
@given(st.integers(1, 9), votes())
def test_the_verdict_matches_a_literal_reading_of_article_278(matter, numbers):
    roll_area, roll_heads, voted_area, voted_heads, agree_area, agree_heads = numbers
    verdict = tally.art278_verdict(
        matter=matter,
        roll_area=roll_area,
        roll_heads=roll_heads,
        voted_area=voted_area,
        voted_heads=voted_heads,
        agree_area=agree_area,
        agree_heads=agree_heads,
    )
    assert verdict.passed == reference_verdict(matter, *numbers)
    assert isinstance(verdict.participation_area, Fraction)


def verdict(matter, *, roll=(300, 30), voted=(200, 20), agree=(101, 11), stricter=None):
    return tally.art278_verdict(
        matter=matter,
        roll_area=roll[0],
        roll_heads=roll[1],
        voted_area=voted[0],
        voted_heads=voted[1],
        agree_area=agree[0],
        agree_heads=agree[1],
        stricter=stricter,
    )


def test_exactly_two_thirds_participation_is_quorate_one_unit_fewer_is_not():
    assert verdict(1, voted=(200, 20), agree=(200, 20)).quorate
    assert not verdict(1, voted=(199, 20), agree=(199, 20)).quorate  # one 0.01 m² short on area
    assert not verdict(1, voted=(200, 19), agree=(200, 19)).quorate  # one owner short on heads


def test_exactly_half_approval_fails_one_more_passes():
    assert not verdict(4, voted=(200, 20), agree=(100, 11)).passed  # half the area
    assert not verdict(4, voted=(200, 20), agree=(101, 10)).passed  # half the heads
    assert verdict(4, voted=(200, 20), agree=(101, 11)).passed


@pytest.mark.parametrize("matter", [6, 7, 8])
def test_exactly_three_quarters_passes_for_items_6_to_8(matter):
    assert verdict(matter, voted=(200, 20), agree=(150, 15)).passed
    assert not verdict(matter, voted=(200, 20), agree=(149, 15)).passed
    assert not verdict(matter, voted=(200, 20), agree=(150, 14)).passed


def test_both_measures_must_pass():
    assert not verdict(1, voted=(300, 19), agree=(300, 19)).passed  # all the area, too few heads
    assert not verdict(1, voted=(199, 30), agree=(199, 30)).passed


def test_a_community_may_be_stricter_never_laxer():
    strict = Thresholds(Fraction(4, 5), Fraction(2, 3), approval_inclusive=True)
    assert verdict(1, voted=(200, 20), agree=(101, 11)).passed
    assert not verdict(1, voted=(200, 20), agree=(101, 11), stricter=strict).passed  # 2/3 participation < 4/5
    lax = Thresholds(Fraction(1, 2), Fraction(1, 3), approval_inclusive=True)
    assert verdict(6, voted=(200, 20), agree=(149, 15), stricter=lax).passed is False
    assert verdict(6, stricter=lax).thresholds == tally.legal_thresholds(6)
    # "more than half" is stricter than "at least half"
    at_least_half = Thresholds(Fraction(2, 3), Fraction(1, 2), approval_inclusive=True)
    assert tally.legal_thresholds(1).stricter_of(at_least_half) == tally.legal_thresholds(1)


def test_there_are_nine_matters():
    with pytest.raises(ValueError):
        tally.legal_thresholds(10)


# -- the roll ---------------------------------------------------------------------------------------


def test_the_roll_counts_people_as_the_interpretation_says():
    units = [
        Unit(1, 10_000, False, ("p:13800000001", 1, 11), building_id=1),
        Unit(2, 8_000, False, ("p:13800000001", 1, 11), building_id=1),  # the same owner's second unit
        Unit(3, 9_000, False, ("p:13800000002", 3, None), building_id=2),  # co-owned: its representative
        Unit(4, 7_000, True, None, building_id=2),  # unsold: the developer
        Unit(5, 6_000, True, None, building_id=3),  # unsold: the developer again
        Unit(6, 5_000, False, None, building_id=3),  # nobody on the register yet: the unit itself
    ]
    roll = {entry.key: entry for entry in tally.build_roll(units)}
    assert sorted(roll) == ["developer", "p:13800000001", "p:13800000002", "unit:6"]
    assert roll["p:13800000001"].area == 18_000 and roll["p:13800000001"].household_ids == [1, 2]
    assert roll["developer"].area == 13_000 and roll["developer"].heads == 1
    assert sum(e.area for e in roll.values()) == sum(u.area for u in units)
    assert sum(e.heads for e in roll.values()) == 4


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 30_000), st.booleans(), st.one_of(st.none(), st.integers(1, 6))),
        min_size=1,
        max_size=40,
    )
)
def test_the_roll_keeps_all_the_area_and_one_head_per_person(rows):
    units = [
        Unit(i, area, unsold, None if unsold or owner is None else (f"p:{owner}", owner, None))
        for i, (area, unsold, owner) in enumerate(rows, start=1)
    ]
    roll = tally.build_roll(units)
    assert sum(e.area for e in roll) == sum(u.area for u in units)
    people = {u.voter[0] for u in units if u.voter and not u.developer_unsold}
    unowned = sum(1 for u in units if u.voter is None and not u.developer_unsold)
    developer = any(u.developer_unsold for u in units)
    assert sum(e.heads for e in roll) == len(people) + unowned + developer
