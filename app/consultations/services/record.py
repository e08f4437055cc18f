"""The record of a concluded consultation: its minutes (会议纪要), as plain data for the page and the DOCX."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.communities.access import Viewer
from app.consultations import minutes_slow
from app.consultations.labels import (
    BADGE_LABELS,
    MODERATION_LABELS,
    MOTION_STATE_LABELS,
    PARTY_LABELS,
    STANCE_LABELS,
)
from app.consultations.minutes import AttendeeRecord, EventRecord, MinutesData, MotionRecord, SpeechRecord
from app.consultations.models import Attendance, Consultation, Motion, MotionState, Party, Phase, Speech
from app.consultations.services.display import badges_for
from app.consultations.services.shared import check_view
from app.core.errors import DomainError
from app.extensions import db
from app.moderation import services as moderation
from app.procedure.labels import describe_changes
from app.procedure.versions import governing_label


def _in_order(model, consultation: Consultation) -> list:
    return list(db.session.scalars(select(model).where(model.consultation_id == consultation.id).order_by(model.id)))


def minutes(viewer: Viewer, consultation: Consultation) -> MinutesData:
    """The minutes of a concluded consultation."""
    check_view(viewer, consultation)
    if consultation.phase not in (Phase.CONCLUDED, Phase.ARCHIVED):
        raise DomainError("wrong_phase", _l("The minutes are published when the consultation concludes."), status=409)
    attendance = _in_order(Attendance, consultation)
    speeches = _in_order(Speech, consultation)
    motions = _in_order(Motion, consultation)
    badges = badges_for(consultation, {a.user_id for a in attendance} | {s.author_id for s in speeches})
    motion_no = {m.id: n for n, m in enumerate(motions, start=1)}
    speech_no = {s.id: n for n, s in enumerate(speeches, start=1)}
    return MinutesData(
        community=consultation.community.name,
        title=consultation.title,
        scope=consultation.building.name if consultation.building else str(_l("Whole community")),
        chair=consultation.chair.name,
        rules_name=governing_label(consultation.rule_set),
        parties=tuple(str(PARTY_LABELS[Party(p)]) for p in consultation.parties),
        opened_at=consultation.opened_at,
        concluded_at=consultation.concluded_at,
        attendance=tuple(
            AttendeeRecord(a.user.name, tuple(str(BADGE_LABELS[b]) for b in badges.get(a.user_id, [])))
            for a in attendance
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
        events=tuple(_event(entry, speech_no) for entry in moderation.room_history(consultation.room)),
        slow=minutes_slow.gather(consultation, motion_no),  # filled by app/slow when it ran in slow mode
    )


def _event(entry, speech_no: dict[int, int]) -> EventRecord:
    """One line of the moderator log as the minutes record it."""
    label = MODERATION_LABELS.get(entry.action)
    on_speech = entry.target_type == Speech.__tablename__
    return EventRecord(
        at=entry.created_at,
        action=str(label) if label is not None else entry.action,
        member=entry.target_user.name if entry.target_user_id and entry.target_user else None,
        by=entry.actor.name if entry.actor_id and entry.actor else None,
        detail=describe_changes(entry.reason) if entry.action == "rules" else entry.reason or "",
        until=entry.until,
        speech_no=speech_no.get(entry.target_id) if on_speech else None,
    )
