"""Proposals of a slow consultation: a motion with a closing time; residents state a position with a reason
and change it until the close, which casts each last position as that member's ballot in the motion's
verifiable poll and counts it by the rules (the same poll, receipts and verify-count as a live vote)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.communities.access import Viewer
from app.consultations import permissions as consultation_permissions
from app.consultations import services as consultations
from app.consultations.models import Consultation, Motion, MotionState, Phase
from app.consultations.services.motions import count_the_vote
from app.core import validation
from app.core.errors import DomainError, Forbidden
from app.core.models import utcnow
from app.core.realtime import emit_after_commit
from app.extensions import db
from app.procedure import engine
from app.procedure.engine import Choice, Refusal
from app.slow import permissions
from app.slow.models import Position
from app.slow.services.shared import NAMESPACE, aware, check_view, is_chair, is_slow, muted, room_of
from app.voting import services as voting

SHORTEST = timedelta(hours=1)  # a proposal stays open at least this long
LONGEST = timedelta(days=30)
REASONS_PER_PAGE = 20


def proposal_of(consultation: Consultation) -> Motion | None:
    """The slow proposal open now, else the latest one (closed or not), else None."""
    return db.session.scalar(
        select(Motion)
        .where(Motion.consultation_id == consultation.id, Motion.closes_at.is_not(None))
        .order_by(Motion.id.desc())
        .limit(1)
    )


def is_open(motion: Motion, now: datetime) -> bool:
    return motion.state == MotionState.DEBATE and aware(motion.closes_at, now) > now


def is_due(motion: Motion, now: datetime) -> bool:
    """Past its closing time and not yet counted."""
    return motion.closes_at is not None and motion.state == MotionState.DEBATE and aware(motion.closes_at, now) <= now


def put(viewer: Viewer, consultation: Consultation, *, client_id, text, closes_at, now=None) -> Motion:
    """Put a proposal with its closing time (one pending at a time). A retry returns the same proposal."""
    check_view(viewer, consultation)
    client_id = validation.client_id(client_id)
    existing = db.session.scalar(
        select(Motion).where(
            Motion.consultation_id == consultation.id, Motion.mover_id == viewer.user_id, Motion.client_id == client_id
        )
    )
    if existing is not None:
        return existing
    if not permissions.can_put_proposal(viewer, consultation):
        barred = consultation_permissions.refusal_to_vote(viewer, consultation)
        raise consultations.refuse(Refusal(barred or "forbidden"), consultation)
    if not is_slow(consultation):
        raise consultations.refuse(Refusal("rule_not_slow"), consultation)
    if consultation.phase != Phase.OPEN:
        raise consultations.refuse(Refusal("wrong_phase"), consultation)
    if consultation.locked and not is_chair(viewer, consultation):
        raise consultations.refuse(Refusal("locked"))
    if muted(viewer, consultation):
        raise consultations.refuse(Refusal("muted"))
    text = validation.text(text, field="text", low=1, high=500, message=_l("A proposal is 1 to 500 characters."))
    now = now or utcnow()
    if not isinstance(closes_at, datetime):
        raise DomainError("bad_request", _l("Give the closing date and time."), field="closes_at")
    closes_at = aware(closes_at, now)
    if closes_at <= now:
        raise DomainError(
            "closes_in_past", _l("The closing time is in the past: choose a later one."), field="closes_at"
        )
    if closes_at < now + SHORTEST or closes_at > now + LONGEST:
        raise DomainError(
            "bad_request",
            _l("A proposal stays open at least one hour and at most 30 days."),
            field="closes_at",
            status=422,
        )
    if consultations.pending_motion(consultation) is not None:
        raise DomainError("motion_pending", _l("Another motion is pending; it must be decided first."), status=409)
    motion = Motion(
        consultation_id=consultation.id,
        mover_id=viewer.user_id,
        client_id=client_id,
        text=text,
        state=MotionState.DEBATE,  # no second in slow mode: the positions are the debate
        created_at=now,
        closes_at=closes_at,
    )
    db.session.add(motion)
    consultation.last_activity_at = now
    db.session.flush()
    emit_after_commit("proposal", {"id": motion.id}, namespace=NAMESPACE, to=room_of(consultation))
    return motion


@dataclass(frozen=True)
class Distribution:
    for_: int
    against: int
    abstain: int

    @property
    def total(self) -> int:
        return self.for_ + self.against + self.abstain

    def as_dict(self) -> dict:
        return {"for": self.for_, "against": self.against, "abstain": self.abstain, "total": self.total}


def distribution(motion: Motion) -> Distribution:
    """How many hold each position now (live, while open; the poll's count once closed)."""
    counts = dict(
        db.session.execute(
            select(Position.choice, func.count()).where(Position.motion_id == motion.id).group_by(Position.choice)
        ).all()
    )
    return Distribution(counts.get(Choice.FOR, 0), counts.get(Choice.AGAINST, 0), counts.get(Choice.ABSTAIN, 0))


def _announce(consultation: Consultation, motion: Motion) -> None:
    emit_after_commit(
        "positions",
        {"motion_id": motion.id, **distribution(motion).as_dict()},
        namespace=NAMESPACE,
        to=room_of(consultation),
    )


def state_position(viewer: Viewer, motion: Motion, *, choice, reason="", now=None) -> Position:
    """State (or change) a position with a reason, until the proposal closes."""
    consultation = motion.consultation
    check_view(viewer, consultation)
    if motion.closes_at is None:
        raise DomainError("bad_request", _l("This motion is voted on in the room."), status=400)
    try:
        choice = Choice(choice)
    except ValueError:
        raise DomainError("bad_request", _l("Choose in favour, against or abstain."), field="choice") from None
    reason = validation.text(
        reason or "", field="reason", low=0, high=500, message=_l("A reason can be at most 500 characters.")
    )
    now = now or utcnow()
    barred = consultation_permissions.refusal_to_vote(viewer, consultation)
    refusal = engine.check_position(
        eligible=barred is None,
        barred=barred or "not_verified",
        is_chair=is_chair(viewer, consultation),
        rules=consultation.rule_set.to_rules(),
        open_=is_open(motion, now) and consultation.phase == Phase.OPEN,
        muted=muted(viewer, consultation),
    )
    if refusal is not None:
        raise consultations.refuse(refusal, consultation)
    position = _mine(viewer, motion)
    if position is None:
        try:
            with db.session.begin_nested():
                position = Position(
                    consultation_id=consultation.id,
                    motion_id=motion.id,
                    user_id=viewer.user_id,
                    choice=choice,
                    reason=reason,
                    created_at=now,
                    updated_at=now,
                )
                db.session.add(position)
        except IntegrityError:
            position = _mine(viewer, motion)  # a double tap: the first one is there
    if (position.choice, position.reason) != (choice, reason):
        position.choice, position.reason = choice, reason
        position.updated_at = now
        position.changes += 1
    consultations.record_attendance(viewer, consultation)
    db.session.flush()
    _announce(consultation, motion)
    return position


def _mine(viewer: Viewer, motion: Motion) -> Position | None:
    return db.session.scalar(
        select(Position).where(Position.motion_id == motion.id, Position.user_id == viewer.user_id)
    )


def mine(viewer: Viewer, motion: Motion) -> Position | None:
    return _mine(viewer, motion)


def reasons(motion: Motion, page: int = 1) -> tuple[list[Position], bool]:
    """The positions with their reasons, latest change first, a page at a time (and whether more follow)."""
    rows = list(
        db.session.scalars(
            select(Position)
            .where(Position.motion_id == motion.id, Position.reason != "")
            .order_by(Position.updated_at.desc(), Position.id.desc())
            .offset((page - 1) * REASONS_PER_PAGE)
            .limit(REASONS_PER_PAGE + 1)
        )
    )
    return rows[:REASONS_PER_PAGE], len(rows) > REASONS_PER_PAGE


def close_if_due(motion: Motion, now: datetime | None = None) -> bool:
    """Close a proposal whose time has come: each last position becomes that member's ballot in the motion's
    poll (voter key, receipt, hash chain), the poll closes and is counted by the rules. Once only: the motion's
    row is taken first, so two closers (the tick, a page) do it once. The caller commits."""
    now = now or utcnow()
    if not is_due(motion, now):
        return False  # as loaded: not yet (the row is taken only when it may be due)
    db.session.execute(select(Motion.id).where(Motion.id == motion.id).with_for_update())
    db.session.refresh(motion, ["state", "closes_at"])
    if motion.closes_at is None or motion.state != MotionState.DEBATE or aware(motion.closes_at, now) > now:
        return False
    consultation = motion.consultation
    motion.state = MotionState.VOTING
    motion.vote_opened_at = motion.created_at
    poll = voting.open_poll(community_id=consultation.community_id, poll_type=consultations.POLL, subject_id=motion.id)
    positions = list(db.session.scalars(select(Position).where(Position.motion_id == motion.id).order_by(Position.id)))
    if positions:
        voting.cast_many(
            poll,
            [
                voting.CastRequest(voter_key=voting.user_key(p.user_id), voter_id=p.user_id, choice=p.choice.value)
                for p in positions
            ],
        )
    count_the_vote(consultation, motion)
    db.session.flush()
    emit_after_commit(
        "proposal", {"id": motion.id, "state": motion.state.value}, namespace=NAMESPACE, to=room_of(consultation)
    )
    return True


def close_due(now: datetime) -> int:
    """Every proposal past its closing time (the scheduler's tick): how many closed."""
    due = db.session.scalars(
        select(Motion).where(Motion.closes_at.is_not(None), Motion.closes_at <= now, Motion.state == MotionState.DEBATE)
    ).all()
    return sum(close_if_due(motion, now) for motion in due)


def switch_mode(viewer: Viewer, consultation: Consultation, mode) -> None:
    """The chair (or staff) move the consultation from slow to a live meeting (open or formal) and back: the
    rule set's mode changes, logged and announced like any change of rules; replies, positions and the open
    proposal stay."""
    check_view(viewer, consultation)
    if not permissions.can_switch_mode(viewer, consultation):
        raise Forbidden(_l("Only the chair moves the consultation between slow and live."))
    try:
        mode = engine.Mode(mode)
    except ValueError:
        raise DomainError("bad_request", _l("The mode is formal, open or slow."), field="mode") from None
    consultations.change_rules(viewer, consultation, {"mode": mode})
    emit_after_commit("mode", {"mode": mode.value}, namespace=NAMESPACE, to=room_of(consultation))
