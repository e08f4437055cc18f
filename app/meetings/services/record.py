"""The minutes of a meeting: attendance (hall and online), the agenda with its outcomes, and the speeches and
motions of the consultation's room while the meeting was under way, as the consultation's MinutesData (one
print page and one DOCX for both)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.communities.access import Viewer
from app.consultations.labels import MOTION_STATE_LABELS, PARTY_LABELS, STANCE_LABELS
from app.consultations.minutes import AgendaRecord, AttendeeRecord, MinutesData, MotionRecord, SpeechRecord
from app.consultations.models import Motion, MotionState, Party, Speech
from app.core.errors import DomainError
from app.extensions import db
from app.meetings import registry
from app.meetings.labels import VIA_LABELS
from app.meetings.models import IN_THE_HALL, Meeting, MeetingState
from app.meetings.services.shared import attendances, check_view


def _during(model, meeting: Meeting, column) -> list:
    query = select(model).where(
        model.consultation_id == meeting.consultation_id, column >= meeting.opened_at, column <= meeting.closed_at
    )
    return list(db.session.scalars(query.order_by(model.id)))


def _linked(viewer: Viewer, item) -> str:
    kind = registry.get(item.ref_kind)
    found = registry.resolve(viewer, item.ref_kind, item.ref_id)
    if kind is None or found is None:
        return ""
    status = f" ({found.status})" if found.status else ""
    return f"{kind.label}: {found.title}{status}"


def minutes(viewer: Viewer, meeting: Meeting) -> MinutesData:
    """The minutes of a meeting that is over."""
    check_view(viewer, meeting)
    if meeting.state != MeetingState.CLOSED:
        raise DomainError("wrong_state", _l("The minutes are written once the meeting is over."), status=409)
    consultation = meeting.consultation
    present = attendances(meeting)
    hall = sum(1 for a in present if a.via in IN_THE_HALL)
    speeches = _during(Speech, meeting, Speech.created_at)
    motions = _during(Motion, meeting, Motion.created_at)
    motion_no = {m.id: n for n, m in enumerate(motions, start=1)}
    return MinutesData(
        community=consultation.community.name,
        title=f"{consultation.title} · {meeting.title}",
        scope=f"{consultation.building.name if consultation.building else _('Whole community')} · {meeting.place}",
        chair=consultation.chair.name,
        rules_name=consultation.rule_set.name,
        parties=tuple(str(PARTY_LABELS[Party(p)]) for p in consultation.parties),
        opened_at=meeting.opened_at,
        concluded_at=meeting.closed_at,
        attendance=tuple(AttendeeRecord(a.user.name, (str(VIA_LABELS[a.via]),)) for a in present),
        agenda=tuple(
            AgendaRecord(no=i.position, title=i.title, linked=_linked(viewer, i), outcome=i.outcome)
            for i in meeting.items
        ),
        motions=tuple(
            MotionRecord(
                no=motion_no[m.id],
                text=m.text,
                mover=m.mover.name,
                seconder=m.seconder.name if m.seconder_id else None,
                state=str(MOTION_STATE_LABELS[m.state]),
                votes_for=m.votes_for,
                votes_against=m.votes_against,
                abstentions=m.abstentions,
                eligible=m.eligible,
                quorum_met=m.quorum_met,
                carried=m.state == MotionState.CARRIED,
            )
            for m in motions
        ),
        speeches=tuple(
            SpeechRecord(
                seq=n,
                at=s.created_at,
                author=s.author.name,
                stance=str(STANCE_LABELS[s.stance]) if s.stance else None,
                body=s.hidden_reason or "" if s.is_hidden else s.body,
                hidden=s.is_hidden,
                motion_no=motion_no.get(s.motion_id),
            )
            for n, s in enumerate(speeches, start=1)
        ),
        resolutions=tuple(m.text for m in motions if m.state == MotionState.CARRIED),
        labels={
            "title": _("%(community)s meeting minutes", community="{community}"),
            "attendance_count": _(
                "%(count)d people: %(hall)d in the hall, %(online)d online",
                count=len(present),
                hall=hall,
                online=len(present) - hall,
            ),
        },
    )
