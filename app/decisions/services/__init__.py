"""Owners' decision use cases: thresholds, drafting, freezing the roll, named votes online, paper ballots
entered twice and reconciled, closing, certification and publication (公示), objections.

The counting rules (art. 278, 法释〔2009〕7号 arts. 8–9) are `app.voting.tally`'s; this feature decides who
is a person on the roll and who votes for them, and keeps online and paper ballots to one per person.
Every use case takes the `Viewer` (app.communities.access) as its actor and flushes: the edge commits.

- common: the counters' check, the visibility check, the choice
- rules: the community's stricter thresholds
- drafting: drafting and revising a decision, the community's list
- roll: the roll of owners from the household register, frozen when voting opens
- ballots: named votes online, paper ballots and their reconciliation
- results: closing, certifying, the outcome, objections
- proxies: an owner's proxy (委托投票), appointed online or at the office, and the proxy's votes
"""

from app.decisions.services.ballots import (  # noqa: F401
    PaperState,
    active_proxy,
    ballot_of,
    correct_paper,
    enter_paper,
    paper_entry,
    paper_queue,
    paper_state,
    review_vote,
    unsettled_paper,
    vote,
    voter_entry,
)
from app.decisions.services.common import (  # noqa: F401
    MAX_PROXY_LIMIT,
    MAX_PUBLICITY_DAYS,
    MAX_VOTING_DAYS,
    POLL_TYPE,
    check_visible,
    poll_of,
    require_counter,
)
from app.decisions.services.drafting import create, decisions_of, update  # noqa: F401
from app.decisions.services.proxies import (  # noqa: F401
    ProxyView,
    appoint,
    held_by,
    owner_user_id,
    proxies_of,
    proxy_holders,
    proxy_view,
    record_office,
    review_proxy_vote,
    revoke,
    vote_as_proxy,
)
from app.decisions.services.results import (  # noqa: F401
    BuildingCount,
    Outcome,
    answer_objection,
    certify,
    close_voting,
    object_to,
    objections_of,
    outcome,
    turnout,
)
from app.decisions.services.roll import DraftRoll, draft_roll, open_voting, person_key, roll_of, unit_voter  # noqa: F401
from app.decisions.services.rules import check_not_laxer, rules_of, set_rules, thresholds_for  # noqa: F401
