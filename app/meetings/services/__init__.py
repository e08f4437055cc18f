"""Meeting use cases. Each takes the acting `Viewer` first, checks it with the meeting's permissions, changes
state and flushes; the edge commits once, and what the room is told leaves after that commit.

planning (the draft, the agenda, scheduling), editing (changing, cancelling, the agenda's order),
signin (the hall's QR code, staff ticks, the online room),
running (the agenda under way, closing, publishing, objections), record (the minutes), shared."""

from app.meetings.services.editing import cancel, changeable, check_changeable, edit, move_item
from app.meetings.services.planning import add_item, create, remove_item, schedule
from app.meetings.services.record import minutes
from app.meetings.services.running import (
    answer,
    close,
    item_dict,
    next_item,
    object_to,
    objections,
    objections_open,
    open_meeting,
    publish,
)
from app.meetings.services.shared import EARLY, PUBLICITY_DAYS, Quorum, attendances, members_in_scope, quorum, window
from app.meetings.services.signin import note_online, refusal, sign_in, tick, token

__all__ = [
    "EARLY",
    "PUBLICITY_DAYS",
    "Quorum",
    "add_item",
    "answer",
    "attendances",
    "cancel",
    "changeable",
    "check_changeable",
    "close",
    "create",
    "edit",
    "item_dict",
    "members_in_scope",
    "minutes",
    "move_item",
    "next_item",
    "note_online",
    "object_to",
    "objections",
    "objections_open",
    "open_meeting",
    "publish",
    "quorum",
    "refusal",
    "remove_item",
    "schedule",
    "sign_in",
    "tick",
    "token",
    "window",
]
