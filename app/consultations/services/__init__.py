"""Consultation use cases. Each takes the acting `Viewer` (app.communities.access) first, checks it with
the consultation's permissions and the rules of procedure, changes state and flushes; the edge (the HTTP
view, the socket handler) commits once, and what the room is told leaves after that commit.

    from app.consultations import services
    services.speak(viewer, consultation, client_id=..., body=...)

One module per part of the work: lifecycle (draft to archive, rules, lock), room (coming in, speeches,
the floor), motions, votes (written in batches: their own edge), moderating, record (the minutes),
display (the payloads the room shows) and shared (what they have in common)."""

from app.consultations.services.display import (
    badges_for,
    badges_of,
    consultation_dict,
    floor_dict,
    message_dict,
    messages,
    moderation_dict,
    motion_dict,
)
from app.consultations.services.joining import (
    PAGE,
    attend,
    consultation_of_room,
    entered,
    expect_join,
    history,
    join_state,
    room_counters,
    set_meeting_under_way,
)
from app.consultations.services.lifecycle import (
    ALLOWED_PHASES,
    chair_choices,
    change_rules,
    create_draft,
    list_for,
    phase_rank,
    rule_set_choices,
    set_locked,
    set_phase,
    update,
)
from app.consultations.services.moderating import hide, mute, report, warn
from app.consultations.services.motions import (
    call_vote,
    close_vote,
    eligible_voters,
    move,
    pending_motion,
    second,
    withdraw,
)
from app.consultations.services.record import minutes
from app.consultations.services.room import (
    Spoken,
    grant_floor,
    lower_hand,
    raise_hand,
    record_attendance,
    room_state,
    speak,
    yield_floor,
)
from app.consultations.services.shared import NAMESPACE, POLL, REFUSALS, refuse
from app.consultations.services.votes import Voted, VoteRequest, review_vote, submit_vote, vote, write_votes

__all__ = [
    "ALLOWED_PHASES",
    "NAMESPACE",
    "PAGE",
    "POLL",
    "REFUSALS",
    "Spoken",
    "VoteRequest",
    "Voted",
    "attend",
    "badges_for",
    "badges_of",
    "call_vote",
    "chair_choices",
    "change_rules",
    "close_vote",
    "consultation_dict",
    "consultation_of_room",
    "create_draft",
    "eligible_voters",
    "entered",
    "expect_join",
    "floor_dict",
    "grant_floor",
    "hide",
    "history",
    "join_state",
    "list_for",
    "lower_hand",
    "message_dict",
    "messages",
    "minutes",
    "moderation_dict",
    "motion_dict",
    "move",
    "mute",
    "pending_motion",
    "phase_rank",
    "raise_hand",
    "record_attendance",
    "refuse",
    "report",
    "review_vote",
    "room_counters",
    "room_state",
    "rule_set_choices",
    "second",
    "set_locked",
    "set_meeting_under_way",
    "set_phase",
    "speak",
    "submit_vote",
    "update",
    "vote",
    "warn",
    "withdraw",
    "write_votes",
    "yield_floor",
]
