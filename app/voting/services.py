"""Polls and ballots: open, cast (idempotently, into the hash chain), close, count, certify, verify.

These are the shared mechanics under motions, contests and owners' decisions. Who may vote, when,
and for what is each feature's business: its services check that, then call these. The caller
commits, except where a function says it commits.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.core import validation
from app.core.errors import Conflict, DomainError, NotFound
from app.core.models import insert_or_ignore, utcnow
from app.core.ratelimit import hit as rate_limit
from app.extensions import db
from app.voting import registry, tally
from app.voting.models import Ballot, Certification, CertifierRole, Objection, Participation, Poll, PollState

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 12


def receipt_for(poll_type: str, subject_id: int, voter_key: str, key: bytes | str | None = None) -> str:
    """The tracking code (回执码) of a voter's ballot: 12 characters without 0/O or 1/I.

    Derived from the app's secret key, so a retried submission gets the same code without the
    database storing anything that links a secret ballot to its voter.
    """
    if key is None:
        key = current_app.config["SECRET_KEY"]
    return _receipt(key.encode() if isinstance(key, str) else key, f"receipt|{poll_type}|{subject_id}|{voter_key}")


@functools.lru_cache(maxsize=65536)
def _receipt(key: bytes, message: str) -> str:
    """Kept for a while: a burst of votes asks for each receipt more than once (a retry, the lookup, the insert)."""
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:10], "big")
    chars = []
    for _ in range(RECEIPT_LENGTH):
        number, index = divmod(number, len(RECEIPT_ALPHABET))
        chars.append(RECEIPT_ALPHABET[index])
    return "".join(chars)


def normalise_receipt(code: str) -> str:
    """What a voter types, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:32]


def user_key(user_id: int) -> str:
    return f"user:{user_id}"


def household_key(household_id: int) -> str:
    return f"household:{household_id}"


# -- polls ------------------------------------------------------------------------------------------


def find_poll(poll_type: str, subject_id: int) -> Poll | None:
    return db.session.scalar(select(Poll).where(Poll.poll_type == poll_type, Poll.subject_id == subject_id))


def find_polls(poll_type: str, subject_ids) -> dict[int, Poll]:
    """The polls of these subjects that exist, by subject id, in one query."""
    wanted = sorted(set(subject_ids))
    if not wanted:
        return {}
    return {
        p.subject_id: p
        for p in db.session.scalars(select(Poll).where(Poll.poll_type == poll_type, Poll.subject_id.in_(wanted)))
    }


def get_poll(poll_id) -> Poll:
    poll = db.session.get(Poll, poll_id) if isinstance(poll_id, int) else None
    if poll is None:
        raise NotFound()
    return poll


def open_poll(*, community_id: int, poll_type: str, subject_id: int, secret: bool = False) -> Poll:
    """Open a poll (once): its chain starts at the genesis head, which counters see and can note down."""
    poll = find_poll(poll_type, subject_id)
    if poll is not None:
        return poll
    head = tally.genesis(poll_type, subject_id)
    poll = Poll(
        community_id=community_id,
        poll_type=poll_type,
        subject_id=subject_id,
        secret=secret,
        state=PollState.OPEN,
        length=0,
        head=head,
        opened_head=head,
        opened_at=utcnow(),
    )
    db.session.add(poll)
    db.session.flush()
    return poll


def close_poll(poll: Poll) -> Poll:
    """Stop accepting ballots, seal every ballot into the chain, and record its head and length at the close.

    Taking the poll row waits for ballots being cast right now (each holds it, see _take) to commit, and
    any cast after this sees the poll closed: no ballot can arrive after the closing head.
    """
    if poll.state == PollState.OPEN:
        _take(poll)
        seal(poll)
        db.session.execute(
            update(Poll)
            .where(Poll.id == poll.id)
            .values(state=PollState.CLOSED, closed_head=Poll.head, closed_length=Poll.length, closed_at=utcnow())
        )
        db.session.refresh(poll)
    return poll


