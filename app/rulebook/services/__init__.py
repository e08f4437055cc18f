"""The community's rules, drafted, commented on, voted on and adopted. Nothing here commits: the edge does.

    drafting  a draft from a template; its comment period and its vote opened; withdrawn
    comments  comments during the period, moderated like speeches
    vote      the ballot, the close, the count in exact fractions, adoption

`from app.rulebook import services; services.vote(...)` reaches every use case from here."""

from app.core.clock import end_of_day, last_day
from app.rulebook.services.comments import comment, comments, hide, is_open, mute, report, restore
from app.rulebook.services.common import POLL_TYPE, check_visible, poll_of
from app.rulebook.services.drafting import (
    create,
    governing,
    listing,
    open_comments,
    open_vote,
    sources,
    update,
    withdraw,
)
from app.rulebook.services.vote import CHOICES, Result, check_voter, close, close_due, my_receipt, result, sync, vote

__all__ = [
    "CHOICES",
    "POLL_TYPE",
    "Result",
    "check_visible",
    "check_voter",
    "close",
    "close_due",
    "comment",
    "comments",
    "create",
    "end_of_day",
    "governing",
    "hide",
    "is_open",
    "last_day",
    "listing",
    "mute",
    "my_receipt",
    "open_comments",
    "open_vote",
    "poll_of",
    "report",
    "restore",
    "result",
    "sources",
    "sync",
    "update",
    "vote",
    "withdraw",
]
