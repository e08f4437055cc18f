"""Polls: open, close, and seal ballots into the poll's hash chain. The caller commits."""

from __future__ import annotations

from sqlalchemy import bindparam, select, update

from app.core import changes
from app.core.errors import NotFound
from app.core.models import utcnow
from app.extensions import db
from app.voting import tally
from app.voting.models import Ballot, Poll, PollState
from app.voting.services.ballots import as_record


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
            changes.within(
                update(Poll)
                .where(Poll.id == poll.id)
                .values(state=PollState.CLOSED, closed_head=Poll.head, closed_length=Poll.length, closed_at=utcnow()),
                [poll.community_id],
            )
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
            table.c.by_proxy,
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
        head = tally.link(head, poll.poll_type, poll.subject_id, as_record(row, seq=length))
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
