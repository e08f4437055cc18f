"""Ballots: cast (idempotently, many per statement), and what was cast: counts, turnout, voters."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from app.core import changes
from app.core.errors import Conflict, DomainError
from app.core.metrics import VOTES
from app.core.models import insert_or_ignore, utcnow
from app.core.realtime import call_after_commit
from app.extensions import db
from app.voting import tally
from app.voting.models import Ballot, Participation, Poll, PollState
from app.voting.services.receipts import receipt_for

ALREADY_VOTED = _l("You have voted already; a vote cannot be changed.")


def find_ballot(poll_type: str, poll_id: int, voter_id: int) -> Ballot | None:
    """A named ballot by its voter."""
    return db.session.scalar(
        select(Ballot).where(Ballot.poll_type == poll_type, Ballot.poll_id == poll_id, Ballot.voter_id == voter_id)
    )


def ballot_by_receipt(receipt: str) -> Ballot | None:
    return db.session.scalar(select(Ballot).where(Ballot.receipt == receipt)) if receipt else None


@dataclass(frozen=True)
class Cast:
    """A stored ballot as casting reports it: enough to answer the voter, without loading the row."""

    id: int
    receipt: str
    choice: str


def casts_by_receipt(receipts) -> dict[str, Cast]:
    """The ballots among these receipts that exist, in one query."""
    wanted = sorted({r for r in receipts if r})
    if not wanted:
        return {}
    rows = db.session.execute(select(Ballot.id, Ballot.receipt, Ballot.choice).where(Ballot.receipt.in_(wanted)))
    return {receipt: Cast(id, receipt, choice) for id, receipt, choice in rows}


def has_voted(poll: Poll, voter_key: str) -> bool:
    return (
        db.session.get(Participation, {"poll_type": poll.poll_type, "poll_id": poll.subject_id, "voter_key": voter_key})
        is not None
    )


@dataclass(frozen=True)
class CastRequest:
    """One voter's ballot as a feature hands it over, after checking who may vote for what."""

    voter_key: str
    choice: str
    voter_id: int | None = None
    building_id: int | None = None
    weight_area: int = 0
    weight_heads: int = 0
    entered_by_id: int | None = None
    by_proxy: bool = False


def cast(poll: Poll, *, voter_key: str, choice: str, **details) -> Ballot:
    """Store one ballot, once per voter_key (see cast_many); raises the refusal, if any. The caller commits."""
    [outcome] = cast_many(poll, [CastRequest(voter_key=voter_key, choice=choice, **details)])
    if isinstance(outcome, Exception):
        raise outcome
    return db.session.get(Ballot, outcome.id)


def cast_many(
    poll: Poll, requests: list[CastRequest], *, existing: dict[str, Cast] | None = None
) -> list[Cast | DomainError]:
    """Store ballots, once per voter_key, in a few statements however many there are. The caller commits.

    Returns, per request in order, its ballot or the refusal (not raised: one voter's refusal is not
    another's). A retry with the same choice gets the same ballot (and receipt), even after the close;
    a different choice after voting is refused: a ballot is never changed. Several requests of one voter
    in the same call are one vote. `existing` is casts_by_receipt() of these voters if the caller has
    already looked them up.

    Casting holds the poll row FOR KEY SHARE, so ballots go in side by side, and while sealing too,
    while closing (FOR UPDATE) waits for them and then refuses more. Who took part goes in first, with ON CONFLICT DO
    NOTHING on its key: only the voters it took get a ballot, so a race with another process stores one.
    """
    receipts = [receipt_for(poll.poll_type, poll.subject_id, r.voter_key) for r in requests]
    if existing is None:
        existing = casts_by_receipt(receipts)
    ballots = {r.voter_key: existing[c] for r, c in zip(requests, receipts, strict=True) if c in existing}
    first: dict[str, int] = {}  # the voters to store, by their first request
    for index, request in enumerate(requests):
        if request.voter_key not in ballots:
            first.setdefault(request.voter_key, index)
    refused: dict[str, DomainError] = {}
    if first:
        try:
            with db.session.begin_nested():
                state = db.session.scalar(
                    select(Poll.state).where(Poll.id == poll.id).with_for_update(read=True, key_share=True)
                )
                if state != PollState.OPEN:
                    closed = DomainError("voting_closed", _l("Voting is closed."), status=409)
                    refused.update(dict.fromkeys(first, closed))
                else:
                    ballots.update(_insert_ballots(poll, [(requests[i], receipts[i]) for i in first.values()]))
        except IntegrityError:
            pass  # another request of one of these voters won a race the conflict clause did not cover
        # the voters whose participation was already there: their ballot decides
        missing = [receipts[i] for key, i in first.items() if key not in ballots and key not in refused]
        found = casts_by_receipt(missing)
        for key, i in first.items():
            if key not in ballots and key not in refused:
                if receipts[i] in found:
                    ballots[key] = found[receipts[i]]
                else:
                    refused[key] = Conflict("already_voted", ALREADY_VOTED)
    return [
        refused[r.voter_key] if r.voter_key in refused else _same_or_refused(ballots[r.voter_key], r.choice)
        for r in requests
    ]


