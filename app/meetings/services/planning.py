"""Preparing a meeting: the draft, its agenda, and scheduling it (which tells those in scope)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.communities.access import Viewer
from app.consultations.models import Consultation, Phase
from app.consultations.services.shared import check_view as check_consultation
from app.core import audit, validation
from app.core.clock import local_zone
from app.core.errors import DomainError, Forbidden, NotFound
from app.core.models import utcnow
from app.extensions import db
from app.meetings import permissions, registry, signals
from app.meetings.models import AgendaItem, Meeting, MeetingState
from app.meetings.services.shared import check_manage, members_in_scope, wrong_state

MAX_ITEMS = 30
MAX_MINUTES = 8 * 60


def title_of(value) -> str:
    return validation.text(value, field="title", low=2, high=100, message=_l("Give a title of 2 to 100 characters."))


def place_of(value) -> str:
    return validation.text(value, field="place", low=2, high=100, message=_l("Say where: 2 to 100 characters."))


def online_room_of(value) -> str:
    """Where those not in the hall join besides the consultation's room (e.g. a 腾讯会议 number): optional."""
    if value is None or not str(value).strip():
        return ""
    return validation.text(
        value, field="online_room", low=1, high=200, message=_l("Say how to join online in at most 200 characters.")
    )


def when_of(day, at, minutes) -> tuple[datetime, datetime]:
    """The start (Beijing day and time) and the end; a start in the past is refused."""
    if not isinstance(day, date) or not isinstance(at, time):
        raise DomainError("bad_request", _l("Give the day and the time the meeting starts."), field="starts_on")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 15 <= minutes <= MAX_MINUTES:
        raise DomainError("bad_request", _l("A meeting lasts from 15 minutes to 8 hours."), field="duration_minutes")
    starts = datetime.combine(day, at, tzinfo=local_zone()).astimezone(utcnow().tzinfo)
    if starts <= utcnow():
        raise DomainError("in_the_past", _l("The meeting must start in the future."), field="starts_on")
    return starts, starts + timedelta(minutes=minutes)


def create(
    viewer: Viewer,
    consultation: Consultation,
    *,
    client_id,
    title,
    place,
    starts_on,
    start_time,
    duration,
    online_room="",
):
    """A draft meeting of the consultation; its agenda comes next. A retried form returns the first one."""
    check_consultation(viewer, consultation)
    if not permissions.can_plan(viewer, consultation):
        raise Forbidden(_l("Only the convenor, the chair and community staff prepare a meeting."))
    client_id = validation.client_id(client_id)
    existing = _by_client(viewer, consultation, client_id)
    if existing is not None:
        return existing
    starts_at, ends_at = when_of(starts_on, start_time, duration)
    meeting = Meeting(
        community_id=consultation.community_id,
        consultation=consultation,
        created_by_id=viewer.user_id,
        client_id=client_id,
        title=title_of(title),
        place=place_of(place),
        online_room=online_room_of(online_room),
        starts_at=starts_at,
        ends_at=ends_at,
        state=MeetingState.DRAFT,
    )
    try:
        with db.session.begin_nested():  # the same form twice at once: one meeting
            db.session.add(meeting)
            db.session.flush()
    except IntegrityError:
        existing = _by_client(viewer, consultation, client_id)
        if existing is None:
            raise
        return existing
    audit.record(viewer.user, "meeting.create", meeting, community_id=meeting.community_id)
    return meeting


def _by_client(viewer: Viewer, consultation: Consultation, client_id: str) -> Meeting | None:
    return db.session.scalar(
        select(Meeting).where(
            Meeting.consultation_id == consultation.id,
            Meeting.created_by_id == viewer.user_id,
            Meeting.client_id == client_id,
        )
    )


def _reference(viewer: Viewer, ref) -> tuple[str | None, int | None]:
    """ "idea:12" → ("idea", 12), if the viewer may see that idea of this community; "" → no reference."""
    if ref in (None, ""):
        return None, None
    kind, _, raw = str(ref).partition(":")
    try:
        ref_id = validation.id_arg(raw)
    except ValueError:
        ref_id = None
    if ref_id is None or registry.resolve(viewer, kind, ref_id) is None:
        raise DomainError("bad_request", _l("Choose an item of this community from the list."), field="ref")
    return kind, ref_id


def add_item(viewer: Viewer, meeting: Meeting, *, title, ref=None) -> AgendaItem:
    """Add an item at the end of the agenda, until the meeting is over."""
    check_manage(viewer, meeting)
    if meeting.state == MeetingState.CLOSED:
        raise wrong_state(_l("The meeting is over: its agenda no longer changes."))
    title = validation.text(
        title, field="title", low=2, high=200, message=_l("Give the item a title of 2 to 200 characters.")
    )
    kind, ref_id = _reference(viewer, ref)
    count = db.session.scalar(select(func.count()).select_from(AgendaItem).where(AgendaItem.meeting_id == meeting.id))
    if count >= MAX_ITEMS:
        raise DomainError("too_many", _l("An agenda holds at most 30 items."), field="title")
    last = db.session.scalar(select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id))
    item = AgendaItem(meeting=meeting, position=(last or 0) + 1, title=title, ref_kind=kind, ref_id=ref_id)
    db.session.add(item)
    db.session.flush()
    audit.record(viewer.user, "meeting.item", meeting, community_id=meeting.community_id, item=item.id)
    return item


def remove_item(viewer: Viewer, meeting: Meeting, item_id) -> None:
    """Take an item off the agenda while it is being prepared."""
    check_manage(viewer, meeting)
    if meeting.state != MeetingState.DRAFT:
        raise wrong_state(_l("The agenda was announced: items are no longer taken off."))
    item = db.session.get(AgendaItem, item_id) if isinstance(item_id, int) else None
    if item is None or item.meeting_id != meeting.id:
        raise NotFound()
    meeting.items.remove(item)
    db.session.flush()


def schedule(viewer: Viewer, meeting: Meeting) -> Meeting:
    """Announce the meeting to everyone in scope; a meeting with no agenda, or in the past, is refused."""
    check_manage(viewer, meeting)
    if meeting.state != MeetingState.DRAFT:
        raise wrong_state(_l("This meeting has already been scheduled."))
    if meeting.consultation.phase not in (Phase.OPEN, Phase.VOTING):
        raise DomainError("wrong_phase", _l("Open the consultation before scheduling its meeting."), status=409)
    if not meeting.items:
        raise DomainError("no_agenda", _l("Put at least one item on the agenda before scheduling the meeting."))
    if meeting.starts_at <= utcnow():
        raise DomainError("in_the_past", _l("The meeting must start in the future."))
    meeting.state, meeting.scheduled_at = MeetingState.SCHEDULED, utcnow()
    audit.record(viewer.user, "meeting.schedule", meeting, community_id=meeting.community_id)
    db.session.flush()
    recipients = [m.user for m in members_in_scope(meeting) if m.user_id != viewer.user_id]
    signals.meeting_scheduled.send(meeting, recipients=recipients, actor=viewer.user)
    return meeting
