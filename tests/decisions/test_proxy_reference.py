"""Art. 278 reference tests for proxy votes: a vote a proxy casts in the owner's name counts exactly like the
owner's own — the same area, the same head, the same verdict — on random registers checked against the
integer reference of test_property.py, and at the thresholds' edges side by side with the same ballots cast
without a proxy."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.decisions import services
from app.extensions import db
from app.voting import services as voting
from tests.contests import viewer
from tests.decisions.helpers import decide, town, vote_by_proxy
from tests.decisions.test_property import CHOICES, STRICTER, reference, registers

A, NO, X = "agree", "oppose", "abstain"


def units(*areas):
    return [(area, f"p{n}", None) for n, area in enumerate(areas)]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(units=registers(), matter=st.integers(1, 9), stricter=st.sampled_from(STRICTER), data=st.data())
def test_proxy_votes_match_the_reference(app, units, matter, stricter, data):
    community, counter, scrutineer = town(units)
    if stricter is not None:
        (pn, pd), (an, ad), inclusive = stricter
        services.set_rules(
            viewer(counter, community), participation=Fraction(pn, pd), approval=Fraction(an, ad), inclusive=inclusive
        )
    keys = sorted({person or "developer" for _area, person, _co in units})
    votes = {key: data.draw(st.sampled_from(CHOICES), label=key) for key in keys}
    decision, _ = decide(community, counter, scrutineer, matter, [None] * len(keys), close=False)
    entries = services.roll_of(decision)
    names = {e.id: ("developer" if e.developer else e.name.removeprefix("业主")) for e in entries}
    proxied = 0
    for entry in entries:
        choice = votes[names[entry.id]]
        if choice is None:
            continue
        if data.draw(st.booleans(), label=f"{names[entry.id]} by proxy"):
            ballot = vote_by_proxy(community, scrutineer, decision, entry, choice)
            assert ballot.by_proxy and (ballot.weight_area, ballot.weight_heads) == (entry.area, entry.heads)
            proxied += 1
        else:
            for n, who in enumerate((counter, scrutineer)):
                services.enter_paper(
                    viewer(who, decision), decision, roll_entry_id=entry.id, choice=choice, client_id=f"r{entry.id}-{n}"
                )
    services.close_voting(viewer(counter, decision), decision)
    outcome = services.outcome(decision)
    expected, (roll_area, roll_heads, v_area, v_heads, a_area, a_heads) = reference(units, votes, matter, stricter)
    assert (decision.roll_area, decision.roll_heads) == (roll_area, roll_heads)
    assert (outcome.voted_area, outcome.voted_heads) == (v_area, v_heads)
    assert (outcome.area["agree"], outcome.heads["agree"]) == (a_area, a_heads)
    assert outcome.verdict.passed is expected
    assert outcome.proxy == proxied
    assert voting.verify(services.poll_of(decision)).ok
    db.session.rollback()


EDGES = [
    # (areas, matter, choices, passed): each at a threshold's edge
    ([10_000] * 6, 5, [A, A, A, A, None, None], True),  # exactly 2/3 take part
    ([10_000] * 6, 5, [A, A, A, None, None, None], False),  # one unit fewer
    ([100, 100, 101], 5, [A, A, None], False),  # heads 2/3, area 200/301 < 2/3
    ([8_950] * 4, 5, [A, A, NO, NO], False),  # exactly half agree
    ([8_950] * 4, 5, [A, A, A, NO], True),
    ([100, 100, 100, 300], 5, [A, A, A, NO], False),  # exactly half of the area agrees
    ([12_035] * 4, 6, [A, A, A, NO], True),  # exactly 3/4 for item 6
    ([12_035] * 4, 6, [A, A, X, NO], False),  # one less
    ([100, 100, 99, 101], 6, [A, A, A, NO], False),  # 3/4 of heads, 299/400 of area
]


@pytest.mark.parametrize(("areas", "matter", "choices", "passed"), EDGES)
@pytest.mark.parametrize("proxies", ["none", "all", "first", "last"])
def test_the_edges_are_the_same_by_proxy(app, areas, matter, choices, passed, proxies):
    """The same ballots, cast by the owners (paper) or by their proxies: the same count and verdict."""
    voted = [n for n, choice in enumerate(choices) if choice is not None]
    chosen = {"none": set(), "all": set(voted), "first": set(voted[:1]), "last": set(voted[-1:])}[proxies]
    _decision, own = decide(*town(units(*areas)), matter, choices)
    _decision, proxied = decide(*town(units(*areas)), matter, choices, by_proxy=chosen)
    assert proxied.verdict == own.verdict and own.verdict.passed is passed
    assert (proxied.area, proxied.heads) == (own.area, own.heads)
    assert (proxied.voted_area, proxied.voted_heads) == (own.voted_area, own.voted_heads)
    assert (own.proxy, proxied.proxy) == (0, len(chosen))
