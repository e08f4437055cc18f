"""The count, the hash chain and the art. 278 verdict: pure functions over plain data, no I/O.

Everything here is exact: integers and `Fraction`s, never floats, so a count can be
recomputed by anyone and agree to the last unit.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

CHOICE_SEPARATOR = ","


@dataclass(frozen=True)
class BallotRecord:
    """What the chain covers of one ballot. `voter_key` is empty for a secret ballot."""

    seq: int
    receipt: str
    choice: str
    voter_key: str = ""
    building_id: int | None = None
    weight_area: int = 0  # 0.01 m², for owners' decisions
    weight_heads: int = 0  # 1 for an owner person in an owners' decision
    hash: str = ""
    proxy: bool = False  # cast by a proxy in the voter's name (owners' decisions)

    def options(self) -> list[str]:
        """The options this ballot chose: one, or several for an approval ballot ("3,7,9")."""
        return [part for part in self.choice.split(CHOICE_SEPARATOR) if part]


# -- the hash chain ---------------------------------------------------------------------------------


def genesis(poll_type: str, poll_id: int) -> str:
    """The head of a poll's empty chain."""
    return hashlib.sha256(f"yishi-ballots|{poll_type}|{poll_id}".encode()).hexdigest()


def link(prev_hash: str, poll_type: str, poll_id: int, ballot: BallotRecord) -> str:
    """The hash of one ballot, chained to the one before it."""
    fields = (
        prev_hash,
        poll_type,
        str(poll_id),
        str(ballot.seq),
        ballot.receipt,
        ballot.choice,
        ballot.voter_key,
        "" if ballot.building_id is None else str(ballot.building_id),
        str(ballot.weight_area),
        str(ballot.weight_heads),
    )
    if ballot.proxy:  # only then: the links of every ballot cast in person keep the hash they always had
        fields += ("proxy",)
    return hashlib.sha256("|".join(fields).encode()).hexdigest()


@dataclass
class ChainCheck:
    head: str
    length: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(poll_type: str, poll_id: int, ballots: Sequence[BallotRecord]) -> ChainCheck:
    """Recompute the chain from the stored ballots (in seq order) and list every break.

    A changed field breaks that ballot's hash; a deleted ballot leaves a gap in seq; an
    inserted one either duplicates a seq or cannot carry a hash that fits the chain.
    """
    problems: list[str] = []
    prev = genesis(poll_type, poll_id)
    expected_seq = 1
    for ballot in ballots:
        if ballot.seq != expected_seq:
            problems.append(f"ballot {ballot.receipt}: position {ballot.seq}, expected {expected_seq}")
        computed = link(prev, poll_type, poll_id, ballot)
        if computed != ballot.hash:
            problems.append(f"ballot {ballot.receipt} (position {ballot.seq}): hash does not match its contents")
        prev = ballot.hash or computed
        expected_seq = ballot.seq + 1
    return ChainCheck(head=prev, length=len(ballots), problems=problems)


