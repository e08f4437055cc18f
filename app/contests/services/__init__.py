"""Proposal-contest use cases: create, follow the phase dates, submit and screen entries, vote, count,
certify, publish, object; the winners are granted as micro-projects by app.flows.contests.

Every use case takes the `Viewer` (app.communities.access) as its actor, checks the feature's permissions
with it, and flushes: the edge (a view, a socket handler) commits once.

- common: limits, the phase order, the visibility check, local end-of-day dates
- phases: creating a contest and the phase machine (`sync` follows the dates, `advance` by staff)
- entries: submitting and screening entries; the winners' side of the grant
- ballots: the ballot, receipts and turnout
- results: counting, certification and publication, objections, the room's state
"""

from app.contests.labels import PHASE_LABELS, ROLE_LABELS, STATUS_LABELS, UNIT_LABELS  # noqa: F401
from app.contests.services.ballots import (  # noqa: F401
    check_voter,
    my_receipt,
    parse_choice,
    review_ballot,
    turnout,
    vote,
    voter_key,
)
from app.contests.services.common import (  # noqa: F401
    MAX_BUDGET_FEN,
    MAX_CHOICES,
    MAX_WINNERS,
    MIN_ANNOUNCEMENT,
    NAMESPACE,
    NEXT,
    ORDER,
    POLL_TYPE,
    check_visible,
    eligible_entries,
    poll_of,
)
from app.contests.services.entries import (  # noqa: F401
    check_may_enter,
    entering_for,
    entries_from_idea,
    entry_of_project,
    guidance_choices,
    link_project,
    may_enter,
    screen,
    submit_entry,
    winners_to_grant,
)
from app.contests.services.phases import (  # noqa: F401
    advance,
    create,
    deadline,
    listing,
    refusal,
    sync,
    unscreened,
)
from app.contests.services.results import (  # noqa: F401
    Result,
    Standing,
    answer_objection,
    certifiers,
    certify,
    contest_dict,
    get_objection,
    object_to,
    objections,
    rank,
    result,
    result_dict,
    result_of,
    room_state,
)
from app.core.clock import end_of_day, last_day  # noqa: F401
