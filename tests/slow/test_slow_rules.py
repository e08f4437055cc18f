"""The slow mode's limits in the pure rule engine, by property: however replies arrive, nobody writes more
than the rules allow in 24 hours, sooner than the slow-mode gap, or longer than the longest reply; the chair
is held to neither count; outside slow mode nobody replies and in slow mode nobody speaks live."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.procedure.engine import (
    LIVE_MODES,
    Mode,
    ReplierState,
    RoomState,
    Rules,
    SpeakerState,
    check_edit,
    check_position,
    check_reply,
    check_speech,
)

DAY = 24 * 3600


def slow_rules():
    return st.builds(
        Rules,
        mode=st.just(Mode.SLOW),
        max_reply_chars=st.integers(1, 5000),
        max_replies_per_day=st.integers(1, 200),
        slow_mode_seconds=st.one_of(st.just(0), st.integers(1, 3600)),
        chair_neutral=st.booleans(),
    )


@given(rules=slow_rules(), gaps=st.lists(st.integers(0, 7200), min_size=1, max_size=80),
       lengths=st.lists(st.integers(-5, 6000), min_size=80, max_size=80))  # fmt: skip
@settings(max_examples=150, deadline=None)
def test_a_member_never_exceeds_the_slow_limits(rules, gaps, lengths):
    """Replies tried at the given gaps: those the engine lets through keep every limit."""
    room = RoomState()
    now = 0
    accepted: list[int] = []
    for gap, length in zip(gaps, lengths, strict=False):
        now += gap
        last_day = [t for t in accepted if t > now - DAY]
        state = ReplierState(
            member_id=1,
            replies_last_day=len(last_day),
            seconds_since_last=(now - accepted[-1]) if accepted else None,
        )
        refusal = check_reply(rules, room, state, length=length)
        if refusal is None:
            assert 1 <= length <= rules.max_reply_chars
            assert len(last_day) < rules.max_replies_per_day
            assert not accepted or now - accepted[-1] >= rules.slow_mode_seconds
            accepted.append(now)
        elif length <= 0:
            assert refusal.code == "bad_request"
        elif length > rules.max_reply_chars:
            assert refusal.code == "rule_reply_too_long"
        else:  # a reply of a good length is refused only for the day's count or the gap
            assert refusal.code in ("rule_reply_day_limit", "rule_slow_mode")
    for t in accepted:  # in any 24 hours, at most the limit
        assert len([u for u in accepted if t <= u < t + DAY]) <= rules.max_replies_per_day


@given(rules=slow_rules(), count=st.integers(0, 500), since=st.one_of(st.none(), st.floats(0, 10_000)),
       length=st.integers(1, 5000))  # fmt: skip
def test_the_chair_is_held_to_the_length_only(rules, count, since, length):
    state = ReplierState(member_id=1, is_chair=True, replies_last_day=count, seconds_since_last=since)
    refusal = check_reply(rules, RoomState(locked=True), state, length=length)
    assert (refusal is None) == (length <= rules.max_reply_chars)


@given(rules=slow_rules(), length=st.integers(1, 5000), muted=st.booleans(), locked=st.booleans(),
       phase_open=st.booleans(), can_speak=st.booleans())  # fmt: skip
def test_refusals_name_their_cause(rules, length, muted, locked, phase_open, can_speak):
    state = ReplierState(member_id=1, muted=muted, can_speak=can_speak, barred="not_in_scope")
    refusal = check_reply(rules, RoomState(phase_open=phase_open, locked=locked), state, length=length)
    if not can_speak:
        assert refusal.code == "not_in_scope"
    elif not phase_open:
        assert refusal.code == "wrong_phase"
    elif locked:
        assert refusal.code == "locked"
    elif muted:
        assert refusal.code == "muted"
    elif length > rules.max_reply_chars:
        assert refusal.code == "rule_reply_too_long" and refusal.param("max") == rules.max_reply_chars
    else:
        assert refusal is None


@given(mode=st.sampled_from(LIVE_MODES), length=st.integers(1, 100))
def test_no_reply_while_the_room_meets_live(mode, length):
    refusal = check_reply(Rules(mode=mode), RoomState(), ReplierState(member_id=1), length=length)
    assert refusal.code == "rule_not_slow"


@given(is_chair=st.booleans(), length=st.integers(1, 100))
def test_no_live_speech_in_slow_mode(is_chair, length):
    speaker = SpeakerState(member_id=1, is_chair=is_chair)
    refusal = check_speech(Rules(mode=Mode.SLOW), RoomState(), speaker, length=length, stance=None, on_motion=False)
    assert refusal.code == "rule_slow_room"


@given(rules=slow_rules(), count=st.integers(0, 500), length=st.integers(1, 6000), author=st.booleans())
def test_an_edit_keeps_the_length_not_the_counts(rules, count, length, author):
    state = ReplierState(member_id=1, replies_last_day=count, seconds_since_last=0)
    refusal = check_edit(rules, RoomState(), state, is_author=author, length=length)
    if not author:
        assert refusal.code == "forbidden"
    elif length > rules.max_reply_chars:
        assert refusal.code == "rule_reply_too_long"
    else:
        assert refusal is None


@given(eligible=st.booleans(), chair=st.booleans(), neutral=st.booleans(), open_=st.booleans(), muted=st.booleans())
def test_a_position_only_while_open_and_by_those_who_vote(eligible, chair, neutral, open_, muted):
    refusal = check_position(
        eligible=eligible, barred="not_a_party", is_chair=chair, rules=Rules(chair_neutral=neutral), open_=open_,
        muted=muted,
    )  # fmt: skip
    allowed = open_ and eligible and not (chair and neutral) and not muted
    assert (refusal is None) == allowed
    if not open_:
        assert refusal.code == "proposal_closed"
    elif not eligible:
        assert refusal.code == "not_a_party"
