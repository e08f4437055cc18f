"""Neighbourhood-group use cases. Each takes the acting `Viewer` first, checks it with `permissions`, changes
state and flushes; the edge commits once. groups: setting up, joining and leaving, the group's consultations
and its yearly summary; lifecycle: editing and dissolving a group; board: the help board's posts and their
moderation."""

from app.neighbours.services.board import (
    REPORTS_TO_HIDE,
    hide,
    mark_done,
    mute,
    post,
    release,
    report,
    restore,
    set_locked,
    share_contact,
    take,
    thank,
    withdraw,
)
from app.neighbours.services.groups import (
    create,
    join,
    leave,
    summary,
)
from app.neighbours.services.lifecycle import DISSOLVED, check_active, dissolve, update

__all__ = [
    "DISSOLVED",
    "REPORTS_TO_HIDE",
    "check_active",
    "create",
    "dissolve",
    "hide",
    "join",
    "leave",
    "mark_done",
    "mute",
    "post",
    "release",
    "report",
    "restore",
    "set_locked",
    "share_contact",
    "summary",
    "take",
    "thank",
    "update",
    "withdraw",
]
