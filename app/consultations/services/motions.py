"""Motions (动议): moved, seconded, debated, put to the vote by the chair, closed and recorded.
The votes themselves are written in batches (votes.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.communities.access import Viewer
from app.communities.models import Membership
from app.consultations import permissions, signals
from app.consultations.models import Attendance, Consultation, Motion, MotionState, Phase
from app.consultations.services.display import floor_dict, motion_dict
from app.consultations.services.shared import (
    NAMESPACE,
    POLL,
    as_member,
    check_view,
    end_floor,
    hands,
    pending_motions,
    refuse,
)
from app.core import validation
from app.core.errors import DomainError, Forbidden
from app.core.models import utcnow
from app.core.realtime import emit_after_commit
from app.extensions import db
from app.moderation import services as moderation
from app.procedure import engine
from app.procedure.engine import Choice, Refusal
from app.voting import services as voting


def pending_motion(consultation: Consultation) -> Motion | None:
    pending = pending_motions(consultation)
    return pending[0] if pending else None


def announce_motion(consultation: Consultation, motion: Motion) -> None:
    db.session.flush()
    emit_after_commit("motion", with_tally(consultation, motion), namespace=NAMESPACE, to=consultation.room)


def with_tally(consultation: Consultation, motion: Motion, *, eligible=None) -> dict:
    """The motion, and while it is being voted on how many may vote and how many have (never how): the
    room shows "应到 12 人，已投 5 人". Not part of every join's answer (it reads the whole attendance); the
    page, the call of the vote and the coalesced broadcast after votes carry it. `eligible`: how to count who
    may vote (by default eligible_voters; the broadcast after votes counts only those new since its last)."""
    payload = motion_dict(motion)
    if motion.state == MotionState.VOTING:
        poll = voting.find_poll(POLL, motion.id)
        voted = voting.turnout(poll).voted if poll is not None else 0
        payload["votes_cast"] = voted
        payload["eligible"] = max((eligible or eligible_voters)(consultation), voted)
    return payload


def move(viewer: Viewer, consultation: Consultation, *, client_id, text) -> Motion:
    """Move a motion; one pending main motion at a time. A retry returns the same motion."""
    check_view(viewer, consultation)
    client_id = validation.client_id(client_id)
    existing = db.session.scalar(
        select(Motion).where(
            Motion.consultation_id == consultation.id, Motion.mover_id == viewer.user_id, Motion.client_id == client_id
        )
    )
    if existing is not None:
        return existing
    barred = permissions.refusal_to_vote(viewer, consultation)
    if barred is not None:
        raise refuse(Refusal(barred), consultation)
    if consultation.phase != Phase.OPEN:
        raise refuse(Refusal("wrong_phase"), consultation)
    if consultation.locked and not permissions.is_chair(viewer, consultation):
        raise refuse(Refusal("locked"))
    if moderation.muted_until(consultation.room, viewer.user_id) is not None:
        raise refuse(Refusal("muted"))
    text = validation.text(text, field="text", low=1, high=500, message=_l("A motion is 1 to 500 characters."))
    if pending_motion(consultation) is not None:
        raise DomainError("motion_pending", _l("Another motion is pending; it must be decided first."), status=409)
    rules = consultation.rule_set.to_rules()
    if permissions.is_chair(viewer, consultation) and rules.chair_neutral:
        raise refuse(Refusal("rule_chair_neutral"))
    now = utcnow()
    motion = Motion(
        consultation_id=consultation.id,
        mover_id=viewer.user_id,
        client_id=client_id,
        text=text,
        state=MotionState.MOVED if rules.second_required else MotionState.DEBATE,
        created_at=now,
    )
    db.session.add(motion)
    consultation.last_activity_at = now
    db.session.flush()
    announce_motion(consultation, motion)
    return motion


def second(viewer: Viewer, motion: Motion) -> Motion:
    """Second a moved motion, which opens its debate."""
    consultation = motion.consultation
    check_view(viewer, consultation)
    if motion.state == MotionState.DEBATE and viewer.is_user(motion.seconder_id):
        return motion
    if motion.state != MotionState.MOVED:
        raise DomainError("wrong_phase", _l("This motion is not waiting for a second."), status=409)
    barred = permissions.refusal_to_vote(viewer, consultation)
    refusal = engine.check_second(
        consultation.rule_set.to_rules(),
        is_mover=viewer.is_user(motion.mover_id),
        is_chair=permissions.is_chair(viewer, consultation),
        can_vote=barred is None,
        barred=barred or "not_verified",
    )
    if refusal is not None:
        raise refuse(refusal, consultation)
    motion.state = MotionState.DEBATE
    motion.seconder = viewer.user
    motion.seconded_at = utcnow()
    announce_motion(consultation, motion)
    return motion


def withdraw(viewer: Viewer, motion: Motion) -> Motion:
    """The mover withdraws the motion before it is put to the vote."""
    consultation = motion.consultation
    check_view(viewer, consultation)
    if not permissions.can_withdraw(viewer, motion):
        raise Forbidden(_l("Only the mover can withdraw a motion."))
    if motion.state not in (MotionState.MOVED, MotionState.DEBATE):
        raise DomainError("wrong_phase", _l("This motion can no longer be withdrawn."), status=409)
    motion.state = MotionState.WITHDRAWN
    motion.closed_at = utcnow()
    announce_motion(consultation, motion)
    return motion


def call_vote(viewer: Viewer, motion: Motion) -> Motion:
    """The chair puts a debated motion to the vote."""
    consultation = motion.consultation
    check_view(viewer, consultation)
    if not permissions.can_chair(viewer, consultation):
        raise Forbidden(_l("Only the chair can call the vote."))
    if motion.state == MotionState.VOTING:
        return motion
    if motion.is_slow_proposal:
        # positions are stated until its closing time, then counted (app.slow): the chair does not call it
        raise DomainError(
            "slow_proposal", _l("This proposal closes at its closing time; it is not called."), status=409
        )
    if motion.state != MotionState.DEBATE:
        message = (
            _l("The motion needs a second before it can be debated and voted.")
            if motion.state == MotionState.MOVED
            else _l("This motion is not under debate.")
        )
        raise DomainError("wrong_phase", message, status=409)
    if consultation.phase not in (Phase.OPEN, Phase.VOTING):
        raise refuse(Refusal("wrong_phase"), consultation)
    motion.state = MotionState.VOTING
    motion.vote_opened_at = utcnow()
    voting.open_poll(community_id=consultation.community_id, poll_type=POLL, subject_id=motion.id)
    end_floor(consultation)
    for hand in hands(consultation):
        db.session.delete(hand)
    db.session.flush()
    emit_after_commit("floor", floor_dict(consultation, utcnow()), namespace=NAMESPACE, to=consultation.room)
    announce_motion(consultation, motion)
    signals.motion_vote_called.send(motion, consultation=consultation, actor=viewer.user)  # participants told
    return motion


def close_vote(viewer: Viewer, motion: Motion) -> Motion:
    """The chair closes the vote: the count against quorum and threshold decides, and it is recorded."""
    consultation = motion.consultation
    check_view(viewer, consultation)
    if not permissions.can_chair(viewer, consultation):
        raise Forbidden(_l("Only the chair can close the vote."))
    if motion.state in (MotionState.CARRIED, MotionState.FAILED):
        return motion
    if motion.state != MotionState.VOTING:
        raise DomainError("wrong_phase", _l("This motion is not being voted on."), status=409)
    count_the_vote(consultation, motion)
    return motion


def eligible_voters(consultation: Consultation) -> int:
    """Who could vote: those who came into the room and may vote (the parties: not residents the rule set
    only lets speak), less a neutral chair."""
    return eligible_attendees(consultation)[0]


def eligible_attendees(consultation: Consultation, after: int = 0, *, known=frozenset()) -> tuple[int, int]:
    """eligible_voters() over the attendance rows after the id `after` only, and the last such id: a count
    kept up to date by adding only who came in since (votes.py's live count). `known`: ids of attendance rows
    already found to be of members who may vote (the batch of votes that wrote them checked just that), counted
    without loading their memberships again."""
    if known:
        rows = db.session.execute(
            select(Attendance.id).where(Attendance.consultation_id == consultation.id, Attendance.id > after)
        ).scalars()
        ids = list(rows)
        unknown = [i for i in ids if i not in known]
        last = max(ids, default=after)
        if not unknown:
            return len(ids), last
        count, _last = _eligible_of(consultation, Attendance.id.in_(unknown))
        return len(ids) - len(unknown) + count, last
    return _eligible_of(consultation, Attendance.id > after, after)


def _eligible_of(consultation: Consultation, which, after: int = 0) -> tuple[int, int]:
    """How many of these attendance rows (`which`) are of members who may vote, and the last row's id."""
    rows = db.session.execute(
        select(Membership, Attendance.id)
        .join(Attendance, Attendance.user_id == Membership.user_id)
        .where(
            Attendance.consultation_id == consultation.id,
            which,
            Membership.community_id == consultation.community_id,
        )
        .options(selectinload(Membership.household))
    ).all()
    chair_neutral = consultation.rule_set.chair_neutral
    community = consultation.community
    count = sum(
        1
        for m, _id in rows
        if permissions.can_vote(as_member(m, community), consultation)
        and not (chair_neutral and m.user_id == consultation.chair_id)
    )
    return count, max((attendance_id for _m, attendance_id in rows), default=after)


def count_the_vote(consultation: Consultation, motion: Motion) -> None:
    """Close the motion's poll and record its outcome (closing the vote, or concluding the consultation)."""
    poll = voting.find_poll(POLL, motion.id)
    if poll is not None:
        voting.close_poll(poll)
    counts = voting.counts(POLL, motion.id)
    result = engine.outcome(
        consultation.rule_set.to_rules(),
        counts.get(Choice.FOR.value, 0),
        counts.get(Choice.AGAINST.value, 0),
        counts.get(Choice.ABSTAIN.value, 0),
        max(eligible_voters(consultation), sum(counts.values())),
    )
    motion.votes_for, motion.votes_against, motion.abstentions = (
        result.votes_for,
        result.votes_against,
        result.abstentions,
    )
    motion.eligible = result.eligible
    motion.quorum_met = result.quorum_met
    motion.state = MotionState.CARRIED if result.carried else MotionState.FAILED
    motion.closed_at = utcnow()
    consultation.last_activity_at = motion.closed_at
    announce_motion(consultation, motion)
