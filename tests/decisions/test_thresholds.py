"""Art. 278 at its edges, through the feature's path (register → frozen roll → double-entered ballots →
count → verdict): exactly 2/3 taking part passes and one unit fewer fails; exactly half agreeing fails;
exactly 3/4 passes for item 6 and one less fails — by area and by headcount, each on its own; and a
community's stricter thresholds apply, laxer ones are refused."""

from __future__ import annotations

from fractions import Fraction

import pytest

from app.core.errors import DomainError
from app.core.shares import parse_share
from app.decisions import services
from app.extensions import db
from tests.contests import viewer
from tests.decisions.helpers import decide, town

A, NO, X = "agree", "oppose", "abstain"


def units(*areas):
    return [(area, f"p{n}", None) for n, area in enumerate(areas)]


@pytest.mark.parametrize(
    ("choices", "quorate"),
    [
        ([A, A, A, A, None, None], True),  # exactly 2/3 of area and heads
        ([A, A, A, None, None, None], False),  # one unit fewer
    ],
)
def test_exactly_two_thirds_take_part(app, choices, quorate):
    _decision, outcome = decide(*town(units(*[10_000] * 6)), 5, choices)
    assert outcome.verdict.participation_area == outcome.verdict.participation_heads
    assert (outcome.verdict.participation_heads == Fraction(2, 3)) is quorate
    assert outcome.verdict.quorate is quorate and outcome.verdict.passed is quorate


def test_participation_by_area_alone_can_fail(app):
    # 2 of 3 owners take part (heads exactly 2/3) but hold 200 of 301 (< 2/3 of the area)
    _decision, outcome = decide(*town(units(100, 100, 101)), 5, [A, A, None])
    assert outcome.verdict.participation_heads == Fraction(2, 3)
    assert outcome.verdict.participation_area == Fraction(200, 301)
    assert not outcome.verdict.quorate and not outcome.verdict.passed
    # the same, with the larger unit taking part instead: 201/301 ≥ 2/3 by area too
    _decision, outcome = decide(*town(units(100, 100, 101)), 5, [A, None, A])
    assert outcome.verdict.quorate and outcome.verdict.passed


def test_participation_by_headcount_alone_can_fail(app):
    # two large units take part: 600 of 602 by area, but 2 of 4 owners
    _decision, outcome = decide(*town(units(300, 300, 1, 1)), 5, [A, A, None, None])
    assert outcome.verdict.participation_area > Fraction(2, 3)
    assert outcome.verdict.participation_heads == Fraction(1, 2)
    assert not outcome.verdict.quorate and not outcome.verdict.passed


@pytest.mark.parametrize(
    ("choices", "passed"),
    [
        ([A, A, NO, NO], False),  # exactly half agree: not more than half
        ([A, A, NO, X], False),  # abstentions take part: 2 of 4 is half
        ([A, A, A, NO], True),
    ],
)
def test_more_than_half_needed(app, choices, passed):
    _decision, outcome = decide(*town(units(*[8_950] * 4)), 5, choices)
    assert outcome.verdict.quorate
    assert outcome.verdict.passed is passed


def test_exactly_half_by_area_fails_while_heads_pass(app):
    # 3 of 4 owners agree but hold exactly half the participating area
    _decision, outcome = decide(*town(units(100, 100, 100, 300)), 5, [A, A, A, NO])
    assert outcome.verdict.approval_heads == Fraction(3, 4)
    assert outcome.verdict.approval_area == Fraction(1, 2)
    assert not outcome.verdict.passed


@pytest.mark.parametrize(
    ("choices", "passed"),
    [
        ([A, A, A, NO], True),  # exactly 3/4 by area and by headcount
        ([A, A, X, NO], False),  # one less
    ],
)
def test_item_6_needs_three_quarters(app, choices, passed):
    _decision, outcome = decide(*town(units(*[12_035] * 4)), 6, choices)
    assert outcome.verdict.thresholds.approval == Fraction(3, 4) and outcome.verdict.thresholds.approval_inclusive
    assert outcome.verdict.passed is passed
    # the same ballots pass item 5 when 3/4 agree, and fail it when only half do
    _decision, general = decide(*town(units(*[12_035] * 4)), 5, choices)
    assert general.verdict.passed is passed


