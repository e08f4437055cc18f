"""The live room: coming in, speeches, and the floor (formal mode: raise a hand, the chair gives the floor)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.communities import access
from app.communities.access import Viewer
from app.consultations import permissions
from app.consultations.models import Consultation, HandRaise, Motion, MotionState, Phase, Speech
from app.consultations.services.display import (
    badges_for,
    badges_of,
    consultation_dict,
    floor_dict,
    message_dict,
    messages,
    motion_dict,
)
from app.consultations.services.joining import note_attendance
from app.consultations.services.motions import pending_motion, with_tally
from app.consultations.services.shared import (
    NAMESPACE,
    POLL,
    check_view,
    end_floor,
    hands,
    pending_motions,
    refuse,
    seconds_left,
)
from app.core import validation
from app.core.errors import DomainError, Forbidden
from app.core.models import insert_or_ignore, utcnow
from app.core.ratelimit import hit as rate_limit
from app.core.realtime import emit_after_commit
from app.extensions import db
from app.moderation import services as moderation
from app.procedure import engine
from app.procedure.engine import Mode, QueueEntry, Refusal, RoomState, SpeakerState, Stance
from app.voting import services as voting


def _speaker(viewer: Viewer, consultation: Consultation, motion: Motion | None, now: datetime) -> SpeakerState:
    user_id = viewer.user_id
    counts = Speech.by_chair.is_(False)  # the speeches that count against a limit
    if consultation.rule_set.mode == Mode.FORMAL:
        counts &= Speech.motion_id == motion.id if motion is not None else Speech.motion_id.is_(None)
    barred = permissions.refusal_to_speak(viewer, consultation)
    speeches_so_far, last = db.session.execute(
        select(func.count().filter(counts), func.max(Speech.created_at)).where(
            Speech.consultation_id == consultation.id, Speech.author_id == user_id
        )
    ).one()
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=now.tzinfo)
    return SpeakerState(
        member_id=user_id,
        is_chair=permissions.is_chair(viewer, consultation),
        can_speak=barred is None,
        barred=barred or "not_verified",
        muted=moderation.muted_until(consultation.room, user_id) is not None,
        speeches_so_far=speeches_so_far,
        seconds_since_last=(now - last).total_seconds() if last is not None else None,
    )


def _room(consultation: Consultation, now: datetime, pending: list[Motion]) -> RoomState:
    """The room as the rules see it; `pending` is pending_motions() (a motion being voted on is one of them)."""
    return RoomState(
        phase_open=consultation.phase == Phase.OPEN,
        locked=consultation.locked,
        floor_holder=consultation.floor_holder_id,
        floor_seconds_left=seconds_left(consultation, now),
        voting=any(m.state == MotionState.VOTING for m in pending),  # debate stops while a motion is voted on
    )


def _parse_stance(value) -> Stance | None:
    if value in (None, ""):
        return None
    try:
        return Stance(value)
    except ValueError:
        raise DomainError("bad_request", _l("A stance is for, against or neutral."), field="stance") from None


def record_attendance(viewer: Viewer, consultation: Consultation) -> None:
    """Note that a participant (one who may speak) came into the room (once; see joining.note_attendance)."""
    note_attendance(viewer, consultation)


def _receipt(motion: Motion | None, viewer: Viewer) -> str | None:
    """The viewer's receipt for the pending motion, so a reloaded page does not offer the vote again."""
    if motion is None:
        return None
    ballot = voting.find_ballot(POLL, motion.id, viewer.user_id)
    return ballot.receipt if ballot else None


