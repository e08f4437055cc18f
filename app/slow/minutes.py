"""The slow section of a consultation's minutes: its replies, thread by thread (a hidden one as hidden by the
moderator, with the reason, as a hidden speech is), and each slow proposal's result. Registered with the
consultations' minutes (app/consultations/minutes_slow.py), which do not import this package."""

from __future__ import annotations

from sqlalchemy import func, select

from app.consultations import minutes_slow
from app.consultations.labels import MOTION_STATE_LABELS
from app.consultations.minutes_slow import ProposalRecord, ReplyRecord, SlowRecord
from app.consultations.models import Consultation, Motion, MotionState
from app.extensions import db
from app.slow.labels import STANCE_LABELS
from app.slow.models import Position, Reply

COUNTED = (MotionState.CARRIED, MotionState.FAILED)


def _replies(consultation: Consultation) -> tuple[ReplyRecord, ...]:
    rows = list(db.session.scalars(select(Reply).where(Reply.consultation_id == consultation.id).order_by(Reply.id)))
    answers: dict[int, list[Reply]] = {}
    for reply in rows:
        if reply.parent_id is not None:
            answers.setdefault(reply.parent_id, []).append(reply)
    records = []
    threads = [r for r in rows if r.parent_id is None]
    for n, thread in enumerate(threads, start=1):
        records.append(_record(thread, str(n), answer=False))
        records.extend(_record(a, f"{n}.{m}", answer=True) for m, a in enumerate(answers.get(thread.id, []), 1))
    return tuple(records)


def _record(reply: Reply, no: str, *, answer: bool) -> ReplyRecord:
    hidden = reply.is_hidden
    return ReplyRecord(
        no=no,
        at=reply.created_at,
        author=reply.author.name,
        stance=str(STANCE_LABELS[reply.stance]) if reply.stance else None,
        body=(reply.hidden_reason or "") if hidden else reply.body,
        hidden=hidden,
        answer=answer,
        edited=reply.edited_at is not None,
    )


def _proposals(consultation: Consultation, motion_no: dict[int, int]) -> tuple[ProposalRecord, ...]:
    motions = list(
        db.session.scalars(
            select(Motion)
            .where(Motion.consultation_id == consultation.id, Motion.closes_at.is_not(None))
            .order_by(Motion.id)
        )
    )
    if not motions:
        return ()
    counts = dict(
        db.session.execute(
            select(Position.motion_id, func.count())
            .where(Position.motion_id.in_([m.id for m in motions]))
            .group_by(Position.motion_id)
        ).all()
    )
    return tuple(
        ProposalRecord(
            no=motion_no.get(m.id, 0),
            text=m.text,
            closes_at=m.closes_at,
            result=str(MOTION_STATE_LABELS[m.state]),
            positions=counts.get(m.id, 0),
            votes_for=m.votes_for,
            votes_against=m.votes_against,
            abstentions=m.abstentions,
            carried=m.state == MotionState.CARRIED,
            counted=m.state in COUNTED,
        )
        for m in motions
    )


def slow_record(consultation: Consultation, motion_no: dict[int, int]) -> SlowRecord | None:
    """The replies and the proposals, or None when the consultation has neither (it never ran slow)."""
    record = SlowRecord(replies=_replies(consultation), proposals=_proposals(consultation, motion_no))
    return record or None


minutes_slow.register("slow", slow_record)
