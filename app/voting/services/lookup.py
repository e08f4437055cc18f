"""Looking up a tracking code: the ballot's place in the chain and whether it is counted."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.voting import registry
from app.voting.models import Participation, Poll, PollState
from app.voting.services.ballots import ballot_by_receipt
from app.voting.services.polls import find_poll
from app.voting.services.receipts import normalise_receipt, receipt_for

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