def _take(poll: Poll, *, seal_only: bool = False) -> None:
    """Lock the poll row for this transaction (no-op on SQLite, which has one writer at a time).

    PostgreSQL's row locks, from weakest: casting holds FOR KEY SHARE (many at once); sealing takes
    FOR NO KEY UPDATE, which excludes another sealer but not casting, so a burst of votes never waits
    for the chain; closing takes FOR UPDATE, which waits for both and excludes both.
    """
    db.session.execute(select(Poll.id).where(Poll.id == poll.id).with_for_update(key_share=seal_only))


def seal(poll: Poll) -> int:
    """Append the poll's unsealed ballots to its hash chain, in the order they arrived; returns how many.

    Casting a ballot only inserts it (so voters never wait on each other); sealing gives each one its
    place and link hash, one sealer at a time per poll (see _take). The caller commits.
    """
    _take(poll, seal_only=True)
    db.session.refresh(poll, ["length", "head"])
    table = Ballot.__table__
    waiting = db.session.execute(
        select(
            table.c.id,
            table.c.receipt,
            table.c.choice,
            table.c.voter_key,
            table.c.building_id,
            table.c.weight_area,
            table.c.weight_heads,
            table.c.hash,
        )
        .where(table.c.poll_type == poll.poll_type, table.c.poll_id == poll.subject_id, table.c.seq.is_(None))
        .order_by(table.c.id)
    ).all()
    if not waiting:
        return 0
    head, length = poll.head, poll.length
    links = []
    for row in waiting:
        length += 1
        head = tally.link(head, poll.poll_type, poll.subject_id, _record(row, seq=length))
        links.append({"ballot_id": row.id, "ballot_seq": length, "ballot_hash": head})
    # plain rows, many per round trip: a burst seals a thousand ballots at once
    db.session.execute(
        update(table)
        .where(table.c.id == bindparam("ballot_id"))
        .values(seq=bindparam("ballot_seq"), hash=bindparam("ballot_hash")),
        links,
    )
    sealed = {link["ballot_id"] for link in links}
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Ballot) and obj.id in sealed:
            db.session.expire(obj, ["seq", "hash"])  # loaded before sealing: read again when used
    poll.length, poll.head = length, head
    db.session.flush()
    return len(waiting)


def seal_open_polls() -> int:
    """Seal every open poll that has ballots waiting (the server's background sealer calls this)."""
    waiting = db.session.execute(
        select(Poll)
        .join(Ballot, (Ballot.poll_type == Poll.poll_type) & (Ballot.poll_id == Poll.subject_id))
        .where(Poll.state == PollState.OPEN, Ballot.seq.is_(None))
        .distinct()
    ).scalars()
    sealed = 0
    for poll in list(waiting):
        sealed += seal(poll)
        db.session.commit()
    return sealed


SEAL_SECONDS = 1.0


SEAL_MAX_BACKOFF_SECONDS = 30.0


def start_sealer(app) -> None:
    """In a server process: seal new ballots into their chains every second.

    While the database is unreachable it logs one line, tries again less and less often (up to every
    SEAL_MAX_BACKOFF_SECONDS), and one line when sealing works again.
    """
    import logging

    from app.core.logs import JobHealth
    from app.extensions import socketio

    health = JobHealth(
        "ballot sealer", logging.getLogger(__name__), interval=SEAL_SECONDS, max_interval=SEAL_MAX_BACKOFF_SECONDS
    )

    def run():
        wait = SEAL_SECONDS
        while True:
            socketio.sleep(wait)
            try:
                with app.app_context():
                    seal_open_polls()
                wait = health.succeeded()
            except Exception as err:
                wait = health.failed(err)

    socketio.start_background_task(run)


# -- ballots ----------------------------------------------------------------------------------------

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
            insert_or_ignore(Participation.__table__).returning(Participation.voter_key),
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
    from app.core.metrics import VOTES
    from app.core.realtime import call_after_commit

    call_after_commit(lambda: VOTES.labels(poll_type).inc(stored))


def _same_or_refused(existing: Cast, choice: str) -> Cast | DomainError:
    return existing if existing.choice == choice else Conflict("already_voted", ALREADY_VOTED)


def _record(b, *, seq: int | None = None) -> tally.BallotRecord:
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
    )


