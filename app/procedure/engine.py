"""The rule engine: pure functions that answer "may this member do this now?".

Everything here works on plain values (no database, no request, no clock):
the caller passes the rules, the room's state and the time. That keeps the
rules of procedure testable by property-based tests and identical for the
HTTP form and the live socket.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction


class Mode(enum.StrEnum):
    OPEN = "open"  # anyone verified may speak, within limits
    FORMAL = "formal"  # raise hand; the chair grants the floor
    SLOW = "slow"  # 异步协商: no live chair; threaded replies and proposals over days


LIVE_MODES = (Mode.OPEN, Mode.FORMAL)


class Stance(enum.StrEnum):
    FOR = "for"  # 赞成
    AGAINST = "against"  # 反对
    NEUTRAL = "neutral"  # 中立


class Choice(enum.StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


@dataclass(frozen=True)
class Rules:
    """The parameters of a rule set, as plain values."""

    mode: Mode = Mode.FORMAL
    max_speech_chars: int = 500
    max_speeches_per_motion: int = 2
    floor_seconds: int = 120
    slow_mode_seconds: int = 0
    stance_required: bool = True
    alternate_stances: bool = True
    chair_neutral: bool = True
    second_required: bool = True
    quorum: Fraction = Fraction(1, 2)  # share of eligible members who must vote ("at least")
    pass_threshold: Fraction = Fraction(1, 2)  # share of for / (for + against)
    pass_strict: bool = True  # True: more than the threshold (过半数); False: at least (以上)
    tie_fails: bool = True
    motion_first: bool = False  # 无动议不讨论: with no motion pending, speeches take no side (questions only)
    # slow mode (异步协商): replies under the background
    max_replies_per_day: int = 10  # per person, in any 24 hours
    max_reply_chars: int = 1000

    def __post_init__(self):
        # A quorum is a share; a threshold below one half would let a minority carry a motion,
        # and would make one more vote in favour able to turn a carried motion into a tie.
        if not 0 <= self.quorum <= 1:
            raise ValueError("quorum must be between 0 and 1")
        if not Fraction(1, 2) <= self.pass_threshold <= 1:
            raise ValueError("pass_threshold must be from 1/2 to 1")
        if self.max_speech_chars < 1 or self.max_speeches_per_motion < 0:
            raise ValueError("speech limits cannot be negative")
        if self.max_reply_chars < 1 or self.max_replies_per_day < 1:
            raise ValueError("reply limits must be positive")


@dataclass(frozen=True)
class Refusal:
    """Why an action is refused: a stable code (docs/realtime.md) and the numbers the message needs."""

    code: str
    params: tuple[tuple[str, int | str], ...] = ()

    def param(self, name: str):
        return dict(self.params)[name]


@dataclass(frozen=True)
class SpeakerState:
    """What the engine needs to know about one member in one room, now."""

    member_id: int
    is_chair: bool = False
    can_speak: bool = True  # verified and in scope
    muted: bool = False
    speeches_so_far: int = 0  # on this motion (formal) or in this consultation (open)
    seconds_since_last: float | None = None  # None: has not spoken yet
    barred: str = "not_verified"  # why not, when can_speak is False: not_verified, not_a_party, not_in_scope


@dataclass(frozen=True)
class RoomState:
    phase_open: bool = True  # the phase accepts speeches
    locked: bool = False
    floor_holder: int | None = None
    floor_seconds_left: float = 0.0
    voting: bool = False  # a motion is being voted on: debate waits until the vote closes


def check_speech(
    rules: Rules, room: RoomState, speaker: SpeakerState, *, length: int, stance: Stance | None, on_motion: bool
) -> Refusal | None:
    """None if the speech may be made now; else the first rule it breaks.

    In formal mode a speech uses up the floor (one turn, one speech); the
    stance is required only for a speech on a motion, and when motions come
    first (无动议不讨论) a speech with no motion pending takes no side.
    """
    if not speaker.can_speak:
        return Refusal(speaker.barred)
    if rules.mode == Mode.SLOW:
        return Refusal("rule_slow_room")  # no live speeches: replies (check_reply)
    if not room.phase_open:
        return Refusal("wrong_phase")
    if room.voting:
        return Refusal("vote_in_progress")
    if room.locked and not speaker.is_chair:
        return Refusal("locked")
    if speaker.muted:
        return Refusal("muted")
    if length <= 0:
        return Refusal("bad_request")
    if length > rules.max_speech_chars:
        return Refusal("rule_too_long", (("max", rules.max_speech_chars), ("length", length)))
    if speaker.is_chair:
        # The chair moderates: no floor needed, no limit, but no side taken.
        if rules.chair_neutral and stance in (Stance.FOR, Stance.AGAINST):
            return Refusal("rule_chair_neutral")
        return None
    if rules.mode == Mode.FORMAL:
        if room.floor_holder != speaker.member_id:
            return Refusal("rule_no_floor")
        if room.floor_seconds_left <= 0:
            return Refusal("rule_floor_time_up", (("seconds", rules.floor_seconds),))
    if speaker.speeches_so_far >= rules.max_speeches_per_motion:
        return _speech_limit(rules, speaker)
    if (
        rules.slow_mode_seconds
        and speaker.seconds_since_last is not None
        and speaker.seconds_since_last < rules.slow_mode_seconds
    ):
        wait = math.ceil(rules.slow_mode_seconds - speaker.seconds_since_last)
        return Refusal("rule_slow_mode", (("seconds", max(wait, 1)),))
    if rules.motion_first and not on_motion and stance is not None:
        return Refusal("rule_no_motion")
    if rules.stance_required and on_motion and stance is None:
        return Refusal("rule_stance_required")
    return None


def check_raise_hand(
    rules: Rules, room: RoomState, speaker: SpeakerState, stance: Stance | None, *, on_motion: bool
) -> Refusal | None:
    """May this member join the queue for the floor?"""
    if rules.mode != Mode.FORMAL:
        return Refusal("rule_open_mode")
    if not speaker.can_speak:
        return Refusal(speaker.barred)
    if not room.phase_open:
        return Refusal("wrong_phase")
    if room.voting:
        return Refusal("vote_in_progress")
    if room.locked:
        return Refusal("locked")
    if speaker.muted:
        return Refusal("muted")
    if speaker.is_chair and rules.chair_neutral:
        return Refusal("rule_chair_neutral")
    if speaker.speeches_so_far >= rules.max_speeches_per_motion:
        return _speech_limit(rules, speaker)
    if rules.motion_first and not on_motion and stance is not None:
        return Refusal("rule_no_motion")
    if rules.stance_required and on_motion and stance is None:
        return Refusal("rule_stance_required")
    return None


def check_floor_for(rules: Rules, room: RoomState, member: SpeakerState) -> Refusal | None:
    """May the chair give this member the floor now? Only if they could use it: the floor is not given
    while a vote is under way or the room is locked, nor to a member who is muted or has spoken as often
    as the rules allow (they would only be refused when they speak)."""
    if not room.phase_open:
        return Refusal("wrong_phase")
    if room.voting:
        return Refusal("vote_in_progress")
    if room.locked:
        return Refusal("grant_locked")
    if member.muted:
        return Refusal("grant_muted")
    if member.speeches_so_far >= rules.max_speeches_per_motion:
        limit = _speech_limit(rules, member)
        return Refusal("grant_speech_limit", limit.params)
    return None


def _speech_limit(rules: Rules, speaker: SpeakerState) -> Refusal:
    per = "motion" if rules.mode == Mode.FORMAL else "consultation"  # what the count is kept over
    return Refusal(
        "rule_speech_limit",
        (("max", rules.max_speeches_per_motion), ("count", speaker.speeches_so_far), ("per", per)),
    )


@dataclass(frozen=True)
class QueueEntry:
    member_id: int
    stance: Stance | None
    order: int  # when the hand went up; smaller is earlier


def check_grant(
    rules: Rules, queue: Sequence[QueueEntry], last_stance: Stance | None, chosen: QueueEntry
) -> Refusal | None:
    """When stances alternate, the chair may not give the floor to the same side twice running
    while a hand of the other side is waiting."""
    if not rules.alternate_stances or last_stance not in (Stance.FOR, Stance.AGAINST):
        return None
    if chosen.stance != last_stance:
        return None
    wanted = Stance.AGAINST if last_stance == Stance.FOR else Stance.FOR
    if any(entry.stance == wanted for entry in queue):
        return Refusal("rule_alternate")
    return None


def ordered_queue(queue: Sequence[QueueEntry], last_stance: Stance | None, alternate: bool) -> list[QueueEntry]:
    """The whole queue in the order the chair should call it."""
    remaining = list(queue)
    ordered = []
    stance = last_stance
    while remaining:
        entry = next_speaker(remaining, stance, alternate)
        ordered.append(entry)
        remaining.remove(entry)
        if entry.stance in (Stance.FOR, Stance.AGAINST):
            stance = entry.stance
    return ordered


def next_speaker(queue: Sequence[QueueEntry], last_stance: Stance | None, alternate: bool) -> QueueEntry | None:
    """Who the chair should call next: first come, first served; when stances alternate,
    the earliest hand of the side opposite to the last speaker's goes first."""
    if not queue:
        return None
    ordered = sorted(queue, key=lambda e: e.order)
    if alternate and last_stance in (Stance.FOR, Stance.AGAINST):
        wanted = Stance.AGAINST if last_stance == Stance.FOR else Stance.FOR
        for entry in ordered:
            if entry.stance == wanted:
                return entry
    return ordered[0]


