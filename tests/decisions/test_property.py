"""Hypothesis: on random registers (multi-unit owners, co-owned units, unsold developer units) and random
ballots, the feature's verdict — roll frozen from the register, paper ballots entered twice, count, art. 278
— matches a straightforward reference written here with integer cross-multiplication."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.decisions import services
from app.extensions import db
from tests.contests import viewer
from tests.decisions.helpers import decide, town

CHOICES = [None, "agree", "oppose", "abstain"]
STRICTER = [None, ((3, 4), (1, 2), False), ((2, 3), (2, 3), True), ((9, 10), (4, 5), False)]


@st.composite
def registers(draw):
    persons = draw(st.integers(1, 4))
    unit = st.tuples(
        st.integers(1, 30_000),
        st.one_of(st.none(), st.integers(0, persons - 1)),  # None: unsold developer unit
        st.one_of(st.none(), st.integers(0, persons - 1)),  # a co-owner who is not the representative
    )
    units = draw(st.lists(unit, min_size=1, max_size=7))
    return [
        (area, None if person is None else f"p{person}", None if person is None or co in (None, person) else f"p{co}")
        for area, person, co in units
    ]


def reference(units, votes, matter, stricter):
    """The law as written: persons by representative (developer units one person), areas summed."""
    roll: dict[str, int] = {}
    for area, person, _co in units:
        key = person or "developer"
        roll[key] = roll.get(key, 0) + area
    roll_area, roll_heads = sum(roll.values()), len(roll)
    voted = {k: c for k, c in votes.items() if k in roll and c is not None}
    v_area, v_heads = sum(roll[k] for k in voted), len(voted)
    a_area = sum(roll[k] for k, c in voted.items() if c == "agree")
    a_heads = sum(1 for c in voted.values() if c == "agree")
    quorate = 3 * v_area >= 2 * roll_area and 3 * v_heads >= 2 * roll_heads
    if matter in (6, 7, 8):
        approved = 4 * a_area >= 3 * v_area and 4 * a_heads >= 3 * v_heads
    else:
        approved = 2 * a_area > v_area and 2 * a_heads > v_heads
    if stricter is not None:
        (pn, pd), (an, ad), inclusive = stricter
        quorate = quorate and v_area * pd >= roll_area * pn and v_heads * pd >= roll_heads * pn
        if inclusive:
            approved = approved and a_area * ad >= v_area * an and a_heads * ad >= v_heads * an
        else:
            approved = approved and a_area * ad > v_area * an and a_heads * ad > v_heads * an
    approved = approved and v_heads > 0
    return quorate and approved, (roll_area, roll_heads, v_area, v_heads, a_area, a_heads)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    units=registers(),
    matter=st.integers(1, 9),
    stricter=st.sampled_from(STRICTER),
    data=st.data(),
)
def test_verdict_matches_the_reference(app, units, matter, stricter, data):
    from fractions import Fraction

    community, counter, scrutineer = town(units)
    if stricter is not None:
        (pn, pd), (an, ad), inclusive = stricter
        services.set_rules(
            viewer(counter, community), participation=Fraction(pn, pd), approval=Fraction(an, ad), inclusive=inclusive
        )
    keys = sorted({person or "developer" for _area, person, _co in units})
    votes = {key: data.draw(st.sampled_from(CHOICES), label=key) for key in keys}
    # the roll's entries in the feature's order, each mapped to the reference's person by its name
    decision, _ = decide(community, counter, scrutineer, matter, [None] * len(keys), close=False)
    entries = services.roll_of(decision)
    assert len(entries) == len(keys)
    names = {e.id: ("developer" if e.developer else e.name.removeprefix("业主")) for e in entries}
    for entry in entries:
        choice = votes[names[entry.id]]
        if choice is not None:
            for n, who in enumerate((counter, scrutineer)):
                services.enter_paper(
                    viewer(who, decision), decision, roll_entry_id=entry.id, choice=choice, client_id=f"h{entry.id}-{n}"
                )
    services.close_voting(viewer(counter, decision), decision)
    outcome = services.outcome(decision)
    expected, (roll_area, roll_heads, v_area, v_heads, a_area, a_heads) = reference(units, votes, matter, stricter)
    assert (decision.roll_area, decision.roll_heads) == (roll_area, roll_heads)
    assert (outcome.voted_area, outcome.voted_heads) == (v_area, v_heads)
    assert (outcome.area["agree"], outcome.heads["agree"]) == (a_area, a_heads)
    assert outcome.verdict.passed is expected
    db.session.rollback()
