"""Running a meeting: open it, move through the agenda (the room is told live), close it, publish the
minutes for 公示, and objections with their answers."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from app.communities.access import Viewer
from app.consultations.services.shared import NAMESPACE
from app.core import audit, validation
from app.core.errors import Forbidden
from app.core.models import utcnow
from app.core.realtime import emit_after_commit
from app.extensions import db
from app.meetings import permissions, signals
from app.meetings.models import Meeting, MeetingState
from app.meetings.services.shared import (
    PUBLICITY_DAYS,
    check_manage,
    check_view,
    members_in_scope,
    window,
    wrong_state,
)
from app.objections import services as objection_kernel
from app.objections.models import Objection

OBJECTIONS = "meeting"  # the objections kernel's owner kind for a meeting's published minutes


def _outcome(value) -> str:
    value = "" if value is None else value
    if not str(value).strip():
        return ""
    return validation.text(
        value, field="outcome", low=1, high=2000, message=_l("Write the outcome in at most 2000 characters.")
    )


def item_dict(meeting: Meeting) -> dict:
    """What the room is told: the meeting and the item now under discussion (None: between items)."""
    item = meeting.current_item
    return {
        "meeting": meeting.id,
        "state": meeting.state.value,
        "item": {"id": item.id, "position": item.position, "title": item.title} if item else None,
    }


def _tell_the_room(meeting: Meeting) -> None:
    emit_after_commit("meeting_item", item_dict(meeting), namespace=NAMESPACE, to=meeting.consultation.room)


def open_meeting(viewer: Viewer, meeting: Meeting, *, now: datetime | None = None) -> Meeting:
    """Start the meeting (from 30 minutes before its time): the first item comes up."""
    check_manage(viewer, meeting)
    now = now or utcnow()
    if meeting.state != MeetingState.SCHEDULED:
        raise wrong_state(_l("Only a scheduled meeting can be opened."))
    start, end = window(meeting)
    if not start <= now <= end:
        raise wrong_state(_l("A meeting opens from 30 minutes before its time until its end."))
    meeting.state, meeting.opened_at = MeetingState.OPEN, now
    first = meeting.items[0]
    first.started_at = now
    meeting.current_item = first
    audit.record(viewer.user, "meeting.open", meeting, community_id=meeting.community_id)
    signals.meeting_under_way.send(meeting, under_way=True)
    db.session.flush()
    _tell_the_room(meeting)
    return meeting


def next_item(viewer: Viewer, meeting: Meeting, *, outcome="") -> Meeting:
    """The chair records the outcome of the item under discussion and moves to the next one."""
    check_manage(viewer, meeting)
    if meeting.state != MeetingState.OPEN:
        raise wrong_state(_l("The meeting is not under way."))
    outcome = _outcome(outcome)
    now = utcnow()
    current = meeting.current_item
    if current is not None:
        current.outcome, current.done_at = outcome or current.outcome, now
    later = [i for i in meeting.items if current is None or i.position > current.position]
    meeting.current_item = later[0] if later else None
    if meeting.current_item is not None:
        meeting.current_item.started_at = now
    audit.record(viewer.user, "meeting.next", meeting, community_id=meeting.community_id)
    db.session.flush()
    _tell_the_room(meeting)
    return meeting


def close(viewer: Viewer, meeting: Meeting, *, outcome="") -> Meeting:
    """End the meeting; the outcome given is the current item's."""
    check_manage(viewer, meeting)
    if meeting.state != MeetingState.OPEN:
        raise wrong_state(_l("The meeting is not under way."))
    outcome, now = _outcome(outcome), utcnow()
    if meeting.current_item is not None:
        meeting.current_item.outcome = outcome or meeting.current_item.outcome
        meeting.current_item.done_at = now
    meeting.current_item = None
    meeting.state, meeting.closed_at = MeetingState.CLOSED, now
    audit.record(viewer.user, "meeting.close", meeting, community_id=meeting.community_id)
    signals.meeting_under_way.send(meeting, under_way=False)
    db.session.flush()
    _tell_the_room(meeting)
    return meeting


def publish(viewer: Viewer, meeting: Meeting) -> Meeting:
    """Publish the minutes for 公示: members may object for PUBLICITY_DAYS days."""
    check_manage(viewer, meeting)
    if meeting.state != MeetingState.CLOSED:
        raise wrong_state(_l("The minutes are published once the meeting is over."))
    if meeting.published_at is not None:
        raise wrong_state(_l("The minutes are already published."))
    meeting.published_at = utcnow()
    meeting.objections_until = meeting.published_at + timedelta(days=PUBLICITY_DAYS)
    audit.record(viewer.user, "meeting.publish", meeting, community_id=meeting.community_id)
    db.session.flush()
    recipients = [m.user for m in members_in_scope(meeting) if m.user_id != viewer.user_id]
    signals.minutes_published.send(meeting, recipients=recipients, actor=viewer.user)
    return meeting


def objections_open(meeting: Meeting, now: datetime | None = None) -> bool:
    return meeting.objections_until is not None and (now or utcnow()) < meeting.objections_until


def object_to(viewer: Viewer, meeting: Meeting, *, client_id, body) -> Objection:
    """A verified member objects to the published minutes during 公示 (idempotent on client_id; the objections
    kernel, owner kind "meeting")."""
    check_view(viewer, meeting)
    if not permissions.can_object(viewer, meeting):
        raise Forbidden(_l("Verified members of the community raise objections."))
    objection = objection_kernel.object_to(
        OBJECTIONS,
        meeting.id,
        community_id=meeting.community_id,
        author_id=viewer.user_id,
        client_id=client_id,
        body=body,
        window_open=objections_open(meeting),
    )
    audit.record(viewer.user, "meeting.object", meeting, community_id=meeting.community_id)
    return objection


def answer(viewer: Viewer, meeting: Meeting, objection_id, text) -> Objection:
    """Those who run the meeting answer an objection; the answer is shown beside it."""
    check_view(viewer, meeting)
    if not permissions.can_answer(viewer, meeting):
        raise Forbidden(_l("Only the convenor, the chair and community staff answer objections."))
    objection = objection_kernel.answer(
        objection_kernel.get(OBJECTIONS, meeting.id, objection_id), viewer.user_id, text
    )
    audit.record(viewer.user, "meeting.answer", meeting, community_id=meeting.community_id)
    db.session.flush()
    return objection


def objections(meeting: Meeting) -> list[Objection]:
    return objection_kernel.of(OBJECTIONS, meeting.id)