def check_second(
    rules: Rules, *, is_mover: bool, is_chair: bool, can_vote: bool, barred: str = "not_verified"
) -> Refusal | None:
    """May this member second the motion? (`barred`: why not, when they may not vote.)"""
    if not can_vote:
        return Refusal(barred)
    if is_mover:
        return Refusal("rule_own_motion")
    if is_chair and rules.chair_neutral:
        return Refusal("rule_chair_neutral")
    return None


def check_vote(
    rules: Rules,
    *,
    is_chair: bool,
    eligible: bool,
    voting_open: bool,
    already_voted: bool,
    barred: str = "not_verified",
) -> Refusal | None:
    """May this member vote on the motion now? (`barred`: why not, when they are not eligible.)"""
    if not voting_open:
        return Refusal("vote_not_open")
    if not eligible:
        return Refusal(barred)
    if is_chair and rules.chair_neutral:
        return Refusal("rule_chair_neutral")
    if already_voted:
        return Refusal("already_voted")
    return None


@dataclass(frozen=True)
class Outcome:
    votes_for: int
    votes_against: int
    abstentions: int
    eligible: int
    quorum_met: bool
    carried: bool

    @property
    def cast(self) -> int:
        return self.votes_for + self.votes_against + self.abstentions


def outcome(rules: Rules, votes_for: int, votes_against: int, abstentions: int, eligible: int) -> Outcome:
    """The result of a vote, in exact fractions: quorum of eligible, threshold of for / (for + against)."""
    if min(votes_for, votes_against, abstentions, eligible) < 0:
        raise ValueError("counts cannot be negative")
    cast = votes_for + votes_against + abstentions
    quorum_met = eligible > 0 and Fraction(cast, eligible) >= rules.quorum
    decided = votes_for + votes_against
    carried = False
    if quorum_met and decided > 0:
        share = Fraction(votes_for, decided)
        carried = share > rules.pass_threshold if rules.pass_strict else share >= rules.pass_threshold
        if votes_for == votes_against and rules.tie_fails:
            carried = False
    return Outcome(votes_for, votes_against, abstentions, eligible, quorum_met, carried)


