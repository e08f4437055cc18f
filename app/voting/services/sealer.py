"""The background sealer: every second, seal new ballots into their polls' chains.

The sealer is its own edge, like a CLI command: nobody else owns its transaction, so it commits, once per
poll it sealed (a failure on one poll keeps what the others sealed). One of the two documented exceptions to
"services never commit" (the other is the vote group-commit, core.batching)."""

from __future__ import annotations

import logging

from sqlalchemy import select

from app.core.logs import JobHealth
from app.extensions import db, socketio
from app.voting.models import Ballot, Poll, PollState
from app.voting.services.polls import seal

logger = logging.getLogger(__name__)


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
        db.session.commit()  # the sealer is its own edge (see above)
    return sealed


SEAL_SECONDS = 1.0
SEAL_MAX_BACKOFF_SECONDS = 30.0


def start_sealer(app) -> None:
    """In a server process: seal new ballots into their chains every second.

    While the database is unreachable it logs one line, tries again less and less often (up to every
    SEAL_MAX_BACKOFF_SECONDS), and one line when sealing works again.
    """
    health = JobHealth("ballot sealer", logger, interval=SEAL_SECONDS, max_interval=SEAL_MAX_BACKOFF_SECONDS)

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
