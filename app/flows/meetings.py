"""Meetings wired to the rest: what an agenda item may point to (motions, ideas, micro-projects, owners'
decisions: each with its feature's own rule for who sees it), the notices of a scheduled meeting, the
reminders the day before and an hour before, and the consultation's online room counting people online."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.communities.access import Viewer
from app.consultations import permissions as consultation_permissions
from app.consultations import services as consultation_services
from app.consultations import signals as consultation_signals
from app.consultations.labels import MOTION_STATE_LABELS
from app.consultations.models import Motion
from app.core.clock import local_time, local_today
from app.decisions import permissions as decision_permissions
from app.decisions.labels import STATE_LABELS as DECISION_STATE_LABELS
from app.decisions.models import Decision
from app.extensions import db
from app.flows.notices import _path
from app.ideas import permissions as idea_permissions
from app.ideas.labels import STATUS_LABELS as IDEA_STATUS_LABELS
from app.ideas.models import Idea
from app.meetings import registry
from app.meetings import services as meeting_services
from app.meetings import signals as meeting_signals
from app.meetings.models import Meeting, MeetingState
from app.meetings.registry import ItemKind, Linked
from app.microprojects import permissions as project_permissions
from app.microprojects.labels import STATUS_LABELS as PROJECT_STATUS_LABELS
from app.microprojects.models import MicroProject
from app.notifications import kinds, schedule
from app.notifications.kinds import Importance
from app.notifications.services import notify

kinds.register("meeting_scheduled", Importance.INFO, _l("A meeting (议事会) you are invited to"))
kinds.register("meeting_reminder", Importance.ACTION, _l("A meeting tomorrow or within the hour"))
kinds.register("meeting_minutes", Importance.INFO, _l("A meeting's minutes published for 公示"))
kinds.register("meeting_changed", Importance.INFO, _l("A meeting moved to another time or place, or cancelled"))

CANDIDATES = 50  # how many of each kind the agenda form offers


def _kind(name, label, model, can_view, endpoint, arg, status_of, *, scoped: Callable | None = None) -> ItemKind:
    def resolve(viewer: Viewer, ref_id: int) -> Linked | None:
        obj = db.session.get(model, ref_id)
        if obj is None or _community_of(obj) != viewer.community_id or not can_view(viewer, obj):
            return None
        return Linked(name, obj.id, _title_of(obj), _path(endpoint, **{arg: obj.id}), str(status_of(obj)))

    def candidates(viewer: Viewer, consultation) -> list[tuple[int, str]]:
        query = select(model).order_by(model.id.desc()).limit(CANDIDATES)
        query = scoped(query, consultation) if scoped else query.where(model.community_id == viewer.community_id)
        return [(o.id, _title_of(o)) for o in db.session.scalars(query) if can_view(viewer, o)]

    return registry.register(ItemKind(name, label, resolve, candidates))


def _community_of(obj) -> int:
    return obj.consultation.community_id if isinstance(obj, Motion) else obj.community_id


def _title_of(obj) -> str:
    return obj.text[:100] if isinstance(obj, Motion) else obj.title


_kind(
    "motion",
    _l("Motion"),
    Motion,
    consultation_permissions.can_view_motion,
    "consultations.room",
    "consultation_id",
    lambda m: MOTION_STATE_LABELS[m.state],
    scoped=lambda query, consultation: query.where(Motion.consultation_id == consultation.id),
)
_kind("idea", _l("Golden idea"), Idea, idea_permissions.can_view, "ideas.show", "idea_id",
      lambda i: IDEA_STATUS_LABELS[i.status])  # fmt: skip
_kind("project", _l("Micro-project"), MicroProject, project_permissions.can_view, "microprojects.show",
      "project_id", lambda p: PROJECT_STATUS_LABELS[p.status])  # fmt: skip
_kind("decision", _l("Owners' decision"), Decision, decision_permissions.can_view, "decisions.show",
      "decision_id", lambda d: DECISION_STATE_LABELS[d.state])  # fmt: skip


@meeting_signals.meeting_under_way.connect
def _meeting_under_way(meeting, under_way, **_):
    """The consultation's room counts its joiners at the meeting only while one is under way."""
    consultation_services.set_meeting_under_way(meeting.consultation, under_way)


@consultation_signals.room_entered.connect
def _room_entered(consultation, viewer, **_):
    """Someone in the consultation's online room while its meeting is under way is counted online."""
    meeting_services.note_online(viewer, consultation)


