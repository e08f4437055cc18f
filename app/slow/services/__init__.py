"""Slow deliberation use cases: each takes the acting `Viewer` first, checks it, changes state and flushes;
the edge commits once and what the page's room is told leaves after that commit.

    replies    post, edit, react, report, hide; the threads a page shows
    proposals  put with a closing time, positions until the close, the close into the verifiable poll,
               the switch between slow and live
"""

from app.slow.services.proposals import (
    Distribution,
    close_due,
    close_if_due,
    distribution,
    is_due,
    is_open,
    mine,
    proposal_of,
    put,
    reasons,
    state_position,
    switch_mode,
)
from app.slow.services.replies import (
    Threads,
    edit,
    hide,
    load_reply,
    post,
    react,
    reply_dict,
    report,
    restore,
    threads,
)
from app.slow.services.shared import NAMESPACE, is_slow, room_of

__all__ = [
    "NAMESPACE",
    "Distribution",
    "Threads",
    "close_due",
    "close_if_due",
    "distribution",
    "edit",
    "hide",
    "is_due",
    "is_open",
    "is_slow",
    "load_reply",
    "mine",
    "post",
    "proposal_of",
    "put",
    "react",
    "reasons",
    "reply_dict",
    "report",
    "restore",
    "room_of",
    "state_position",
    "switch_mode",
    "threads",
]