def test_item_6_three_quarters_of_heads_but_less_area_fails(app):
    # 3 of 4 owners agree (3/4 of heads), holding 299 of 400 (just under 3/4 of the area)
    _decision, outcome = decide(*town(units(100, 100, 99, 101)), 6, [A, A, A, NO])
    assert outcome.verdict.approval_heads == Fraction(3, 4)
    assert outcome.verdict.approval_area == Fraction(299, 400)
    assert not outcome.verdict.passed
    # one unit of area more: exactly 300 of 400 passes
    _decision, outcome = decide(*town(units(100, 100, 100, 100)), 6, [A, A, A, NO])
    assert outcome.verdict.approval_area == Fraction(3, 4) and outcome.verdict.passed


def test_stricter_community_thresholds_apply(app):
    community, counter, scrutineer = town(units(*[10_000] * 6))
    services.set_rules(
        viewer(counter, community), participation=Fraction(3, 4), approval=Fraction(2, 3), inclusive=True
    )
    _decision, outcome = decide(community, counter, scrutineer, 5, [A, A, A, NO, None, None])
    assert outcome.verdict.thresholds.participation == Fraction(3, 4)
    assert not outcome.verdict.quorate  # 4 of 6 is enough for the law, not for this community
    _decision, outcome = decide(community, counter, scrutineer, 5, [A, A, A, NO, X, None])
    assert outcome.verdict.quorate and not outcome.verdict.passed  # 3 of 5 agree: < 2/3
    # item 6 keeps the law's 3/4, stricter than the community's 2/3
    _decision, outcome = decide(community, counter, scrutineer, 6, [A, A, A, A, NO, NO])
    assert outcome.verdict.thresholds.approval == Fraction(3, 4)
    assert outcome.verdict.approval_heads == Fraction(2, 3) and not outcome.verdict.passed
    # ... while 2/3 agreeing is enough for item 5 under the community's "at least 2/3"
    _decision, outcome = decide(community, counter, scrutineer, 5, [A, A, A, A, NO, NO])
    assert outcome.verdict.passed


def test_thresholds_are_frozen_when_voting_opens(app):
    community, counter, scrutineer = town(units(*[10_000] * 6))
    decision, _outcome = decide(community, counter, scrutineer, 5, [None] * 6, close=False)
    services.set_rules(viewer(counter, community), participation=Fraction(1), approval=Fraction(1), inclusive=True)
    assert services.thresholds_for(decision).participation == Fraction(2, 3)


@pytest.mark.parametrize(
    ("participation", "approval", "inclusive", "field"),
    [
        (Fraction(1, 2), None, False, "participation"),
        (Fraction(66, 100), None, False, "participation"),
        (None, Fraction(1, 2), True, "approval"),  # "at least half" is laxer than "more than half"
        (None, Fraction(2, 5), False, "approval"),
    ],
)
def test_laxer_thresholds_are_refused(app, participation, approval, inclusive, field):
    community, counter, _scrutineer = town(units(100))
    with pytest.raises(DomainError) as refused:
        services.set_rules(
            viewer(counter, community), participation=participation, approval=approval, inclusive=inclusive
        )
    assert refused.value.code == "laxer_than_law" and refused.value.field == field
    db.session.rollback()
    assert services.rules_of(community.id) is None


@pytest.mark.parametrize(
    ("text", "share"),
    [("2/3", Fraction(2, 3)), ("75%", Fraction(3, 4)), ("0.75", Fraction(3, 4)), (" 3 / 4 ", Fraction(3, 4)),
     ("66.67%", Fraction(6667, 10000)), ("1", Fraction(1)), ("１/２", Fraction(1, 2)), ("2/0", None), ("abc", None),
     ("-1/2", None), ("3/2", None), ("0", None), ("", None), ("nan", None), ("1e400", None)],
)  # fmt: skip
def test_parse_share(text, share):
    if share is None:
        with pytest.raises(DomainError):
            parse_share(text, field="x")
    else:
        assert parse_share(text, field="x") == share