def room_state(viewer: Viewer, consultation: Consultation, after_id=None, *, tally: bool = False) -> dict:
    """What `join` answers: the consultation, rules, floor, pending motion and messages. Notes the
    participant's attendance (a write: the edge commits). `tally`: the page also says how many may vote
    and have voted on a motion being voted on (a join does not: it would read the whole attendance)."""
    check_view(viewer, consultation)
    if after_id is not None and (not isinstance(after_id, int) or isinstance(after_id, bool) or after_id < 0):
        raise DomainError("bad_request", _l("The request could not be understood."), field="after_id")
    record_attendance(viewer, consultation)
    cannot_speak = permissions.refusal_to_speak(viewer, consultation)
    cannot_vote = permissions.refusal_to_vote(viewer, consultation)
    speeches = messages(consultation, after_id)
    badges = badges_for(consultation, {s.author_id for s in speeches})
    motion = pending_motion(consultation)
    return {
        "consultation": consultation_dict(consultation),
        "rules": consultation.rule_set.to_dict(),
        "floor": floor_dict(consultation),
        "motion": (with_tally(consultation, motion) if tally else motion_dict(motion)) if motion else None,
        "messages": [message_dict(s, badges) for s in speeches],
        "you": {
            "id": viewer.user_id,
            "verified": viewer.is_verified,
            "receipt": _receipt(motion, viewer),
            "can_speak": cannot_speak is None,
            "can_vote": cannot_vote is None,
            # why not, in words (the room says so beside the speaking box and the motion)
            "why_not_speak": _why(cannot_speak, consultation),
            "why_not_vote": _why(cannot_vote, consultation),
            "is_chair": permissions.is_chair(viewer, consultation),
            "can_moderate": permissions.can_moderate(viewer, consultation),
        },
    }


def _why(code: str | None, consultation: Consultation) -> str | None:
    return str(refuse(Refusal(code), consultation).message) if code is not None else None


@dataclass(frozen=True)
class Spoken:
    """A speech as stored, and as the room heard it (the `message` event, which is also the speaker's answer)."""

    speech: Speech
    message: dict


def _spoken_before(viewer: Viewer, consultation: Consultation, client_id: str) -> Speech | None:
    return db.session.scalar(
        select(Speech).where(
            Speech.consultation_id == consultation.id,
            Speech.author_id == viewer.user_id,
            Speech.client_id == client_id,
        )
    )


def speak(
    viewer: Viewer,
    consultation: Consultation,
    *,
    client_id,
    body,
    stance=None,
    motion_id=None,
    now: datetime | None = None,
) -> Spoken:
    """Make a speech, within the rules. A retry with the same client_id returns the first speech."""
    check_view(viewer, consultation)
    badges = {viewer.user_id: badges_of(viewer.membership)}  # what badges_for() would find: the member here
    client_id = validation.client_id(client_id)
    existing = _spoken_before(viewer, consultation, client_id)
    if existing is not None:
        return Spoken(existing, message_dict(existing, badges))
    if not isinstance(body, str):
        raise DomainError("bad_request", _l("Write something to say."), field="body")
    body = body.strip()
    if not body:
        raise DomainError("bad_request", _l("Write something to say."), field="body")
    stance = _parse_stance(stance)
    now = now or utcnow()
    pending = pending_motions(consultation)
    motion = pending[0] if pending else None
    if motion_id is not None and (motion is None or motion_id != motion.id):
        raise DomainError("bad_request", _l("You can only speak on the motion under debate."), field="motion_id")
    on_motion = motion is not None and motion.state in (MotionState.MOVED, MotionState.DEBATE)
    speaker = _speaker(viewer, consultation, motion, now)
    refusal = engine.check_speech(
        consultation.rule_set.to_rules(),
        _room(consultation, now, pending),
        speaker,
        length=len(body),
        stance=stance,
        on_motion=on_motion,
    )
    if refusal is not None:
        raise refuse(refusal, consultation)
    rate_limit("speak", str(viewer.user_id), "RATELIMIT_SPEAK")
    speech = db.session.scalar(
        insert_or_ignore(Speech)
        .values(
            consultation_id=consultation.id,
            author_id=viewer.user_id,
            client_id=client_id,
            body=body,
            stance=stance,
            motion_id=motion.id if on_motion else None,
            by_chair=speaker.is_chair,
            created_at=now,
        )
        .returning(Speech)
    )
    if speech is None:
        # the same retry raced itself (its client_id is taken): the first one stored it
        first = _spoken_before(viewer, consultation, client_id)
        return Spoken(first, message_dict(first, badges))
    if consultation.rule_set.mode == Mode.FORMAL and not speaker.is_chair:
        # one turn on the floor, one speech
        if stance in (Stance.FOR, Stance.AGAINST):
            consultation.last_stance = stance
        end_floor(consultation)
        emit_after_commit("floor", floor_dict(consultation, now), namespace=NAMESPACE, to=consultation.room)
    consultation.last_activity_at = now
    db.session.flush()
    message = message_dict(speech, badges)
    emit_after_commit("message", message, namespace=NAMESPACE, to=consultation.room)
    return Spoken(speech, message)


