"""The vote on the rules is decided in exact fractions by the quorum and threshold frozen when it opened: checked
against a literal integer reading on random counts with Hypothesis, and at the boundaries."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from app.rulebook.services.vote import _decide


def _draft(q, p, strict, tie_fails):
    return SimpleNamespace(
        vote_quorum_num=q[0],
        vote_quorum_den=q[1],
        vote_pass_num=p[0],
        vote_pass_den=p[1],
        vote_pass_strict=strict,
        vote_tie_fails=tie_fails,
    )


@st.composite
def fractions(draw, low_half=False):
    den = draw(st.integers(1, 12))
    low = (den + 1) // 2 if low_half else 0
    return draw(st.integers(low, den)), den


@given(
    q=fractions(),
    p=fractions(low_half=True),
    strict=st.booleans(),
    tie_fails=st.booleans(),
    yes=st.integers(0, 60),
    no=st.integers(0, 60),
    abstain=st.integers(0, 60),
    extra=st.integers(0, 60),
)
def test_the_decision_is_the_literal_integer_reading(q, p, strict, tie_fails, yes, no, abstain, extra):
    eligible = yes + no + abstain + extra
    decided = _decide(_draft(q, p, strict, tie_fails), yes, no, abstain, eligible)
    cast = yes + no + abstain
    quorum_met = eligible > 0 and cast * q[1] >= q[0] * eligible
    if yes + no == 0 or not quorum_met:
        carried = False
    elif strict:
        carried = yes * p[1] > p[0] * (yes + no)
    else:
        carried = yes * p[1] >= p[0] * (yes + no)
    if yes == no and tie_fails:
        carried = False
    assert decided.quorum_met == quorum_met
    assert decided.carried == (carried and quorum_met)


def test_the_boundaries():
    half = _draft((1, 2), (1, 2), True, True)
    assert not _decide(half, 2, 2, 0, 8).carried  # a tie fails
    assert _decide(half, 3, 1, 0, 8).carried  # 4 of 8 took part: the quorum is met at exactly one half
    assert not _decide(half, 3, 0, 0, 8).carried  # 3 of 8: no quorum
    two_thirds = _draft((0, 1), (2, 3), False, True)
    assert _decide(two_thirds, 2, 1, 0, 3).carried  # at least 2/3
    assert not _decide(_draft((0, 1), (2, 3), True, True), 2, 1, 0, 3).carried  # more than 2/3