# -- counting ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """Ballots per option, overall and per building, plus area and headcount for weighted polls."""

    ballots: int
    options: dict[str, int]
    by_building: dict[int | None, dict[str, int]]
    area: dict[str, int]
    heads: dict[str, int]
    area_total: int
    heads_total: int
    proxy: int = 0  # ballots cast by a proxy in the voter's name

    def as_dict(self) -> dict:
        """A JSON-ready form, keys as strings, in a stable order: what certifiers sign and what is published."""
        result = {
            "ballots": self.ballots,
            "options": dict(sorted(self.options.items())),
            "by_building": {
                ("" if b is None else str(b)): dict(sorted(c.items()))
                for b, c in sorted(self.by_building.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
            },
            "area": dict(sorted(self.area.items())),
            "heads": dict(sorted(self.heads.items())),
            "area_total": self.area_total,
            "heads_total": self.heads_total,
        }
        if self.proxy:  # only then: a count published before proxies existed still equals its recount
            result["proxy"] = self.proxy
        return result


def count(ballots: Iterable[BallotRecord]) -> Count:
    """Count ballots: each option a ballot chose gets one vote (and the ballot's area and headcount)."""
    options: Counter[str] = Counter()
    by_building: dict[int | None, Counter[str]] = {}
    area: Counter[str] = Counter()
    heads: Counter[str] = Counter()
    n = area_total = heads_total = proxy = 0
    for ballot in ballots:
        n += 1
        proxy += ballot.proxy
        area_total += ballot.weight_area
        heads_total += ballot.weight_heads
        building = by_building.setdefault(ballot.building_id, Counter())
        for option in ballot.options():
            options[option] += 1
            building[option] += 1
            area[option] += ballot.weight_area
            heads[option] += ballot.weight_heads
    return Count(
        ballots=n,
        options=dict(options),
        by_building={b: dict(c) for b, c in by_building.items()},
        area=dict(area),
        heads=dict(heads),
        area_total=area_total,
        heads_total=heads_total,
        proxy=proxy,
    )


def digest(result: dict) -> str:
    """A short fingerprint of a count, so two certifiers can be shown to have signed the same numbers."""
    import json

    return hashlib.sha256(json.dumps(result, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


# -- Civil Code art. 278 -----------------------------------------------------------------------------

SPECIAL_MATTERS = frozenset({6, 7, 8})  # 筹集维修资金, 改建重建, 改变共有部分用途或经营
MATTERS = range(1, 10)
TWO_THIRDS = Fraction(2, 3)
THREE_QUARTERS = Fraction(3, 4)
HALF = Fraction(1, 2)


@dataclass(frozen=True)
class Thresholds:
    """Participation (≥) and approval: ≥ `approval` when `approval_inclusive`, else > `approval`."""

    participation: Fraction
    approval: Fraction
    approval_inclusive: bool

    def stricter_of(self, other: Thresholds | None) -> Thresholds:
        """The stricter of the law's thresholds and a community's own: never laxer than the law."""
        if other is None:
            return self
        participation = max(self.participation, other.participation)
        if other.approval > self.approval or (
            other.approval == self.approval and not other.approval_inclusive and self.approval_inclusive
        ):
            approval, inclusive = other.approval, other.approval_inclusive
        else:
            approval, inclusive = self.approval, self.approval_inclusive
        return Thresholds(participation, approval, inclusive)


def legal_thresholds(matter: int) -> Thresholds:
    """Art. 278: ≥ 2/3 take part; items 6–8 need ≥ 3/4 of participants, the others more than half."""
    if matter not in MATTERS:
        raise ValueError(f"art. 278 has items 1 to 9, not {matter}")
    if matter in SPECIAL_MATTERS:
        return Thresholds(TWO_THIRDS, THREE_QUARTERS, approval_inclusive=True)
    return Thresholds(TWO_THIRDS, HALF, approval_inclusive=False)


@dataclass(frozen=True)
class Verdict:
    participation_area: Fraction
    participation_heads: Fraction
    approval_area: Fraction
    approval_heads: Fraction
    quorate: bool  # both participation shares reach the threshold
    approved: bool  # both approval shares reach the threshold
    passed: bool
    thresholds: Thresholds


def _share(part: int, whole: int) -> Fraction:
    return Fraction(part, whole) if whole else Fraction(0)


def art278_verdict(
    *,
    matter: int,
    roll_area: int,
    roll_heads: int,
    voted_area: int,
    voted_heads: int,
    agree_area: int,
    agree_heads: int,
    stricter: Thresholds | None = None,
) -> Verdict:
    """Whether an owners' decision passed, by floor area AND by headcount, in exact fractions.

    Participation is measured against the whole roll, approval against those who took part
    (同意 over all who voted, abstentions included), as art. 278 says.
    """
    thresholds = legal_thresholds(matter).stricter_of(stricter)
    p_area, p_heads = _share(voted_area, roll_area), _share(voted_heads, roll_heads)
    a_area, a_heads = _share(agree_area, voted_area), _share(agree_heads, voted_heads)
    quorate = roll_area > 0 and roll_heads > 0 and min(p_area, p_heads) >= thresholds.participation
    if thresholds.approval_inclusive:
        approved = voted_area > 0 and voted_heads > 0 and min(a_area, a_heads) >= thresholds.approval
    else:
        approved = voted_area > 0 and voted_heads > 0 and min(a_area, a_heads) > thresholds.approval
    return Verdict(
        participation_area=p_area,
        participation_heads=p_heads,
        approval_area=a_area,
        approval_heads=a_heads,
        quorate=quorate,
        approved=approved,
        passed=quorate and approved,
        thresholds=thresholds,
    )


# -- the roll of owners (法释〔2009〕7号 arts. 8–9) ---------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """One unit on the household register, as the roll needs it."""

    household_id: int
    area: int  # 0.01 m²
    developer_unsold: bool
    # (person key, owner id, user id) of the unit's voter: its designated representative, or its only owner
    voter: tuple[str, int | None, int | None] | None
    building_id: int | None = None


@dataclass
class RollEntry:
    """One voting person: area summed over their units, one head."""

    key: str
    owner_id: int | None
    user_id: int | None
    household_ids: list[int]
    area: int
    heads: int = 1
    building_id: int | None = None


DEVELOPER_KEY = "developer"


def build_roll(units: Iterable[Unit]) -> list[RollEntry]:
    """The roll: one unit one person; several units of one owner one person with areas summed; all
    unsold developer units one person together; a co-owned unit through its representative."""
    entries: dict[str, RollEntry] = {}
    for unit in units:
        if unit.developer_unsold:
            key, owner_id, user_id = DEVELOPER_KEY, None, None
        elif unit.voter is None:
            key, owner_id, user_id = f"unit:{unit.household_id}", None, None  # no owner on the register yet
        else:
            key, owner_id, user_id = unit.voter
        entry = entries.get(key)
        if entry is None:
            entries[key] = RollEntry(
                key=key,
                owner_id=owner_id,
                user_id=user_id,
                household_ids=[unit.household_id],
                area=unit.area,
                building_id=unit.building_id,
            )
        else:
            entry.household_ids.append(unit.household_id)
            entry.area += unit.area
            entry.user_id = entry.user_id or user_id
    return list(entries.values())
