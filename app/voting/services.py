"""Casting ballots (idempotently) and counting them."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core.errors import Conflict
from app.extensions import db
from app.voting.models import Ballot

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_receipt() -> str:
    """A tracking code (回执码) a voter can read out: 12 characters, no 0/O or 1/I."""
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))


def find_ballot(poll_type: str, poll_id: int, voter_id: int) -> Ballot | None:
    return db.session.scalar(
        select(Ballot).where(Ballot.poll_type == poll_type, Ballot.poll_id == poll_id, Ballot.voter_id == voter_id)
    )


def cast(*, community_id: int, poll_type: str, poll_id: int, voter_id: int, choice: str) -> Ballot:
    """Store one ballot; the caller commits. A retry with the same choice returns the same ballot;
    a different choice after voting is refused (a ballot is never changed)."""
    existing = find_ballot(poll_type, poll_id, voter_id)
    if existing is not None:
        if existing.choice == choice:
            return existing
        raise Conflict("already_voted", _l("You have voted already; a vote cannot be changed."))
    ballot = Ballot(
        community_id=community_id,
        poll_type=poll_type,
        poll_id=poll_id,
        voter_id=voter_id,
        choice=choice,
        receipt=new_receipt(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(ballot)
    except IntegrityError:
        # the same voter's other request won the race: answer as a retry would be answered
        existing = find_ballot(poll_type, poll_id, voter_id)
        if existing is not None and existing.choice == choice:
            return existing
        raise Conflict("already_voted", _l("You have voted already; a vote cannot be changed.")) from None
    return ballot


def counts(poll_type: str, poll_id: int) -> dict[str, int]:
    """Ballots per choice."""
    rows = db.session.execute(
        select(Ballot.choice, func.count())
        .where(Ballot.poll_type == poll_type, Ballot.poll_id == poll_id)
        .group_by(Ballot.choice)
    )
    return dict(rows.all())