def raise_hand(viewer: Viewer, consultation: Consultation, stance=None) -> dict:
    """Ask for the floor (formal mode)."""
    check_view(viewer, consultation)
    stance = _parse_stance(stance)
    now = utcnow()
    pending = pending_motions(consultation)
    motion = pending[0] if pending else None
    refusal = engine.check_raise_hand(
        consultation.rule_set.to_rules(),
        _room(consultation, now, pending),
        _speaker(viewer, consultation, motion, now),
        stance,
        on_motion=motion is not None,
    )
    if refusal is not None:
        raise refuse(refusal, consultation)
    hand = db.session.scalar(
        select(HandRaise).where(HandRaise.consultation_id == consultation.id, HandRaise.user_id == viewer.user_id)
    )
    if hand is None:
        try:
            with db.session.begin_nested():
                db.session.add(HandRaise(consultation_id=consultation.id, user_id=viewer.user_id, stance=stance))
        except IntegrityError:
            pass
    elif hand.stance != stance:
        hand.stance = stance
    return _floor_changed(consultation, now)


def lower_hand(viewer: Viewer, consultation: Consultation) -> dict:
    """Leave the queue."""
    check_view(viewer, consultation)
    for hand in hands(consultation):
        if viewer.is_user(hand.user_id):
            db.session.delete(hand)
    return _floor_changed(consultation, utcnow())


def grant_floor(viewer: Viewer, consultation: Consultation, target_user_id) -> dict:
    """The chair gives the floor to a member, for the rule set's floor time: only to a member who could use
    it (not muted, not at the speech limit; not while a vote is under way or the room is locked)."""
    check_view(viewer, consultation)
    if not permissions.can_chair(viewer, consultation):
        raise Forbidden(_l("Only the chair can give the floor."))
    rules = consultation.rule_set.to_rules()
    if rules.mode != Mode.FORMAL:
        raise refuse(Refusal("rule_open_mode"), consultation)
    target = db.session.get(User, target_user_id) if isinstance(target_user_id, int) else None
    member = access.viewer(target, consultation.community) if target is not None else None
    if member is None or not permissions.can_speak(member, consultation):
        raise DomainError("not_found", _l("This member is not taking part in this consultation."), status=404)
    now = utcnow()
    pending = pending_motions(consultation)
    motion = pending[0] if pending else None
    refusal = engine.check_floor_for(
        rules, _room(consultation, now, pending), _speaker(member, consultation, motion, now)
    )
    if refusal is not None:
        raise refuse(Refusal(refusal.code, (*refusal.params, ("name", target.name))), consultation)
    raised = hands(consultation)
    queue = [QueueEntry(h.user_id, h.stance, h.id) for h in raised]
    chosen = next((e for e in queue if e.member_id == target.id), QueueEntry(target.id, None, 0))
    refusal = engine.check_grant(rules, queue, consultation.last_stance, chosen)
    if refusal is not None:
        raise refuse(refusal, consultation)
    consultation.floor_holder = target
    consultation.floor_ends_at = now + timedelta(seconds=rules.floor_seconds)
    consultation.floor_stance = chosen.stance
    for hand in raised:
        if hand.user_id == target.id:
            db.session.delete(hand)
    return _floor_changed(consultation, now)


def yield_floor(viewer: Viewer, consultation: Consultation) -> dict:
    """The holder gives the floor back, or the chair takes it back."""
    check_view(viewer, consultation)
    if not permissions.can_yield_floor(viewer, consultation):
        raise Forbidden(_l("You do not hold the floor."))
    end_floor(consultation)
    return _floor_changed(consultation, utcnow())


def _floor_changed(consultation: Consultation, now: datetime) -> dict:
    db.session.flush()
    data = floor_dict(consultation, now)
    emit_after_commit("floor", data, namespace=NAMESPACE, to=consultation.room)
    return data