def records(poll: Poll, *, sealed_only: bool = False) -> list[tally.BallotRecord]:
    """The poll's ballots as the chain covers them: sealed ones in chain order, then any not yet sealed."""
    query = select(Ballot).where(Ballot.poll_type == poll.poll_type, Ballot.poll_id == poll.subject_id)
    if sealed_only:
        query = query.where(Ballot.seq.is_not(None))
    rows = db.session.scalars(query.order_by(Ballot.seq.is_(None), Ballot.seq, Ballot.id))
    return [_record(b) for b in rows]


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


# -- certification and publication ------------------------------------------------------------------


def certifications(poll: Poll) -> list[Certification]:
    return list(db.session.scalars(select(Certification).where(Certification.poll_id == poll.id)))


def certify(poll: Poll, user_id: int, role: CertifierRole) -> Poll:
    """Sign the count as counter or scrutineer; with both signatures on the same numbers, publish.

    Two different people must sign (the database holds one signature per role and per person).
    A published count is frozen: later changes to the ballots show up in verification, not in it.
    The caller checks that the user may certify, and commits.
    """
    if poll.state == PollState.OPEN:
        raise DomainError("wrong_phase", _l("Close the vote before certifying the count."), status=409)
    if poll.state == PollState.PUBLISHED:
        raise Conflict("already_published", _l("This result is published and can no longer change."))
    signed = certifications(poll)
    if any(c.user_id == user_id for c in signed):
        raise Conflict("same_certifier", _l("You have certified this count already; a second person must sign."))
    if any(c.role == role for c in signed):
        raise Conflict("role_taken", _l("This role has signed already."))
    result = count(poll).as_dict()
    digest = tally.digest(result)
    check = verify(poll)
    if not check.ok:
        raise Conflict("count_broken", _l("The ballots do not verify; the count cannot be certified."))
    if any((c.head, c.digest) != (poll.head, digest) for c in signed):
        raise Conflict("certifiers_differ", _l("The two certifiers signed different counts."))
    try:
        with db.session.begin_nested():
            db.session.add(Certification(poll_id=poll.id, role=role, user_id=user_id, head=poll.head, digest=digest))
    except IntegrityError:
        raise Conflict("same_certifier", _l("This count has been signed by that person or in that role.")) from None
    signed = certifications(poll)
    if {c.role for c in signed} == set(CertifierRole):
        poll.state = PollState.PUBLISHED
        poll.published_at = utcnow()
        poll.result = json.dumps(result, ensure_ascii=False, sort_keys=True)
    db.session.flush()
    return poll


def published_result(poll: Poll) -> dict | None:
    return json.loads(poll.result) if poll.result else None


# -- verification -----------------------------------------------------------------------------------


@dataclass
class Verification:
    poll_id: int
    head: str
    length: int
    recount: dict
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(poll: Poll) -> Verification:
    """Recompute the chain and the count from the stored ballots and compare them with what was recorded:
    the head and length (now and at the close), the participation roll, and the published result.
    While voting is open, ballots not yet sealed are counted but are not a difference."""
    everything = records(poll)
    stored = [b for b in everything if b.seq]
    unsealed = len(everything) - len(stored)
    chain = tally.verify_chain(poll.poll_type, poll.subject_id, stored)
    recount = tally.count(everything).as_dict()
    problems = list(chain.problems)
    if chain.head != poll.head or chain.length != poll.length:
        problems.append(
            f"chain head {chain.head[:12]}… over {chain.length} ballots; recorded {poll.head[:12]}… over {poll.length}"
        )
    if poll.closed_head is not None and (poll.closed_head != chain.head or poll.closed_length != chain.length):
        problems.append(
            f"chain head {chain.head[:12]}… over {chain.length} ballots; at the close it was "
            f"{poll.closed_head[:12]}… over {poll.closed_length}"
        )
    if unsealed and poll.state != PollState.OPEN:
        problems.append(f"{unsealed} ballot(s) not in the chain after voting closed")
    took_part = db.session.scalar(
        select(func.count())
        .select_from(Participation)
        .where(Participation.poll_type == poll.poll_type, Participation.poll_id == poll.subject_id)
    )
    if took_part != len(everything):
        problems.append(f"{len(everything)} ballots but {took_part} voters recorded as taking part")
    published = published_result(poll)
    if published is not None and published != recount:
        problems.append("the recount differs from the published result")
    return Verification(poll_id=poll.id, head=chain.head, length=chain.length, recount=recount, problems=problems)


