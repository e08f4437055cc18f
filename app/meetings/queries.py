"""Reading meetings: a consultation's meetings, those coming up for a viewer (the home page asks), those
whose minutes were published lately."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.communities.access import Viewer
from app.consultations.models import Consultation
from app.core.models import utcnow
from app.extensions import db
from app.meetings import permissions
from app.meetings.models import Meeting, MeetingAttendance, MeetingState


def of_consultation(viewer: Viewer, consultation: Consultation) -> list[Meeting]:
    query = select(Meeting).where(Meeting.consultation_id == consultation.id).order_by(Meeting.starts_at.desc())
    return [m for m in db.session.scalars(query) if permissions.can_view(viewer, m)]


def upcoming(viewer: Viewer, *, days: int = 7) -> list[Meeting]:
    """Scheduled or open meetings in the viewer's scope within `days`, that they have not signed in to."""
    if viewer.user_id is None:
        return []
    now = utcnow()
    query = (
        select(Meeting)
        .where(
            Meeting.community_id == viewer.community_id,
            Meeting.state.in_((MeetingState.SCHEDULED, MeetingState.OPEN)),
            Meeting.ends_at > now,
            Meeting.starts_at < now + timedelta(days=days),
        )
        .options(joinedload(Meeting.consultation))
        .order_by(Meeting.starts_at)
        .limit(20)
    )
    found = [
        m for m in db.session.scalars(query) if permissions.can_view(viewer, m) and permissions.in_scope(viewer, m)
    ]
    if not found:
        return []
    signed = set(
        db.session.scalars(
            select(MeetingAttendance.meeting_id).where(
                MeetingAttendance.user_id == viewer.user_id, MeetingAttendance.meeting_id.in_([m.id for m in found])
            )
        )
    )
    return [m for m in found if m.id not in signed]


def recent(viewer: Viewer, limit: int) -> list[tuple[datetime, str, Meeting]]:
    """(when, "scheduled", "cancelled" or "published", meeting), newest first: meetings announced, called off
    and minutes published (one query: the meetings whose latest event is newest)."""
    latest = func.coalesce(Meeting.published_at, Meeting.cancelled_at, Meeting.scheduled_at)
    query = (
        select(Meeting)
        .where(Meeting.community_id == viewer.community_id, Meeting.scheduled_at.is_not(None))
        .options(joinedload(Meeting.consultation))
        .order_by(latest.desc())
        .limit(limit)
    )
    found = []
    for meeting in db.session.scalars(query):
        if permissions.can_view(viewer, meeting):
            found.append((meeting.scheduled_at, "scheduled", meeting))
            if meeting.cancelled_at is not None:
                found.append((meeting.cancelled_at, "cancelled", meeting))
            if meeting.published_at is not None:
                found.append((meeting.published_at, "published", meeting))
    return found
