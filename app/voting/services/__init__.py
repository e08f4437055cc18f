"""Polls and ballots: open, cast (idempotently, into the hash chain), close, count, certify, verify.

These are the shared mechanics under motions, contests and owners' decisions. Who may vote, when, and for
what is each feature's business: its services check that, then call these. Nothing here commits: the
caller's edge does. Two edges of their own commit, each documented where it does: the background sealer
(voting.services.sealer) and the vote group-commit (core.batching).

    receipts       tracking codes (回执码) and voter keys
    polls          open, close, seal into the chain
    ballots        cast, and what was cast: counts, turnout, voters
    certification  certify and publish, verify, objections during 公示
    lookup         what a tracking code shows
    sealer         the background sealer (an edge: it commits)

`from app.voting import services as voting; voting.cast(...)` reaches every use case from here.
"""

from app.voting.services.ballots import (
    ALREADY_VOTED,
    Cast,
    CastRequest,
    Turnout,
    ballot_by_receipt,
    cast,
    cast_many,
    casts_by_receipt,
    count,
    counts,
    find_ballot,
    has_voted,
    records,
    turnout,
    voters,
)
from app.voting.services.certification import (
    POLL_OBJECTIONS,
    Verification,
    answer_objection,
    certifications,
    certify,
    get_objection,
    object_to,
    objections,
    published_result,
    verify,
)
from app.voting.services.lookup import RECEIPT_NOT_FOUND, ReceiptLookup, lookup_receipt, receipts_of
from app.voting.services.polls import close_poll, find_poll, find_polls, get_poll, open_poll, seal
from app.voting.services.receipts import (
    RECEIPT_ALPHABET,
    RECEIPT_LENGTH,
    household_key,
    normalise_receipt,
    receipt_for,
    user_key,
)
from app.voting.services.sealer import SEAL_SECONDS, seal_open_polls, start_sealer

__all__ = [
    "ALREADY_VOTED",
    "POLL_OBJECTIONS",
    "RECEIPT_ALPHABET",
    "RECEIPT_LENGTH",
    "RECEIPT_NOT_FOUND",
    "SEAL_SECONDS",
    "Cast",
    "CastRequest",
    "ReceiptLookup",
    "Turnout",
    "Verification",
    "answer_objection",
    "ballot_by_receipt",
    "cast",
    "cast_many",
    "casts_by_receipt",
    "certifications",
    "certify",
    "close_poll",
    "count",
    "counts",
    "find_ballot",
    "find_poll",
    "find_polls",
    "get_objection",
    "get_poll",
    "has_voted",
    "household_key",
    "lookup_receipt",
    "normalise_receipt",
    "object_to",
    "objections",
    "open_poll",
    "published_result",
    "receipt_for",
    "receipts_of",
    "records",
    "seal",
    "seal_open_polls",
    "start_sealer",
    "turnout",
    "user_key",
    "verify",
    "voters",
]