def _insert_ballots(poll: Poll, wanted: list[tuple[CastRequest, str]]) -> dict[str, Cast]:
    """Participations first, skipping the voters already there; then ballots for the voters it took.

    Plain table inserts, many rows per statement: the ORM's per-object bookkeeping is most of the cost
    of a burst, and the caller needs only each ballot's id and receipt.
    """
    taken = set(
        db.session.scalars(
            changes.within(
                insert_or_ignore(Participation.__table__).returning(Participation.voter_key), [poll.community_id]
            ),
            [
                {
                    "poll_type": poll.poll_type,
                    "poll_id": poll.subject_id,
                    "voter_key": r.voter_key,
                    "voter_id": r.voter_id,
                    "building_id": r.building_id,
                }
                for r, _ in wanted
            ],
        )
    )
    stored = [(r, receipt) for r, receipt in wanted if r.voter_key in taken]
    if not stored:
        return {}
    now = utcnow()
    table = Ballot.__table__
    ids = dict(
        db.session.execute(
            insert(table).returning(table.c.receipt, table.c.id),
            [
                {
                    "community_id": poll.community_id,
                    "poll_type": poll.poll_type,
                    "poll_id": poll.subject_id,
                    "seq": None,
                    "voter_id": None if poll.secret else r.voter_id,
                    "voter_key": "" if poll.secret else r.voter_key,
                    "building_id": r.building_id,
                    "choice": r.choice,
                    "weight_area": r.weight_area,
                    "weight_heads": r.weight_heads,
                    "receipt": receipt,
                    "hash": None,
                    "entered_by_id": r.entered_by_id,
                    "by_proxy": r.by_proxy,
                    "created_at": None if poll.secret else now,
                }
                for r, receipt in stored
            ],
        ).all()
    )  # by receipt: rows come back in any order, many per statement
    _count_votes(poll.poll_type, len(stored))
    return {r.voter_key: Cast(ids[receipt], receipt, r.choice) for r, receipt in stored}


def _count_votes(poll_type: str, stored: int) -> None:
    """The metrics' vote count goes up when the ballots are committed, not before."""
    call_after_commit(lambda: VOTES.labels(poll_type).inc(stored))


def _same_or_refused(existing: Cast, choice: str) -> Cast | DomainError:
    return existing if existing.choice == choice else Conflict("already_voted", ALREADY_VOTED)


def as_record(b, *, seq: int | None = None) -> tally.BallotRecord:
    """A ballot (a row or a loaded Ballot) as the chain sees it; at `seq` if it is being sealed there."""
    return tally.BallotRecord(
        seq=seq if seq is not None else (b.seq or 0),
        receipt=b.receipt,
        choice=b.choice,
        voter_key=b.voter_key,
        building_id=b.building_id,
        weight_area=b.weight_area,
        weight_heads=b.weight_heads,
        hash=b.hash or "",
        proxy=bool(b.by_proxy),
    )


def records(poll: Poll, *, sealed_only: bool = False) -> list[tally.BallotRecord]:
    """The poll's ballots as the chain covers them: sealed ones in chain order, then any not yet sealed."""
    query = select(Ballot).where(Ballot.poll_type == poll.poll_type, Ballot.poll_id == poll.subject_id)
    if sealed_only:
        query = query.where(Ballot.seq.is_not(None))
    rows = db.session.scalars(query.order_by(Ballot.seq.is_(None), Ballot.seq, Ballot.id))
    return [as_record(b) for b in rows]


def count(poll: Poll) -> tally.Count:
    """The count recomputed from the stored ballots."""
    return tally.count(records(poll))


def counts(poll_type: str, subject_id: int) -> dict[str, int]:
    """Ballots per choice (single-choice polls such as motions)."""
    rows = db.session.execute(
        select(Ballot.choice, func.count())
        .where(Ballot.poll_type == poll_type, Ballot.poll_id == subject_id)
        .group_by(Ballot.choice)
    )
    return dict(rows.all())


@dataclass(frozen=True)
class Turnout:
    voted: int
    by_building: dict[int | None, int]


def turnout(poll: Poll) -> Turnout:
    """How many took part, overall and per building (from who voted, never from what)."""
    rows = db.session.execute(
        select(Participation.building_id, func.count())
        .where(Participation.poll_type == poll.poll_type, Participation.poll_id == poll.subject_id)
        .group_by(Participation.building_id)
    ).all()
    by_building = dict(rows)
    return Turnout(voted=sum(by_building.values()), by_building=by_building)


def voters(poll: Poll) -> set[str]:
    """The keys of everyone who took part."""
    return set(
        db.session.scalars(
            select(Participation.voter_key).where(
                Participation.poll_type == poll.poll_type, Participation.poll_id == poll.subject_id
            )
        )
    )