@meeting_signals.meeting_scheduled.connect
def _meeting_scheduled(meeting, recipients, actor, **_):
    when = local_time(meeting.starts_at).strftime("%Y-%m-%d %H:%M")
    for user in recipients:
        notify(
            user,
            "meeting_scheduled",
            _l("Meeting “%(title)s”: %(when)s at %(place)s.", title=meeting.title, when=when, place=meeting.place),
            url=_path("meetings.show", meeting_id=meeting.id),
            community_id=meeting.community_id,
            key=meeting.notification_key,
        )


@meeting_signals.minutes_published.connect
def _minutes_published(meeting, recipients, actor, **_):
    until = local_time(meeting.objections_until).strftime("%Y-%m-%d %H:%M")
    for user in recipients:
        notify(
            user,
            "meeting_minutes",
            _l(
                "The minutes of “%(title)s” are published; objections until %(until)s.",
                title=meeting.title,
                until=until,
            ),
            url=_path("meetings.show", meeting_id=meeting.id),
            community_id=meeting.community_id,
            key=f"{meeting.notification_key}:minutes",
        )


def _stamp(meeting: Meeting) -> str:
    """The meeting's start, in the reminders' keys: a reminder sent for the old time is sent again for a new
    one (a meeting moved after its day-before reminder is reminded of again)."""
    return str(int(meeting.starts_at.timestamp()))


@meeting_signals.meeting_moved.connect
def _meeting_moved(meeting, recipients, actor, old_start, old_place, **_):
    when = local_time(meeting.starts_at).strftime("%Y-%m-%d %H:%M")
    places = "-".join(str(zlib.crc32(p.encode())) for p in (old_place, meeting.place))
    key = f"{meeting.notification_key}:moved:{int(old_start.timestamp())}-{_stamp(meeting)}:{places}"
    for user in recipients:
        notify(
            user,
            "meeting_changed",
            _l(
                "The meeting “%(title)s” has moved: now %(when)s at %(place)s.",
                title=meeting.title,
                when=when,
                place=meeting.place,
            ),
            url=_path("meetings.show", meeting_id=meeting.id),
            community_id=meeting.community_id,
            key=key,
        )


@meeting_signals.meeting_cancelled.connect
def _meeting_cancelled(meeting, recipients, actor, **_):
    for user in recipients:
        notify(
            user,
            "meeting_changed",
            _l(
                "The meeting “%(title)s” is cancelled: %(reason)s",
                title=meeting.title,
                reason=meeting.cancel_reason,
            ),
            url=_path("meetings.show", meeting_id=meeting.id),
            community_id=meeting.community_id,
            key=f"{meeting.notification_key}:cancelled",
        )


def _remind(meeting: Meeting, key: str, message) -> int:
    sent = 0
    for membership in meeting_services.members_in_scope(meeting):
        item = notify(
            membership.user,
            "meeting_reminder",
            message,
            url=_path("meetings.show", meeting_id=meeting.id),
            community_id=meeting.community_id,
            key=f"{meeting.notification_key}:{_stamp(meeting)}:{key}",
        )
        sent += item is not None
    return sent


def _meetings_coming(now) -> int:
    """The scheduler's reminders: the day before (Beijing day) and within the hour, once each per person."""
    sent = 0
    query = select(Meeting).where(
        Meeting.state == MeetingState.SCHEDULED, Meeting.starts_at > now, Meeting.starts_at <= now + timedelta(days=2)
    )
    tomorrow = local_today(now) + timedelta(days=1)
    for meeting in db.session.scalars(query).all():
        at = local_time(meeting.starts_at)
        if meeting.starts_at - now <= timedelta(hours=1):
            message = _l(
                "The meeting “%(title)s” starts at %(time)s at %(place)s.",
                title=meeting.title,
                time=at.strftime("%H:%M"),
                place=meeting.place,
            )
            sent += _remind(meeting, "hour", message)
        elif at.date() == tomorrow:
            message = _l(
                "Tomorrow at %(time)s: the meeting “%(title)s” at %(place)s.",
                title=meeting.title,
                time=at.strftime("%H:%M"),
                place=meeting.place,
            )
            sent += _remind(meeting, "day", message)
    return sent


schedule.register("meetings_coming", _meetings_coming)