@dataclass(frozen=True)
class ReplierState:
    """What the engine needs to know about one member replying in a slow consultation, now."""

    member_id: int
    is_chair: bool = False
    can_speak: bool = True  # verified and in scope (the same rule as speaking)
    muted: bool = False
    replies_last_day: int = 0  # their replies in the past 24 hours
    seconds_since_last: float | None = None  # None: has not replied yet
    barred: str = "not_verified"


def check_reply(rules: Rules, room: RoomState, replier: ReplierState, *, length: int) -> Refusal | None:
    """None if the reply may be posted now (slow mode: 异步协商); else the first rule it breaks: the room in
    slow mode and open, not locked (the chair may still write), not muted, a length within the limit, at
    most `max_replies_per_day` in any 24 hours and `slow_mode_seconds` between two replies. The chair
    moderates and is held to neither count."""
    if not replier.can_speak:
        return Refusal(replier.barred)
    if rules.mode != Mode.SLOW:
        return Refusal("rule_not_slow")
    if not room.phase_open:
        return Refusal("wrong_phase")
    if room.locked and not replier.is_chair:
        return Refusal("locked")
    if replier.muted:
        return Refusal("muted")
    if length <= 0:
        return Refusal("bad_request")
    if length > rules.max_reply_chars:
        return Refusal("rule_reply_too_long", (("max", rules.max_reply_chars), ("length", length)))
    if replier.is_chair:
        return None
    if replier.replies_last_day >= rules.max_replies_per_day:
        return Refusal(
            "rule_reply_day_limit", (("max", rules.max_replies_per_day), ("count", replier.replies_last_day))
        )
    if (
        rules.slow_mode_seconds
        and replier.seconds_since_last is not None
        and replier.seconds_since_last < rules.slow_mode_seconds
    ):
        wait = math.ceil(rules.slow_mode_seconds - replier.seconds_since_last)
        return Refusal("rule_slow_mode", (("seconds", max(wait, 1)),))
    return None


def check_edit(rules: Rules, room: RoomState, replier: ReplierState, *, is_author: bool, length: int) -> Refusal | None:
    """May the member change the words of their reply? Only the author, while the room is open and they may
    still write there; the length limit holds, the counts do not (an edit is not another reply)."""
    if not is_author:
        return Refusal("forbidden")
    if not replier.can_speak:
        return Refusal(replier.barred)
    if not room.phase_open:
        return Refusal("wrong_phase")
    if room.locked and not replier.is_chair:
        return Refusal("locked")
    if replier.muted:
        return Refusal("muted")
    if length <= 0:
        return Refusal("bad_request")
    if length > rules.max_reply_chars:
        return Refusal("rule_reply_too_long", (("max", rules.max_reply_chars), ("length", length)))
    return None


def check_position(
    *, eligible: bool, barred: str = "not_verified", is_chair: bool, rules: Rules, open_: bool, muted: bool
) -> Refusal | None:
    """May the member state (or change) their position on a slow proposal now? Those who may vote, while
    it is open (before its closing time); a neutral chair takes no position."""
    if not open_:
        return Refusal("proposal_closed")
    if not eligible:
        return Refusal(barred)
    if is_chair and rules.chair_neutral:
        return Refusal("rule_chair_neutral")
    if muted:
        return Refusal("muted")
    return None
