"""Who is at the meeting: the hall's QR sign-in (a signed token valid only in the meeting's window), staff
ticking those without a phone, and those in the consultation's online room during the meeting."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update

from app.communities.access import Viewer
from app.communities.models import Membership
from app.consultations.models import Consultation
from app.core import audit
from app.core.errors import DomainError, Forbidden
from app.core.models import insert_or_ignore, utcnow
from app.extensions import db
from app.meetings import permissions
from app.meetings.models import Meeting, MeetingAttendance, MeetingState, Via
from app.meetings.services.shared import check_view, in_window, window

SALT = "yishi-meeting-sign-in"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token(meeting: Meeting) -> str:
    """The token on the printed sheet: the meeting and its window, signed (a changed time voids it)."""
    start, end = window(meeting)
    return _serializer().dumps([meeting.id, int(start.timestamp()), int(end.timestamp())])


def _check_token(meeting: Meeting, value) -> None:
    try:
        meeting_id, start, end = _serializer().loads(str(value or ""))
    except (BadSignature, TypeError, ValueError):
        meeting_id = start = end = None
    expected = window(meeting)
    if meeting_id != meeting.id or (start, end) != tuple(int(t.timestamp()) for t in expected):
        raise DomainError(
            "bad_token",
            _l("This sign-in code is not this meeting's. Scan the code on the sheet in the hall."),
            status=400,
        )


def _outside_window(meeting: Meeting) -> DomainError:
    return DomainError(
        "outside_window",
        _l("Sign-in is open only from 30 minutes before the meeting until it ends."),
        status=409,
    )


def refusal(viewer: Viewer, meeting: Meeting, code, *, now: datetime | None = None) -> DomainError | None:
    """Why the viewer cannot sign in with this code now (the sign-in page says it before the tap), or None."""
    try:
        _check_token(meeting, code)
    except DomainError as err:
        return err
    if meeting.state == MeetingState.CANCELLED:
        return DomainError("wrong_state", _l("This meeting was cancelled."), status=409)
    if not in_window(meeting, now or utcnow()):
        return _outside_window(meeting)
    if not permissions.can_sign_in(viewer, meeting):
        return Forbidden(_l("This meeting is for the residents of its building and the consultation's parties."))
    found = db.session.scalar(
        select(MeetingAttendance.via).where(
            MeetingAttendance.meeting_id == meeting.id, MeetingAttendance.user_id == viewer.user_id
        )
    )
    if found is not None and found != Via.ONLINE:
        return _already()
    return None


def _already() -> DomainError:
    return DomainError("already_signed_in", _l("You have already signed in to this meeting."), status=409)


def sign_in(viewer: Viewer, meeting: Meeting, code, *, now: datetime | None = None) -> MeetingAttendance:
    """Sign the viewer in in the hall, once. Twice, outside the window or with a wrong code: a clear refusal,
    nothing stored. Someone already counted online who then scans in the hall is recorded as in the hall.
    Scans racing each other (two phones, a double tap) are decided by the database: one wins."""
    check_view(viewer, meeting)
    refused = refusal(viewer, meeting, code, now=now)
    if refused is not None:
        raise refused
    if not _claim(meeting, viewer.user_id, Via.HALL, None):
        raise _already()
    return _attendance(meeting, viewer.user_id)


def _claim(meeting: Meeting, user_id: int, via: Via, ticked_by_id: int | None) -> bool:
    """Record the person in the hall: a new row, or their online row moved to the hall. False when they were
    in the hall already (another scan or a tick won), in one statement each, under the unique constraint."""
    values = {"via": via.value, "ticked_by_id": ticked_by_id}
    inserted = db.session.execute(
        insert_or_ignore(MeetingAttendance)
        .values(meeting_id=meeting.id, user_id=user_id, created_at=utcnow(), **values)
        .returning(MeetingAttendance.id)
    ).scalar()
    if inserted is None:
        inserted = db.session.execute(
            update(MeetingAttendance)
            .where(
                MeetingAttendance.meeting_id == meeting.id,
                MeetingAttendance.user_id == user_id,
                MeetingAttendance.via == Via.ONLINE,
            )
            .values(**values)
            .returning(MeetingAttendance.id)
            .execution_options(synchronize_session=False)
        ).scalar()
    return inserted is not None


def _attendance(meeting: Meeting, user_id: int) -> MeetingAttendance | None:
    """The person's row as the database has it now (a claim may have changed it behind the session)."""
    return db.session.scalar(
        select(MeetingAttendance)
        .where(MeetingAttendance.meeting_id == meeting.id, MeetingAttendance.user_id == user_id)
        .execution_options(populate_existing=True)
    )


def tick(viewer: Viewer, meeting: Meeting, user_id, *, present: bool = True, now: datetime | None = None) -> None:
    """Staff tick a member without a phone as present in the hall (or untick a tick of their own making)."""
    check_view(viewer, meeting)
    if not permissions.can_tick(viewer, meeting):
        raise Forbidden(_l("Only community staff and those who run the meeting tick the list."))
    if not in_window(meeting, now or utcnow()):
        raise _outside_window(meeting)
    membership = (
        db.session.scalar(
            select(Membership).where(Membership.user_id == user_id, Membership.community_id == meeting.community_id)
        )
        if isinstance(user_id, int)
        else None
    )
    if membership is None or not membership.is_verified:
        raise DomainError("bad_request", _l("Choose a member of this community from the list."), field="user_id")
    if not present:
        found = _attendance(meeting, user_id)
        if found is not None and found.via == Via.TICKED:
            db.session.delete(found)
            db.session.flush()
        return
    if not _claim(meeting, user_id, Via.TICKED, viewer.user_id):
        raise DomainError("already_signed_in", _l("This person is already signed in."), status=409)
    audit.record(viewer.user, "meeting.tick", meeting, community_id=meeting.community_id, user=user_id)
    db.session.flush()


def note_online(viewer: Viewer, consultation: Consultation) -> None:
    """A participant came into the consultation's online room: counted online at its meeting under way."""
    if viewer.user_id is None:
        return
    meeting_id = db.session.scalar(
        select(Meeting.id).where(Meeting.consultation_id == consultation.id, Meeting.state == MeetingState.OPEN)
    )
    if meeting_id is None:
        return
    db.session.execute(
        insert_or_ignore(MeetingAttendance).values(
            meeting_id=meeting_id, user_id=viewer.user_id, via=Via.ONLINE.value, created_at=utcnow()
        )
    )
