"""Changing a meeting before it starts: its title, place, time and online room (a new time or place is told to
those in scope, and the reminders follow the new time), cancelling it with a reason, and the agenda's order
(up and down, before and during the meeting; an item taken up keeps its place)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.communities.access import Viewer
from app.core import audit, validation
from app.core.errors import DomainError, NotFound
from app.core.models import utcnow
from app.extensions import db
from app.meetings import signals
from app.meetings.models import AgendaItem, Meeting, MeetingState
from app.meetings.services.planning import online_room_of, place_of, title_of, when_of
from app.meetings.services.shared import check_manage, members_in_scope, wrong_state

UP, DOWN = "up", "down"


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def changeable(meeting: Meeting, now: datetime | None = None) -> bool:
    """Whether the meeting may still be changed or cancelled: prepared or announced, and not yet started."""
    return meeting.state in (MeetingState.DRAFT, MeetingState.SCHEDULED) and meeting.starts_at > (now or utcnow())


def check_changeable(meeting: Meeting, now: datetime | None = None) -> None:
    """Refuse (409, saying why) when the meeting was cancelled, is under way or is over: the edit page is not
    shown for a meeting that can no longer be changed."""
    _not_started(meeting, now or utcnow())


def _not_started(meeting: Meeting, now: datetime, *, cancelling: bool = False) -> None:
    if meeting.state == MeetingState.CANCELLED:
        raise wrong_state(_l("This meeting was cancelled."))
    if meeting.state in (MeetingState.OPEN, MeetingState.CLOSED) or meeting.starts_at <= now:
        if cancelling:
            raise wrong_state(_l("The meeting is under way or over: it can no longer be cancelled."))
        raise wrong_state(_l("The meeting has started: it can no longer be changed."))


def edit(
    viewer: Viewer,
    meeting: Meeting,
    *,
    title,
    place,
    online_room,
    starts_on,
    start_time,
    duration,
    now: datetime | None = None,
) -> Meeting:
    """Change a meeting that has not started. When a scheduled meeting's time or place changes, everyone in
    scope is told (once per change) and the reminders are sent again for the new time. The same form sent
    twice changes nothing the second time and tells nobody."""
    check_manage(viewer, meeting)
    _not_started(meeting, now or utcnow())
    title, place, online_room = title_of(title), place_of(place), online_room_of(online_room)
    starts_at, ends_at = when_of(starts_on, start_time, duration)
    before = (meeting.starts_at, meeting.place)
    moved = place != meeting.place or _minute(starts_at) != _minute(meeting.starts_at)
    moved = moved or _minute(ends_at) != _minute(meeting.ends_at)
    meeting.title, meeting.place, meeting.online_room = title, place, online_room
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    audit.record(viewer.user, "meeting.edit", meeting, community_id=meeting.community_id, moved=moved)
    db.session.flush()
    if moved and meeting.state == MeetingState.SCHEDULED:
        recipients = [m.user for m in members_in_scope(meeting) if m.user_id != viewer.user_id]
        signals.meeting_moved.send(
            meeting, recipients=recipients, actor=viewer.user, old_start=before[0], old_place=before[1]
        )
    return meeting


def cancel(viewer: Viewer, meeting: Meeting, reason, *, now: datetime | None = None) -> Meeting:
    """Call the meeting off, with a reason shown on its page and in the consultation's list of meetings; those
    in scope are told if it had been announced. Refused once it is under way or over."""
    check_manage(viewer, meeting)
    now = now or utcnow()
    _not_started(meeting, now, cancelling=True)
    reason = validation.text(
        reason, field="reason", low=2, high=500, message=_l("Give the reason in 2 to 500 characters.")
    )
    announced = meeting.state == MeetingState.SCHEDULED
    meeting.state, meeting.cancelled_at, meeting.cancel_reason = MeetingState.CANCELLED, now, reason
    audit.record(viewer.user, "meeting.cancel", meeting, community_id=meeting.community_id)
    db.session.flush()
    if announced:
        recipients = [m.user for m in members_in_scope(meeting) if m.user_id != viewer.user_id]
        signals.meeting_cancelled.send(meeting, recipients=recipients, actor=viewer.user)
    return meeting


def move_item(viewer: Viewer, meeting: Meeting, item_id, direction, at) -> AgendaItem:
    """Move an item up or down the agenda, before or during the meeting. `at` is the position the mover saw:
    when the item is no longer there (the same tap twice), nothing moves. An item taken up (under discussion
    or done) keeps its place, and nothing is moved above it."""
    check_manage(viewer, meeting)
    if meeting.state in (MeetingState.CLOSED, MeetingState.CANCELLED):
        raise wrong_state(_l("The meeting is over: its agenda no longer changes."))
    if direction not in (UP, DOWN):
        raise DomainError("bad_request", _l("Move the item up or down."), field="direction")
    db.session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())  # one move at a time
    items = list(
        db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position)
            .execution_options(populate_existing=True)
        )
    )
    item = next((i for i in items if isinstance(item_id, int) and i.id == item_id), None)
    if item is None:
        raise NotFound()
    if not isinstance(at, int) or item.position != at:
        return item  # already moved (a repeated tap) or the page was out of date: the agenda as it is now
    index = items.index(item)
    other_index = index - 1 if direction == UP else index + 1
    if not 0 <= other_index < len(items):
        return item  # already first or last
    other = items[other_index]
    if item.started_at is not None or other.started_at is not None:
        raise wrong_state(_l("An item already taken up keeps its place on the agenda."))
    first, second = item.position, other.position
    item.position = -first  # free the place: (meeting, position) is unique
    db.session.flush()
    other.position = first
    db.session.flush()
    item.position = second
    db.session.flush()
    meeting.items.sort(key=lambda i: i.position)
    audit.record(viewer.user, "meeting.move_item", meeting, community_id=meeting.community_id, item=item.id)
    return item
