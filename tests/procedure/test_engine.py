"""The rules of procedure, as pure functions: examples for each rule, then properties.

The engine (app/procedure/engine.py) works on plain values only, so none of
these tests needs the app, the database or a clock.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.procedure.engine import (
    LIVE_MODES,
    Choice,
    Mode,
    Outcome,
    QueueEntry,
    Refusal,
    RoomState,
    Rules,
    SpeakerState,
    Stance,
    check_floor_for,
    check_grant,
    check_raise_hand,
    check_second,
    check_speech,
    check_vote,
    next_speaker,
    ordered_queue,
    outcome,
)

FAST = settings(max_examples=150, deadline=None)

FOR, AGAINST, NEUTRAL = Stance.FOR, Stance.AGAINST, Stance.NEUTRAL
SIDES = (FOR, AGAINST)
OPPOSITE = {FOR: AGAINST, AGAINST: FOR}

SPEECH_CODES = {
    "not_verified",
    "wrong_phase",
    "vote_in_progress",
    "locked",
    "muted",
    "bad_request",
    "rule_too_long",
    "rule_chair_neutral",
    "rule_no_floor",
    "rule_floor_time_up",
    "rule_no_motion",
    "rule_speech_limit",
    "rule_slow_mode",
    "rule_stance_required",
}

MEMBER = 7
CHAIR = 1


def code(refusal: Refusal | None) -> str | None:
    return None if refusal is None else refusal.code


def member(**overrides) -> SpeakerState:
    return SpeakerState(**{"member_id": MEMBER, **overrides})


def chair(**overrides) -> SpeakerState:
    return SpeakerState(**{"member_id": CHAIR, "is_chair": True, **overrides})


def with_floor(member_id: int = MEMBER, seconds_left: float = 60.0, **overrides) -> RoomState:
    return RoomState(floor_holder=member_id, floor_seconds_left=seconds_left, **overrides)


def speak(
    rules: Rules,
    room: RoomState,
    speaker: SpeakerState,
    *,
    length: int = 10,
    stance: Stance | None = FOR,
    on_motion: bool = True,
) -> Refusal | None:
    return check_speech(rules, room, speaker, length=length, stance=stance, on_motion=on_motion)


# ---------------------------------------------------------------------------
# Examples: one rule at a time
# ---------------------------------------------------------------------------


def test_defaults_are_the_nantang_rules():
    rules = Rules()
    assert rules.mode == Mode.FORMAL
    assert rules.max_speech_chars == 500
    assert rules.max_speeches_per_motion == 2
    assert rules.floor_seconds == 120
    assert rules.slow_mode_seconds == 0
    assert rules.stance_required and rules.alternate_stances and rules.chair_neutral and rules.second_required
    assert rules.quorum == Fraction(1, 2)
    assert rules.pass_threshold == Fraction(1, 2) and rules.pass_strict
    assert rules.tie_fails


def test_a_member_holding_the_floor_may_speak():
    assert speak(Rules(), with_floor(), member()) is None


class TestTooLong:
    def test_exactly_max_speech_chars_is_allowed(self):
        rules = Rules(max_speech_chars=500)
        assert speak(rules, with_floor(), member(), length=500) is None

    def test_one_more_is_refused_with_the_numbers(self):
        rules = Rules(max_speech_chars=500)
        refusal = speak(rules, with_floor(), member(), length=501)
        assert code(refusal) == "rule_too_long"
        assert refusal.param("max") == 500
        assert refusal.param("length") == 501

    def test_applies_to_the_chair_too(self):
        rules = Rules(max_speech_chars=20)
        assert code(speak(rules, RoomState(), chair(), length=21, stance=None)) == "rule_too_long"
        assert speak(rules, RoomState(), chair(), length=20, stance=None) is None

    @pytest.mark.parametrize("length", [0, -1])
    def test_an_empty_speech_is_a_bad_request(self, length):
        assert code(speak(Rules(), with_floor(), member(), length=length)) == "bad_request"


class TestFloor:
    def test_formal_mode_without_the_floor_is_refused(self):
        assert code(speak(Rules(mode=Mode.FORMAL), RoomState(), member())) == "rule_no_floor"

    def test_someone_else_holding_the_floor_is_refused(self):
        room = with_floor(member_id=MEMBER + 1)
        assert code(speak(Rules(mode=Mode.FORMAL), room, member())) == "rule_no_floor"

    @pytest.mark.parametrize("seconds_left", [0, 0.0, -1.5])
    def test_the_holder_whose_time_ran_out_is_told_so(self, seconds_left):
        room = with_floor(seconds_left=seconds_left)
        refusal = speak(Rules(mode=Mode.FORMAL, floor_seconds=90), room, member())
        assert code(refusal) == "rule_floor_time_up"  # not "raise your hand first": the time is up
        assert refusal.param("seconds") == 90

    def test_time_up_is_only_the_holders(self):
        room = with_floor(member_id=MEMBER + 1, seconds_left=0)
        assert code(speak(Rules(mode=Mode.FORMAL), room, member())) == "rule_no_floor"

    def test_the_holder_with_a_moment_left_may_speak(self):
        assert speak(Rules(mode=Mode.FORMAL), with_floor(seconds_left=0.1), member()) is None

    def test_open_mode_needs_no_floor(self):
        assert speak(Rules(mode=Mode.OPEN), RoomState(), member()) is None
        assert speak(Rules(mode=Mode.OPEN), with_floor(member_id=MEMBER + 1), member()) is None

    def test_the_chair_needs_no_floor(self):
        assert speak(Rules(mode=Mode.FORMAL), RoomState(), chair(), stance=None) is None


class TestSpeechLimit:
    def test_below_the_limit_is_allowed(self):
        rules = Rules(max_speeches_per_motion=2)
        assert speak(rules, with_floor(), member(speeches_so_far=1)) is None

    @pytest.mark.parametrize("so_far", [2, 3])
    def test_at_or_over_the_limit_is_refused_with_max_and_count(self, so_far):
        rules = Rules(max_speeches_per_motion=2)
        refusal = speak(rules, with_floor(), member(speeches_so_far=so_far))
        assert code(refusal) == "rule_speech_limit"
        assert refusal.param("max") == 2
        assert refusal.param("count") == so_far

    def test_open_mode_counts_too(self):
        rules = Rules(mode=Mode.OPEN, max_speeches_per_motion=1)
        assert code(speak(rules, RoomState(), member(speeches_so_far=1))) == "rule_speech_limit"

    def test_the_chair_has_no_limit(self):
        rules = Rules(max_speeches_per_motion=2)
        assert speak(rules, RoomState(), chair(speeches_so_far=50), stance=None) is None


class TestSlowMode:
    def test_off_by_default(self):
        assert speak(Rules(), with_floor(), member(seconds_since_last=0.0)) is None

    def test_first_speech_is_never_slowed(self):
        rules = Rules(slow_mode_seconds=30)
        assert speak(rules, with_floor(), member(seconds_since_last=None)) is None

    def test_waited_long_enough(self):
        rules = Rules(slow_mode_seconds=30)
        assert speak(rules, with_floor(), member(seconds_since_last=30.0)) is None
        assert speak(rules, with_floor(), member(seconds_since_last=31.0)) is None

    @pytest.mark.parametrize(
        ("since", "wait"),
        [(0.0, 30), (10.0, 20), (10.5, 20), (10.01, 20), (28.9, 2), (29.0, 1), (29.5, 1), (29.99, 1), (29.9999, 1)],
    )
    def test_the_wait_rounds_up_and_is_at_least_one(self, since, wait):
        rules = Rules(slow_mode_seconds=30)
        refusal = speak(rules, with_floor(), member(seconds_since_last=since))
        assert code(refusal) == "rule_slow_mode"
        assert refusal.param("seconds") == wait

    def test_the_wait_rounds_up_even_for_a_sliver_over_a_whole_second(self):
        rules = Rules(slow_mode_seconds=10)
        refusal = speak(rules, with_floor(), member(seconds_since_last=8.9995))
        assert code(refusal) == "rule_slow_mode"
        assert refusal.param("seconds") == 2

    def test_the_chair_is_not_slowed(self):
        rules = Rules(slow_mode_seconds=30)
        assert speak(rules, RoomState(), chair(seconds_since_last=1.0), stance=None) is None


class TestStanceRequired:
    def test_a_speech_on_a_motion_needs_a_stance(self):
        assert code(speak(Rules(), with_floor(), member(), stance=None, on_motion=True)) == "rule_stance_required"

    @pytest.mark.parametrize("stance", list(Stance))
    def test_any_stance_will_do_and_neutral_is_a_stance(self, stance):
        assert speak(Rules(), with_floor(), member(), stance=stance, on_motion=True) is None

    def test_not_on_a_motion_no_stance_is_needed(self):
        assert speak(Rules(), with_floor(), member(), stance=None, on_motion=False) is None

    def test_not_required_when_the_rule_is_off(self):
        rules = Rules(stance_required=False)
        assert speak(rules, with_floor(), member(), stance=None, on_motion=True) is None

    def test_raising_a_hand_on_a_motion_needs_a_stance_too(self):
        rules = Rules()
        assert code(check_raise_hand(rules, RoomState(), member(), None, on_motion=True)) == "rule_stance_required"
        assert check_raise_hand(rules, RoomState(), member(), NEUTRAL, on_motion=True) is None
        assert check_raise_hand(rules, RoomState(), member(), None, on_motion=False) is None


class TestMotionFirst:
    """Rule 2 of 南塘 (无动议不讨论): with no motion pending, no side is argued; questions and motions only."""

    @pytest.mark.parametrize("stance", list(Stance))
    def test_no_stance_speech_without_a_motion(self, stance):
        rules = Rules(motion_first=True)
        assert code(speak(rules, with_floor(), member(), stance=stance, on_motion=False)) == "rule_no_motion"

    def test_a_question_without_a_motion_is_fine(self):
        assert speak(Rules(motion_first=True), with_floor(), member(), stance=None, on_motion=False) is None

    @pytest.mark.parametrize("stance", list(Stance))
    def test_on_a_motion_a_stance_is_fine(self, stance):
        assert speak(Rules(motion_first=True), with_floor(), member(), stance=stance, on_motion=True) is None

    @pytest.mark.parametrize("stance", list(Stance))
    def test_off_by_default_any_stance_without_a_motion(self, stance):
        assert speak(Rules(), with_floor(), member(), stance=stance, on_motion=False) is None

    def test_no_hand_for_a_side_without_a_motion(self):
        rules = Rules(motion_first=True)
        assert code(check_raise_hand(rules, RoomState(), member(), FOR, on_motion=False)) == "rule_no_motion"
        assert check_raise_hand(rules, RoomState(), member(), None, on_motion=False) is None
        assert check_raise_hand(rules, RoomState(), member(), AGAINST, on_motion=True) is None

    def test_the_chair_moderates_without_a_motion(self):
        assert speak(Rules(motion_first=True), RoomState(), chair(), stance=NEUTRAL, on_motion=False) is None


class TestVoteInProgress:
    def test_no_speech_or_hand_while_a_motion_is_voted_on(self):
        voting = with_floor(voting=True)
        assert code(speak(Rules(), voting, member())) == "vote_in_progress"
        assert code(speak(Rules(), RoomState(voting=True), chair(), stance=None)) == "vote_in_progress"
        refusal = check_raise_hand(Rules(), RoomState(voting=True), member(), FOR, on_motion=True)
        assert code(refusal) == "vote_in_progress"

    def test_a_closed_phase_is_said_first(self):
        assert code(speak(Rules(), with_floor(voting=True, phase_open=False), member())) == "wrong_phase"


class TestFloorFor:
    """The chair gives the floor only to a member who could use it."""

    def test_a_member_who_may_speak_gets_the_floor(self):
        assert check_floor_for(Rules(), RoomState(), member(speeches_so_far=1)) is None

    @pytest.mark.parametrize("so_far", [2, 5])
    def test_not_to_a_member_at_the_speech_limit(self, so_far):
        refusal = check_floor_for(Rules(max_speeches_per_motion=2), RoomState(), member(speeches_so_far=so_far))
        assert code(refusal) == "grant_speech_limit"
        assert (refusal.param("max"), refusal.param("count"), refusal.param("per")) == (2, so_far, "motion")

    def test_not_to_a_muted_member(self):
        assert code(check_floor_for(Rules(), RoomState(), member(muted=True))) == "grant_muted"

    def test_not_in_a_locked_room_during_a_vote_or_outside_the_discussion(self):
        assert code(check_floor_for(Rules(), RoomState(locked=True), member())) == "grant_locked"
        assert code(check_floor_for(Rules(), RoomState(voting=True), member())) == "vote_in_progress"
        assert code(check_floor_for(Rules(), RoomState(phase_open=False), member())) == "wrong_phase"


class TestWhyNot:
    """A member who may not take part is told why: the reason the permissions give travels with the state."""

    @pytest.mark.parametrize("barred", ["not_verified", "not_a_party", "not_in_scope"])
    def test_the_reason_is_the_refusal(self, barred):
        speaker = member(can_speak=False, barred=barred)
        assert code(speak(Rules(), with_floor(), speaker)) == barred
        assert code(check_raise_hand(Rules(), RoomState(), speaker, FOR, on_motion=True)) == barred
        assert code(check_second(Rules(), is_mover=False, is_chair=False, can_vote=False, barred=barred)) == barred
        ok = {"is_chair": False, "voting_open": True, "already_voted": False}
        assert code(check_vote(Rules(), eligible=False, barred=barred, **ok)) == barred


class TestChairNeutral:
    @pytest.mark.parametrize("stance", SIDES)
    def test_the_chair_may_not_argue_a_side(self, stance):
        assert code(speak(Rules(chair_neutral=True), RoomState(), chair(), stance=stance)) == "rule_chair_neutral"

    @pytest.mark.parametrize("stance", [NEUTRAL, None])
    def test_the_chair_may_speak_neutrally(self, stance):
        assert speak(Rules(chair_neutral=True), RoomState(), chair(), stance=stance) is None

    @pytest.mark.parametrize("stance", list(Stance))
    def test_a_partisan_chair_is_allowed_when_the_rule_is_off(self, stance):
        assert speak(Rules(chair_neutral=False), RoomState(), chair(), stance=stance) is None

    def test_the_chair_cannot_raise_a_hand(self):
        refusal = check_raise_hand(Rules(chair_neutral=True), RoomState(), chair(), NEUTRAL, on_motion=True)
        assert code(refusal) == "rule_chair_neutral"
        assert check_raise_hand(Rules(chair_neutral=False), RoomState(), chair(), FOR, on_motion=True) is None

    def test_the_chair_cannot_second(self):
        refusal = check_second(Rules(chair_neutral=True), is_mover=False, is_chair=True, can_vote=True)
        assert code(refusal) == "rule_chair_neutral"
        assert check_second(Rules(chair_neutral=False), is_mover=False, is_chair=True, can_vote=True) is None

    def test_the_chair_cannot_vote(self):
        refusal = check_vote(
            Rules(chair_neutral=True), is_chair=True, eligible=True, voting_open=True, already_voted=False
        )
        assert code(refusal) == "rule_chair_neutral"
        allowed = check_vote(
            Rules(chair_neutral=False), is_chair=True, eligible=True, voting_open=True, already_voted=False
        )
        assert allowed is None


class TestLockedMutedPhaseVerified:
    def test_a_locked_room_silences_members(self):
        assert code(speak(Rules(), with_floor(locked=True), member())) == "locked"
        assert code(speak(Rules(mode=Mode.OPEN), RoomState(locked=True), member())) == "locked"

    def test_the_chair_may_speak_in_a_locked_room(self):
        assert speak(Rules(), RoomState(locked=True), chair(), stance=None) is None

    def test_no_hands_go_up_in_a_locked_room(self):
        assert code(check_raise_hand(Rules(), RoomState(locked=True), member(), FOR, on_motion=True)) == "locked"

    def test_muted(self):
        assert code(speak(Rules(), with_floor(), member(muted=True))) == "muted"
        assert code(speak(Rules(), RoomState(), chair(muted=True), stance=None)) == "muted"
        assert code(check_raise_hand(Rules(), RoomState(), member(muted=True), FOR, on_motion=True)) == "muted"

    def test_wrong_phase(self):
        assert code(speak(Rules(), with_floor(phase_open=False), member())) == "wrong_phase"
        assert code(speak(Rules(), RoomState(phase_open=False), chair(), stance=None)) == "wrong_phase"
        refusal = check_raise_hand(Rules(), RoomState(phase_open=False), member(), FOR, on_motion=True)
        assert code(refusal) == "wrong_phase"

    def test_not_verified(self):
        assert code(speak(Rules(), with_floor(), member(can_speak=False))) == "not_verified"
        assert code(speak(Rules(), RoomState(), chair(can_speak=False), stance=None)) == "not_verified"
        refusal = check_raise_hand(Rules(), RoomState(), member(can_speak=False), FOR, on_motion=True)
        assert code(refusal) == "not_verified"

    def test_verification_is_checked_first(self):
        room = RoomState(phase_open=False, locked=True)
        refusal = speak(Rules(), room, member(can_speak=False, muted=True), length=10_000, stance=None)
        assert code(refusal) == "not_verified"


class TestRaiseHand:
    def test_open_mode_has_no_queue(self):
        assert code(check_raise_hand(Rules(mode=Mode.OPEN), RoomState(), member(), FOR, on_motion=True)) == (
            "rule_open_mode"
        )

    def test_a_member_may_raise_a_hand(self):
        assert check_raise_hand(Rules(), RoomState(), member(), AGAINST, on_motion=True) is None

    def test_no_hand_once_the_limit_is_reached(self):
        refusal = check_raise_hand(
            Rules(max_speeches_per_motion=2), RoomState(), member(speeches_so_far=2), FOR, on_motion=True
        )
        assert code(refusal) == "rule_speech_limit"
        assert refusal.param("max") == 2 and refusal.param("count") == 2


class TestSecondAndVote:
    def test_seconding(self):
        rules = Rules()
        assert check_second(rules, is_mover=False, is_chair=False, can_vote=True) is None
        assert code(check_second(rules, is_mover=True, is_chair=False, can_vote=True)) == "rule_own_motion"
        assert code(check_second(rules, is_mover=False, is_chair=False, can_vote=False)) == "not_verified"

    def test_voting(self):
        rules = Rules()
        ok = {"is_chair": False, "eligible": True, "voting_open": True, "already_voted": False}
        assert check_vote(rules, **ok) is None
        assert code(check_vote(rules, **{**ok, "voting_open": False})) == "vote_not_open"
        assert code(check_vote(rules, **{**ok, "eligible": False})) == "not_verified"
        assert code(check_vote(rules, **{**ok, "already_voted": True})) == "already_voted"

    def test_choices(self):
        assert {c.value for c in Choice} == {"for", "against", "abstain"}


class TestGrantAlternation:
    QUEUE = (
        QueueEntry(member_id=2, stance=FOR, order=1),
        QueueEntry(member_id=3, stance=AGAINST, order=2),
        QueueEntry(member_id=4, stance=NEUTRAL, order=3),
    )

    def test_same_side_twice_while_the_other_side_waits_is_refused(self):
        assert code(check_grant(Rules(), self.QUEUE, FOR, self.QUEUE[0])) == "rule_alternate"

    def test_the_waiting_hand_may_be_anywhere_in_the_queue(self):
        queue = (self.QUEUE[1], self.QUEUE[2], self.QUEUE[0])
        assert code(check_grant(Rules(), queue, FOR, self.QUEUE[0])) == "rule_alternate"
        queue = (self.QUEUE[2], self.QUEUE[0], self.QUEUE[1])
        assert code(check_grant(Rules(), queue, FOR, self.QUEUE[0])) == "rule_alternate"

    def test_the_other_side_or_a_neutral_hand_is_fine(self):
        assert check_grant(Rules(), self.QUEUE, FOR, self.QUEUE[1]) is None
        assert check_grant(Rules(), self.QUEUE, FOR, self.QUEUE[2]) is None

    def test_same_side_is_fine_when_the_other_side_is_not_waiting(self):
        queue = (self.QUEUE[0], self.QUEUE[2])
        assert check_grant(Rules(), queue, FOR, self.QUEUE[0]) is None

    def test_no_alternation_before_any_side_has_spoken(self):
        assert check_grant(Rules(), self.QUEUE, None, self.QUEUE[0]) is None
        assert check_grant(Rules(), self.QUEUE, NEUTRAL, self.QUEUE[0]) is None

    def test_no_alternation_when_the_rule_is_off(self):
        assert check_grant(Rules(alternate_stances=False), self.QUEUE, FOR, self.QUEUE[0]) is None

    def test_next_speaker_alternates(self):
        assert next_speaker(self.QUEUE, FOR, alternate=True) == self.QUEUE[1]
        assert next_speaker(self.QUEUE, AGAINST, alternate=True) == self.QUEUE[0]
        assert next_speaker(self.QUEUE, FOR, alternate=False) == self.QUEUE[0]
        assert next_speaker((), FOR, alternate=True) is None

    def test_ordered_queue_example(self):
        queue = [
            QueueEntry(10, FOR, order=1),
            QueueEntry(11, FOR, order=2),
            QueueEntry(12, NEUTRAL, order=3),
            QueueEntry(13, AGAINST, order=4),
            QueueEntry(14, AGAINST, order=5),
        ]
        called = [e.member_id for e in ordered_queue(queue, None, alternate=True)]
        assert called == [10, 13, 11, 14, 12]
        called = [e.member_id for e in ordered_queue(queue, None, alternate=False)]
        assert called == [10, 11, 12, 13, 14]


# ---------------------------------------------------------------------------
# Examples: exact fractions in the count
# ---------------------------------------------------------------------------


def count(rules: Rules, votes_for: int, votes_against: int, abstentions: int = 0, eligible: int = 100) -> Outcome:
    return outcome(rules, votes_for, votes_against, abstentions, eligible)


class TestOutcomeExamples:
    def test_quorum_half_is_at_least_half(self):
        rules = Rules(quorum=Fraction(1, 2))
        assert count(rules, 3, 1, 1, eligible=10).quorum_met  # 5 of 10
        assert not count(rules, 3, 1, 0, eligible=10).quorum_met  # 4 of 10
        assert not count(rules, 3, 1, 0, eligible=10).carried

    def test_more_than_half(self):
        rules = Rules(pass_threshold=Fraction(1, 2), pass_strict=True, quorum=Fraction(0))
        assert not count(rules, 3, 3).carried
        assert count(rules, 4, 3).carried

    def test_at_least_two_thirds(self):
        rules = Rules(pass_threshold=Fraction(2, 3), pass_strict=False, quorum=Fraction(0))
        assert count(rules, 2, 1).carried
        assert not count(rules, 1, 1).carried

    def test_more_than_two_thirds(self):
        rules = Rules(pass_threshold=Fraction(2, 3), pass_strict=True, quorum=Fraction(0))
        assert not count(rules, 2, 1).carried
        assert count(rules, 3, 1).carried

    def test_abstentions_count_for_quorum_not_for_the_threshold(self):
        rules = Rules()
        result = count(rules, 2, 1, 7, eligible=20)
        assert result.quorum_met and result.carried and result.cast == 10

    def test_all_abstain_never_carries(self):
        assert not count(Rules(quorum=Fraction(0), pass_threshold=Fraction(1, 2), pass_strict=False), 0, 0, 5).carried

    def test_a_tie_at_least_half_carries_only_when_ties_do_not_fail(self):
        at_least_half = {"quorum": Fraction(0), "pass_threshold": Fraction(1, 2), "pass_strict": False}
        assert count(Rules(**at_least_half, tie_fails=False), 3, 3).carried
        assert not count(Rules(**at_least_half, tie_fails=True), 3, 3).carried

    def test_no_eligible_members_no_quorum(self):
        assert not count(Rules(quorum=Fraction(0)), 0, 0, 0, eligible=0).quorum_met

    @pytest.mark.parametrize("args", [(-1, 0, 0, 1), (0, -1, 0, 1), (0, 0, -1, 1), (0, 0, 0, -1)])
    def test_negative_counts_are_refused(self, args):
        with pytest.raises(ValueError):
            outcome(Rules(), *args)

    @pytest.mark.parametrize(
        "bad",
        [
            {"pass_threshold": Fraction(1, 3)},
            {"pass_threshold": Fraction(3, 2)},
            {"quorum": Fraction(-1, 2)},
            {"quorum": Fraction(3, 2)},
            {"max_speech_chars": 0},
        ],
    )
    def test_incoherent_rules_are_refused(self, bad):
        # Below one half a minority could carry, and one more FOR vote could turn a carry into a tie.
        with pytest.raises(ValueError):
            Rules(**bad)


# ---------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------


@st.composite
def fractions(draw, *, at_least_half: bool = False, max_den: int = 12) -> Fraction:
    """A fraction in [0, 1] (or [1/2, 1]) with a small denominator, so edges get hit."""
    den = draw(st.integers(1, max_den))
    low = (den + 1) // 2 if at_least_half else 0
    return Fraction(draw(st.integers(low, den)), den)


def rules_strategy(*, mode=None):
    return st.builds(
        Rules,
        mode=st.sampled_from(LIVE_MODES) if mode is None else st.just(mode),  # the live room; slow: test_slow_rules
        max_speech_chars=st.sampled_from([1, 140, 500, 500, 1000, 2000]) | st.integers(1, 2000),
        max_speeches_per_motion=st.sampled_from([0, 1, 2, 2, 3, 5]),
        floor_seconds=st.integers(10, 600),
        slow_mode_seconds=st.one_of(st.just(0), st.integers(1, 120)),
        stance_required=st.booleans(),
        alternate_stances=st.booleans(),
        chair_neutral=st.booleans(),
        second_required=st.booleans(),
        quorum=fractions(),
        pass_threshold=fractions(at_least_half=True),  # Rules refuses a threshold below 1/2
        pass_strict=st.booleans(),
        tie_fails=st.booleans(),
        motion_first=st.booleans(),
    )


MEMBER_IDS = st.integers(1, 4)
stances = st.one_of(st.none(), st.sampled_from(Stance))


def mostly(value: bool) -> st.SearchStrategy[bool]:
    """Usually `value`, sometimes not: keeps the happy path common enough to test."""
    return st.sampled_from([*[value] * 9, not value])


rooms = st.builds(
    RoomState,
    phase_open=mostly(True),
    locked=mostly(False),
    floor_holder=st.one_of(st.none(), MEMBER_IDS),
    floor_seconds_left=st.sampled_from([0.0, 0.5, 60.0, 120.0]) | st.floats(-5, 200, allow_nan=False),
)

speakers = st.builds(
    SpeakerState,
    member_id=MEMBER_IDS,
    is_chair=st.booleans(),
    can_speak=mostly(True),
    muted=mostly(False),
    speeches_so_far=st.sampled_from([0, 0, 0, 1, 1, 2, 3, 6]),
    seconds_since_last=st.one_of(st.none(), st.floats(0, 300, allow_nan=False)),
)


@st.composite
def queues(draw, max_size: int = 8) -> list[QueueEntry]:
    """Hands in the air: unique member ids and unique orders, in arbitrary list order."""
    size = draw(st.integers(0, max_size))
    ids = draw(st.lists(st.integers(1, 10_000), min_size=size, max_size=size, unique=True))
    orders = draw(st.lists(st.integers(0, 10_000), min_size=size, max_size=size, unique=True))
    hands = draw(st.lists(stances, min_size=size, max_size=size))
    return [QueueEntry(member_id=i, stance=s, order=o) for i, s, o in zip(ids, hands, orders, strict=True)]


# ---------------------------------------------------------------------------
# Properties: speaking
# ---------------------------------------------------------------------------


@settings(max_examples=120, deadline=None)
@given(rules=rules_strategy(), data=st.data())
def test_simulated_debate_never_breaks_the_limits(rules, data):
    """A random debate among four members: the test keeps the counts and the clock itself."""
    ids = [1, 2, 3, 4]
    chair_id = data.draw(st.one_of(st.none(), st.sampled_from(ids)), label="chair")
    muted = data.draw(st.sets(st.sampled_from(ids), max_size=1), label="muted")
    unverified = data.draw(st.sets(st.sampled_from(ids), max_size=1), label="unverified")
    elapsed = st.one_of(st.integers(0, 5), st.integers(0, 150))
    max_chars = rules.max_speech_chars
    lengths = st.one_of(
        st.integers(1, max_chars),
        st.integers(1, max_chars),
        st.integers(1, max_chars),
        st.sampled_from([max_chars, max_chars + 1, 0]),
        st.integers(max_chars + 1, max_chars + 100),
    )
    attempt = st.fixed_dictionaries(
        {
            "who": st.sampled_from(ids),
            "length": lengths,
            "stance": stances,
            "on_motion": st.booleans(),
            "elapsed": elapsed,
            # Mostly the chair has just given the speaker the floor; sometimes someone else has it.
            "has_floor": mostly(True),
            "other_holder": st.one_of(st.none(), st.sampled_from(ids)),
            "seconds_left": st.sampled_from([0, 1, 30, 120, 120]),
            "locked": mostly(False),
            "phase_open": mostly(True),
        }
    )
    attempts = data.draw(st.lists(attempt, min_size=5, max_size=30), label="attempts")

    accepted = dict.fromkeys(ids, 0)
    last_spoke: dict[int, int] = {}
    clock = 0
    for a in attempts:
        clock += a["elapsed"]
        who = a["who"]
        is_chair = who == chair_id
        speaker = SpeakerState(
            member_id=who,
            is_chair=is_chair,
            can_speak=who not in unverified,
            muted=who in muted,
            speeches_so_far=accepted[who],
            seconds_since_last=None if who not in last_spoke else float(clock - last_spoke[who]),
        )
        room = RoomState(
            phase_open=a["phase_open"],
            locked=a["locked"],
            floor_holder=who if a["has_floor"] else a["other_holder"],
            floor_seconds_left=float(a["seconds_left"]),
        )
        refusal = check_speech(rules, room, speaker, length=a["length"], stance=a["stance"], on_motion=a["on_motion"])
        if refusal is not None:
            assert refusal.code in SPEECH_CODES
            continue

        # Every accepted speech obeys every rule.
        assert 1 <= a["length"] <= max_chars
        assert speaker.can_speak and not speaker.muted and room.phase_open
        assert is_chair or not room.locked
        if is_chair:
            assert not (rules.chair_neutral and a["stance"] in SIDES)
        else:
            assert accepted[who] + 1 <= rules.max_speeches_per_motion
            if rules.mode == Mode.FORMAL:
                assert room.floor_holder == who and room.floor_seconds_left > 0
            if rules.slow_mode_seconds and who in last_spoke:
                assert clock - last_spoke[who] >= rules.slow_mode_seconds
            if rules.stance_required and a["on_motion"]:
                assert a["stance"] is not None
            if rules.motion_first and not a["on_motion"]:
                assert a["stance"] is None
        accepted[who] += 1
        last_spoke[who] = clock

    for who, n in accepted.items():
        if who != chair_id:
            assert n <= rules.max_speeches_per_motion


@FAST
@given(
    rules=rules_strategy(mode=Mode.FORMAL),
    room=rooms,
    speaker=speakers,
    holder_is_speaker=st.booleans(),
    length=st.sampled_from([1, 10, 140, 499, 500, 501]) | st.integers(0, 2100),
    stance=stances,
)
def test_formal_mode_only_the_floor_holder_or_the_chair_speaks(rules, room, speaker, holder_is_speaker, length, stance):
    if holder_is_speaker:
        room = RoomState(room.phase_open, room.locked, speaker.member_id, room.floor_seconds_left)
    for on_motion in (True, False):
        if check_speech(rules, room, speaker, length=length, stance=stance, on_motion=on_motion) is None:
            assert speaker.is_chair or (room.floor_holder == speaker.member_id and room.floor_seconds_left > 0)


@FAST
@given(rules=rules_strategy(mode=Mode.FORMAL), room=rooms, voting=mostly(False), speaker=speakers, stance=stances)
def test_a_floor_the_chair_may_give_can_be_used(rules, room, voting, speaker, stance):
    """Whoever the chair may give the floor to can speak with it at once: the speech is never refused for the
    limit, a mute, the lock, a vote under way or the stage (the grant would have been refused instead)."""
    room = RoomState(room.phase_open, room.locked, speaker.member_id, float(rules.floor_seconds), voting)
    if speaker.is_chair or not speaker.can_speak or check_floor_for(rules, room, speaker) is not None:
        return
    fresh = SpeakerState(speaker.member_id, speeches_so_far=speaker.speeches_so_far)  # no slow mode pending
    refusal = check_speech(rules, room, fresh, length=1, stance=stance, on_motion=True)
    assert code(refusal) in (None, "rule_stance_required")


@FAST
@given(rules=rules_strategy(mode=Mode.OPEN), room=rooms, speaker=speakers, stance=stances)
def test_open_mode_ignores_the_floor(rules, room, speaker, stance):
    """In open mode who holds the floor (or whether anyone does) never changes the answer."""
    length = min(10, rules.max_speech_chars)
    answers = {
        code(check_speech(rules, other, speaker, length=length, stance=stance, on_motion=True))
        for other in (
            room,
            RoomState(room.phase_open, room.locked, None, 0.0),
            RoomState(room.phase_open, room.locked, speaker.member_id + 1, 100.0),
        )
    }
    assert len(answers) == 1
    assert answers.pop() != "rule_no_floor"


@FAST
@given(
    slow=st.integers(1, 120),
    tenths_ago=st.integers(0, 1200),
    rules=rules_strategy(mode=Mode.OPEN),
)
def test_slow_mode_wait_is_the_remaining_time_rounded_up(slow, tenths_ago, rules):
    rules = Rules(**{**rules.__dict__, "slow_mode_seconds": slow, "max_speeches_per_motion": 5})
    speaker = SpeakerState(member_id=MEMBER, seconds_since_last=tenths_ago / 10)
    refusal = check_speech(rules, RoomState(), speaker, length=1, stance=NEUTRAL, on_motion=True)
    remaining_tenths = slow * 10 - tenths_ago
    if remaining_tenths <= 0:
        assert refusal is None
    else:
        assert code(refusal) == "rule_slow_mode"
        assert refusal.param("seconds") == max(1, -(-remaining_tenths // 10))
        assert refusal.param("seconds") == max(1, math.ceil(remaining_tenths / 10))


@FAST
@given(rules=rules_strategy(), room=rooms, speaker=speakers, stance=stances, on_motion=st.booleans())
def test_a_speech_limit_refusal_carries_its_numbers(rules, room, speaker, stance, on_motion):
    refusal = check_speech(rules, room, speaker, length=1, stance=stance, on_motion=on_motion)
    if code(refusal) == "rule_speech_limit":
        assert refusal.param("max") == rules.max_speeches_per_motion
        assert refusal.param("count") == speaker.speeches_so_far >= rules.max_speeches_per_motion
    hand = check_raise_hand(rules, room, speaker, stance, on_motion=on_motion)
    if code(hand) == "rule_speech_limit":
        assert hand.param("count") == speaker.speeches_so_far >= hand.param("max")


# ---------------------------------------------------------------------------
# Properties: the queue
# ---------------------------------------------------------------------------


def key(entries) -> list[tuple[int, int]]:
    return sorted((e.member_id, e.order) for e in entries)


@FAST
@given(queue=queues(), last=stances, alternate=st.booleans())
def test_ordered_queue_is_a_permutation_keeping_each_side_in_order(queue, last, alternate):
    result = ordered_queue(queue, last, alternate)
    assert key(result) == key(queue)
    for stance in [None, *Stance]:
        side = [e.order for e in result if e.stance == stance]
        assert side == sorted(side)


@FAST
@given(queue=queues(), last=stances)
def test_without_alternation_it_is_first_come_first_served(queue, last):
    assert ordered_queue(queue, last, alternate=False) == sorted(queue, key=lambda e: e.order)
    if queue:
        assert next_speaker(queue, last, alternate=False) == min(queue, key=lambda e: e.order)


@FAST
@given(queue=queues(), last=stances)
def test_with_alternation_the_other_side_goes_next(queue, last):
    result = ordered_queue(queue, last, alternate=True)
    waiting = list(queue)
    last_side = last if last in SIDES else None
    for chosen in result:
        sides_waiting = {e.stance for e in waiting} & set(SIDES)
        if last_side is not None and OPPOSITE[last_side] in sides_waiting:
            assert chosen.stance == OPPOSITE[last_side]
            # ... and it is the earliest hand of that side.
            assert chosen.order == min(e.order for e in waiting if e.stance == chosen.stance)
        else:
            assert chosen.order == min(e.order for e in waiting)
        if sides_waiting == set(SIDES) and last_side is not None:
            assert chosen.stance == OPPOSITE[last_side]
        assert chosen == next_speaker(waiting, last_side, alternate=True)
        waiting.remove(chosen)
        if chosen.stance in SIDES:
            last_side = chosen.stance
    assert waiting == []


@FAST
@given(queue=queues(), last=stances, rules=rules_strategy())
def test_check_grant_never_refuses_the_suggested_speaker(queue, last, rules):
    alternate = rules.alternate_stances
    waiting = list(queue)
    stance = last
    while waiting:
        chosen = next_speaker(waiting, stance, alternate)
        assert chosen in waiting
        assert check_grant(rules, waiting, stance, chosen) is None
        waiting.remove(chosen)
        if chosen.stance in SIDES:
            stance = chosen.stance
    assert next_speaker(waiting, stance, alternate) is None


@FAST
@given(queue=queues(), last=stances, rules=rules_strategy(), data=st.data())
def test_check_grant_refuses_exactly_a_second_turn_for_the_same_side(queue, last, rules, data):
    if not queue:
        return
    chosen = data.draw(st.sampled_from(queue), label="chosen")
    refused = check_grant(rules, queue, last, chosen) is not None
    expected = (
        rules.alternate_stances
        and last in SIDES
        and chosen.stance == last
        and any(e.stance == OPPOSITE[last] for e in queue)
    )
    assert refused == expected


# ---------------------------------------------------------------------------
# Properties: seconding and voting
# ---------------------------------------------------------------------------


@FAST
@given(
    rules=rules_strategy(),
    eligible=st.booleans(),
    voting_open=st.booleans(),
    already_voted=st.booleans(),
)
def test_a_neutral_chair_never_votes_or_seconds(rules, eligible, voting_open, already_voted):
    rules = Rules(**{**rules.__dict__, "chair_neutral": True})
    assert (
        check_vote(rules, is_chair=True, eligible=eligible, voting_open=voting_open, already_voted=already_voted)
        is not None
    )
    assert check_second(rules, is_mover=False, is_chair=True, can_vote=eligible) is not None


@FAST
@given(rules=rules_strategy(), is_chair=st.booleans(), eligible=st.booleans(), voting_open=st.booleans())
def test_nobody_votes_twice(rules, is_chair, eligible, voting_open):
    refusal = check_vote(rules, is_chair=is_chair, eligible=eligible, voting_open=voting_open, already_voted=True)
    assert refusal is not None


@FAST
@given(rules=rules_strategy(), voters=st.lists(st.integers(1, 6), max_size=30), chair_id=st.integers(1, 6))
def test_simulated_ballot_box_takes_one_vote_each(rules, voters, chair_id):
    voted: list[int] = []
    for who in voters:
        refusal = check_vote(
            rules, is_chair=who == chair_id, eligible=True, voting_open=True, already_voted=who in voted
        )
        if refusal is None:
            voted.append(who)
        elif who in voted:
            assert refusal.code in {"already_voted", "rule_chair_neutral"}
    assert len(voted) == len(set(voted))
    if rules.chair_neutral:
        assert chair_id not in voted
    assert set(voted) == set(voters) - ({chair_id} if rules.chair_neutral else set())


# ---------------------------------------------------------------------------
# Properties: the count
# ---------------------------------------------------------------------------


def reference_outcome(rules: Rules, votes_for: int, votes_against: int, abstentions: int, eligible: int):
    """(quorum_met, carried) by cross-multiplication: integers only, no Fraction, no float."""
    qn, qd = rules.quorum.numerator, rules.quorum.denominator
    pn, pd = rules.pass_threshold.numerator, rules.pass_threshold.denominator
    cast = votes_for + votes_against + abstentions
    quorum_met = eligible > 0 and cast * qd >= qn * eligible
    decided = votes_for + votes_against
    if not quorum_met or decided == 0:
        return quorum_met, False
    if votes_for == votes_against and rules.tie_fails:
        return quorum_met, False
    if rules.pass_strict:
        return quorum_met, votes_for * pd > pn * decided
    return quorum_met, votes_for * pd >= pn * decided


counts = st.integers(0, 60)


@FAST
@given(
    rules=rules_strategy(),
    votes_for=counts,
    votes_against=counts,
    abstentions=counts,
    eligible=st.integers(0, 200),
)
def test_outcome_matches_the_integer_reference(rules, votes_for, votes_against, abstentions, eligible):
    result = outcome(rules, votes_for, votes_against, abstentions, eligible)
    assert (result.quorum_met, result.carried) == reference_outcome(
        rules, votes_for, votes_against, abstentions, eligible
    )
    assert (result.votes_for, result.votes_against, result.abstentions, result.eligible) == (
        votes_for,
        votes_against,
        abstentions,
        eligible,
    )
    assert result.cast == votes_for + votes_against + abstentions
    assert not result.carried or result.quorum_met


@FAST
@given(
    rules=rules_strategy(),
    votes_for=counts,
    votes_against=counts,
    abstentions=counts,
    spare=st.integers(1, 50),
)
def test_one_more_vote_for_never_defeats_a_carried_motion(rules, votes_for, votes_against, abstentions, spare):
    eligible = votes_for + votes_against + abstentions + spare  # room for the extra vote
    before = outcome(rules, votes_for, votes_against, abstentions, eligible)
    after = outcome(rules, votes_for + 1, votes_against, abstentions, eligible)
    if before.carried:
        assert after.carried
    if before.quorum_met:
        assert after.quorum_met


@FAST
@given(rules=rules_strategy(), votes=counts, abstentions=counts, eligible=st.integers(0, 200))
def test_a_tie_never_carries_when_ties_fail(rules, votes, abstentions, eligible):
    rules = Rules(**{**rules.__dict__, "tie_fails": True})
    assert not outcome(rules, votes, votes, abstentions, eligible).carried


@FAST
@given(rules=rules_strategy(), votes_for=counts, votes_against=counts, abstentions=counts)
def test_zero_eligible_never_meets_quorum(rules, votes_for, votes_against, abstentions):
    result = outcome(rules, votes_for, votes_against, abstentions, 0)
    assert not result.quorum_met
    assert not result.carried


@FAST
@given(
    rules=rules_strategy(),
    good=st.lists(counts, min_size=4, max_size=4),
    bad_index=st.integers(0, 3),
    bad=st.integers(-100, -1),
)
def test_negative_counts_raise(rules, good, bad_index, bad):
    args = list(good)
    args[bad_index] = bad
    with pytest.raises(ValueError):
        outcome(rules, *args)
