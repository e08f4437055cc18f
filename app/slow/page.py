"""What the slow consultation's page shows, gathered in a few queries (its render is measured: bench/slow.py)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.communities.access import Viewer
from app.consultations import permissions as consultation_permissions
from app.consultations import services as consultations
from app.consultations.models import Attendance, Consultation, Motion
from app.core.models import utcnow
from app.extensions import db
from app.moderation import services as moderation
from app.procedure.engine import Refusal
from app.slow import permissions, services
from app.slow.models import Position
from app.voting import services as voting


def writes_due(viewer: Viewer, consultation: Consultation, motion: Motion | None) -> bool:
    """Whether the page has something to write before it is read (most views have not: then nothing is
    committed, and nothing loaded is read again)."""
    if motion is not None and services.is_due(motion, utcnow()):
        return True
    if not consultation_permissions.can_speak(viewer, consultation):
        return False
    return not db.session.scalar(
        select(Attendance.id).where(Attendance.consultation_id == consultation.id, Attendance.user_id == viewer.user_id)
    )


def prepare(viewer: Viewer, consultation: Consultation, motion: Motion | None) -> None:
    """The page's writes, before it is read: a proposal whose time has passed is closed, the visit of a
    participant is noted (as the live room notes it)."""
    if motion is not None:
        services.close_if_due(motion)
    consultations.record_attendance(viewer, consultation)


@dataclass
class Page:
    threads: services.Threads
    proposal: Motion | None
    open: bool
    distribution: services.Distribution | None
    mine: Position | None
    reasons: list[Position]
    more_reasons: bool
    reasons_page: int
    receipt: str | None
    poll_id: int | None
    can_reply: bool
    why_not_reply: str | None
    can_put: bool
    can_state: bool
    why_not_state: str | None
    can_switch: bool
    can_moderate: bool
    can_report: bool
    is_slow: bool
    muted_until: object


def _why(code: str | None, consultation: Consultation) -> str | None:
    return str(consultations.refuse(Refusal(code), consultation).message) if code else None


def gather(
    viewer: Viewer,
    consultation: Consultation,
    motion: Motion | None,
    *,
    before: int | None,
    reasons_page: int,
    whole: int | None = None,
) -> Page:
    now = utcnow()
    is_open = motion is not None and services.is_open(motion, now)
    reasons, more = services.reasons(motion, reasons_page) if motion is not None else ([], False)
    receipt = poll_id = None
    if motion is not None and not is_open:
        ballot = voting.find_ballot(consultations.POLL, motion.id, viewer.user_id)
        receipt = ballot.receipt if ballot else None
        poll = voting.find_poll(consultations.POLL, motion.id)
        poll_id = poll.id if poll else None
    cannot_speak = consultation_permissions.refusal_to_speak(viewer, consultation)
    cannot_vote = consultation_permissions.refusal_to_vote(viewer, consultation)
    return Page(
        threads=services.threads(viewer, consultation, before, whole),
        proposal=motion,
        open=is_open,
        distribution=services.distribution(motion) if motion is not None else None,
        mine=services.mine(viewer, motion) if motion is not None else None,
        reasons=reasons,
        more_reasons=more,
        reasons_page=reasons_page,
        receipt=receipt,
        poll_id=poll_id,
        can_reply=cannot_speak is None,
        why_not_reply=_why(cannot_speak, consultation),
        can_put=permissions.can_put_proposal(viewer, consultation),
        can_state=cannot_vote is None,
        why_not_state=_why(cannot_vote, consultation),
        can_switch=permissions.can_switch_mode(viewer, consultation),
        can_moderate=permissions.can_moderate(viewer, consultation),
        can_report=permissions.can_report(viewer, consultation),
        is_slow=services.is_slow(consultation),
        muted_until=moderation.muted_until(consultation.room, viewer.user_id),
    )