# -- objections during 公示 --------------------------------------------------------------------------


def object_to(poll: Poll, author_id: int, *, client_id: str, body: str) -> Objection:
    """Record an objection to a published result (idempotent on client_id). The caller checks the period."""
    body = (body or "").strip()
    if not 5 <= len(body) <= 2000:
        raise DomainError("bad_request", _l("Write your objection in 5 to 2000 characters."), field="body")
    client_id = validation.client_id(client_id)
    existing = db.session.scalar(
        select(Objection).where(
            Objection.poll_id == poll.id, Objection.author_id == author_id, Objection.client_id == client_id
        )
    )
    if existing is not None:
        return existing
    rate_limit("post", str(author_id), "RATELIMIT_POST")
    objection = Objection(poll_id=poll.id, author_id=author_id, client_id=client_id, body=body)
    try:
        with db.session.begin_nested():
            db.session.add(objection)
    except IntegrityError:
        existing = db.session.scalar(
            select(Objection).where(
                Objection.poll_id == poll.id, Objection.author_id == author_id, Objection.client_id == client_id
            )
        )
        if existing is None:
            raise
        return existing
    return objection


def answer_objection(objection: Objection, user_id: int, answer: str) -> Objection:
    """Answer an objection; the answer is shown beside it."""
    answer = (answer or "").strip()
    if not 2 <= len(answer) <= 2000:
        raise DomainError("bad_request", _l("Write an answer of 2 to 2000 characters."), field="answer")
    objection.answer = answer
    objection.answered_by_id = user_id
    objection.answered_at = utcnow()
    return objection


def objections(poll: Poll) -> list[Objection]:
    return list(db.session.scalars(select(Objection).where(Objection.poll_id == poll.id).order_by(Objection.id)))


# -- looking up a receipt ---------------------------------------------------------------------------

RECEIPT_NOT_FOUND = _l("No ballot has this tracking code. Check each character and try again.")


@dataclass(frozen=True)
class ReceiptLookup:
    """What a tracking code shows: the poll, the ballot's place in the chain and whether it is counted.
    The choice is shown only for a named ballot (a secret ballot's receipt proves nothing to a buyer)."""

    receipt: str
    poll: Poll
    subject: registry.Subject | None
    seq: int | None  # None until the ballot is sealed into the chain (within a second)
    hash: str | None
    choice: str | None
    counted: bool  # the poll is closed and the ballot is within the chain recorded at the close
    published: bool


def lookup_receipt(code: str) -> ReceiptLookup | None:
    """The ballot a tracking code names, or None."""
    ballot = ballot_by_receipt(normalise_receipt(code))
    if ballot is None:
        return None
    poll = find_poll(ballot.poll_type, ballot.poll_id)
    if poll is None:
        return None
    subject = registry.describe(poll.poll_type, poll.subject_id)
    counted = (
        poll.state != PollState.OPEN
        and poll.closed_length is not None
        and ballot.seq is not None
        and ballot.seq <= poll.closed_length
    )
    choice = None
    if not poll.secret:
        choice = subject.choice_label(ballot.choice) if subject else ballot.choice
    return ReceiptLookup(
        receipt=ballot.receipt,
        poll=poll,
        subject=subject,
        seq=ballot.seq,
        hash=ballot.hash,
        choice=choice,
        counted=counted,
        published=poll.state == PollState.PUBLISHED,
    )


def receipts_of(user_id: int) -> list[ReceiptLookup]:
    """The member's own ballots, found through what they took part in (the code is recomputed, never stored
    beside their name)."""
    taken = db.session.execute(
        select(Participation.poll_type, Participation.poll_id, Participation.voter_key).where(
            Participation.voter_id == user_id
        )
    ).all()
    found = [lookup_receipt(receipt_for(poll_type, poll_id, key)) for poll_type, poll_id, key in taken]
    return sorted((f for f in found if f is not None), key=lambda f: f.poll.opened_at, reverse=True)
