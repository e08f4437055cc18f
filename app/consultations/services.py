"""Consultation use cases. Each takes the acting user explicitly, checks permission and the
rules of procedure, changes state, commits, and announces to the room after the commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload, selectinload

from app.accounts.models import User
from app.communities import services as communities
from app.communities.models import Building, Community, Membership, MembershipStatus
from app.consultations import permissions
from app.consultations.models import (
    PENDING_MOTION_STATES,
    PHASE_ORDER,
    Attendance,
    Consultation,
    HandRaise,
    Motion,
    MotionState,
    Party,
    Phase,
    Speech,
)
from app.core import audit, validation
from app.core.batching import GroupCommit
from app.core.errors import DomainError, Forbidden, NotFound
from app.core.markup import render_markdown, render_plain
from app.core.models import insert_or_ignore, utcnow
from app.core.ratelimit import hit as rate_limit
from app.core.realtime import call_after_commit, coalesced, emit_after_commit
from app.extensions import db, socketio
from app.moderation import services as moderation
from app.procedure import engine
from app.procedure import services as rule_sets
from app.procedure.engine import Choice, Mode, QueueEntry, Refusal, RoomState, SpeakerState, Stance
from app.procedure.models import RuleSet
from app.voting import services as voting

NAMESPACE = "/consultations"
POLL = "motion"
REPLAY_LIMIT = 200

# Each refusal code of the rule engine, as the translated sentence the member reads.
REFUSALS = {
    "not_verified": lambda p: _l("Only verified members taking part in this consultation can do this."),
    "wrong_phase": lambda p: _l("This consultation is not open for that now."),
    "locked": lambda p: _l("The chair has locked the room; only the chair can speak now."),
    "muted": lambda p: _l("You are muted in this room for now."),
    "bad_request": lambda p: _l("The request could not be understood."),
    "rule_too_long": lambda p: _l("A speech can be at most %(max)d characters; yours has %(length)d.", **p),
    "rule_speech_limit": lambda p: (
        _l(
            "Each person may speak at most %(max)d times on this motion; you have spoken %(count)d times.",
            max=p["max"],
            count=p["count"],
        )
        if p.get("per") == "motion"
        else _l(
            "Each person may speak at most %(max)d times in this consultation; you have spoken %(count)d times.",
            max=p["max"],
            count=p["count"],
        )
    ),
    "rule_slow_mode": lambda p: _l("Please wait %(seconds)d seconds before speaking again.", **p),
    "rule_no_floor": lambda p: _l("Raise your hand and wait for the chair to give you the floor."),
    "rule_stance_required": lambda p: _l("Say first whether you are for, against or neutral on the motion."),
    "rule_chair_neutral": lambda p: _l("The chair stays neutral: the chair does not argue for a side or vote."),
    "rule_alternate": lambda p: _l("Speakers alternate: give the floor to someone from the other side first."),
    "already_voted": lambda p: _l("You have voted already; a vote cannot be changed."),
    "forbidden": lambda p: _l("You do not have permission to do this."),
}
REFUSAL_STATUS = {"forbidden": 403, "not_verified": 403, "already_voted": 409, "bad_request": 400}


def refuse(refusal: Refusal) -> DomainError:
    """Turn the engine's refusal into the DomainError that views and sockets report."""
    message = REFUSALS[refusal.code](dict(refusal.params))
    return DomainError(refusal.code, message, status=REFUSAL_STATUS.get(refusal.code, 422))


# -- look-ups ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    user: User
    member: Membership | None
    oversees: bool


def actor_in(user: User, consultation: Consultation) -> Actor:
    member = communities.membership_of(user, consultation.community_id)
    return Actor(user, member, _oversees(user, consultation, member))


def _oversees(user: User, consultation: Consultation, member: Membership | None) -> bool:
    """Street and district staff see across their communities: only asked of those who are not members here."""
    return member is None and consultation.community_id in communities.overseen_community_ids(user)


def get(consultation_id) -> Consultation:
    consultation = (
        db.session.get(Consultation, consultation_id, options=[joinedload(Consultation.rule_set)])
        if isinstance(consultation_id, int)
        else None
    )
    if consultation is None:
        raise NotFound()
    return consultation


def visible(user: User, consultation: Consultation) -> Actor:
    """The actor, if they may see the consultation; NotFound otherwise (it is not theirs to know of)."""
    actor = actor_in(user, consultation)
    if not permissions.can_view(actor.member, consultation, oversees=actor.oversees):
        raise NotFound()
    return actor


def list_for(user: User, community: Community) -> list[Consultation]:
    """Consultations a member sees, newest activity first; drafts only to those who may see them."""
    member = communities.membership_of(user, community.id)
    oversees = community.id in communities.overseen_community_ids(user)
    rows = db.session.scalars(
        select(Consultation)
        .where(Consultation.community_id == community.id, Consultation.phase != Phase.ARCHIVED)
        .order_by(Consultation.last_activity_at.desc(), Consultation.id.desc())
    )
    return [c for c in rows if permissions.can_view(member, c, oversees=oversees)]


def rule_set_choices(community: Community) -> list[RuleSet]:
    """The rule sets a new consultation may start from: the templates and the community's own."""
    templates, own = rule_sets.library(community)
    return [*templates, *own]


def chair_choices(community: Community) -> list[Membership]:
    """Who can chair: verified convenors of the community."""
    rows = db.session.scalars(
        select(Membership).where(
            Membership.community_id == community.id, Membership.status == MembershipStatus.VERIFIED
        )
    )
    return [m for m in rows if permissions.can_convene(m)]


# -- creating and running a consultation ----------------------------------------------------


def _check_fields(community: Community, *, title: str, building_id, parties, chair_id) -> tuple:
    title = (title or "").strip()
    if not title or len(title) > 100:
        raise DomainError("bad_request", _l("Give a title of 1 to 100 characters."), field="title")
    building = None
    if building_id:
        building = db.session.get(Building, building_id)
        if building is None or building.community_id != community.id:
            raise DomainError("bad_request", _l("Choose a building of this community."), field="building_id")
    try:
        parties = sorted({Party(p).value for p in parties or []})
    except ValueError:
        raise DomainError("bad_request", _l("Choose the parties from the list."), field="parties") from None
    chair = communities.membership_of(db.session.get(User, chair_id), community.id) if chair_id else None
    if chair is None or not permissions.can_convene(chair):
        raise DomainError(
            "bad_request", _l("The chair must be a verified convenor of this community."), field="chair_id"
        )
    return title, building, parties, chair


def create(
    user: User,
    community: Community,
    *,
    title: str,
    background: str,
    building_id: int | None,
    parties: list[str],
    chair_id: int,
    rule_set_id: int,
) -> Consultation:
    """A convenor drafts a consultation; it runs on its own copy of the chosen rule set."""
    member = communities.membership_of(user, community.id)
    if not permissions.can_convene(member):
        raise Forbidden()
    title, building, parties, chair = _check_fields(
        community, title=title, building_id=building_id, parties=parties, chair_id=chair_id
    )
    template = db.session.get(RuleSet, rule_set_id) if rule_set_id else None
    if template is None or template not in rule_set_choices(community):
        raise DomainError("bad_request", _l("Choose a rule set."), field="rule_set_id")
    rules = template.copy(community_id=community.id, for_consultation=True)
    db.session.add(rules)
    db.session.flush()
    consultation = Consultation(
        community_id=community.id,
        building_id=building.id if building else None,
        title=title,
        background=background or "",
        background_html=render_markdown(background or ""),
        parties=parties,
        chair_id=chair.user_id,
        rule_set_id=rules.id,
        created_by_id=user.id,
    )
    db.session.add(consultation)
    db.session.flush()
    audit.record(user, "consultation.create", consultation, community_id=community.id)
    db.session.commit()
    return consultation


def update(
    user: User, consultation: Consultation, *, title: str, background: str, building_id, parties, chair_id
) -> Consultation:
    """Change the title, background, scope, parties or chair."""
    actor = visible(user, consultation)
    if not permissions.can_manage(actor.member, consultation):
        raise Forbidden()
    if consultation.phase in (Phase.CONCLUDED, Phase.ARCHIVED):
        raise refuse(Refusal("wrong_phase"))
    title, building, parties, chair = _check_fields(
        consultation.community, title=title, building_id=building_id, parties=parties, chair_id=chair_id
    )
    consultation.title = title
    consultation.background = background or ""
    consultation.background_html = render_markdown(background or "")
    consultation.building_id = building.id if building else None
    consultation.parties = parties
    consultation.chair_id = chair.user_id
    audit.record(user, "consultation.update", consultation, community_id=consultation.community_id)
    db.session.commit()
    return consultation


def phase_rank(phase: Phase) -> int:
    return PHASE_ORDER.index(phase)


ALLOWED_PHASES = {
    Phase.DRAFT: {Phase.OPEN},
    Phase.OPEN: {Phase.VOTING, Phase.CONCLUDED},
    Phase.VOTING: {Phase.OPEN, Phase.CONCLUDED},
    Phase.CONCLUDED: {Phase.ARCHIVED},
    Phase.ARCHIVED: set(),
}


def set_phase(user: User, consultation: Consultation, phase: Phase) -> Consultation:
    """Move the consultation along draft → open → voting → concluded → archived."""
    actor = visible(user, consultation)
    if not permissions.can_manage(actor.member, consultation):
        raise Forbidden()
    if phase == consultation.phase:
        return consultation
    if phase not in ALLOWED_PHASES[consultation.phase]:
        raise DomainError(
            "wrong_phase",
            _l(
                "A consultation cannot go from %(old)s to %(new)s.",
                old=PHASE_LABELS[consultation.phase],
                new=PHASE_LABELS[phase],
            ),
            status=409,
        )
    now = utcnow()
    if phase == Phase.OPEN and consultation.opened_at is None:
        consultation.opened_at = now
    if phase == Phase.CONCLUDED:
        consultation.concluded_at = now
        _end_floor(consultation)
        for hand in _hands(consultation):
            db.session.delete(hand)
        for motion in _pending_motions(consultation):
            if motion.state == MotionState.VOTING:
                _close_vote(consultation, motion)
            else:
                motion.state = MotionState.LAPSED
                motion.closed_at = now
                _announce_motion(consultation, motion)
    consultation.phase = phase
    consultation.last_activity_at = now
    audit.record(user, "consultation.phase", consultation, community_id=consultation.community_id, phase=phase.value)
    emit_after_commit("phase_changed", {"phase": phase.value}, namespace=NAMESPACE, to=consultation.room)
    db.session.commit()
    return consultation


def change_rules(user: User, consultation: Consultation, values: dict) -> RuleSet:
    """Change the consultation's rules; announced in the room and logged."""
    actor = visible(user, consultation)
    if not (permissions.is_staff(actor.member, consultation) or permissions.can_manage(actor.member, consultation)):
        raise Forbidden()
    if consultation.phase in (Phase.CONCLUDED, Phase.ARCHIVED):
        raise refuse(Refusal("wrong_phase"))
    rules = consultation.rule_set
    changed = rule_sets.validated_changes(rules, values)
    if not changed:
        return rules
    rule_sets.apply(rules, changed)
    summary = ", ".join(f"{k}={v}" for k, v in sorted(changed.items()))
    entry = moderation.log(
        consultation.community_id, consultation.room, "rules", actor_id=user.id, reason=summary[:200]
    )
    audit.record(user, "consultation.rules", consultation, community_id=consultation.community_id, changed=summary)
    db.session.flush()
    emit_after_commit("rules_changed", rules.to_dict(), namespace=NAMESPACE, to=consultation.room)
    emit_after_commit("moderation", moderation_dict(entry), namespace=NAMESPACE, to=consultation.room)
    db.session.commit()
    return rules


def set_locked(user: User, consultation: Consultation, locked: bool, reason: str) -> Consultation:
    """Lock the room (only the chair speaks) or unlock it."""
    actor = visible(user, consultation)
    if not permissions.can_moderate(actor.member, consultation):
        raise Forbidden()
    if consultation.locked == locked:
        return consultation
    reason = moderation.clean_reason(reason) if locked else (reason or "").strip()[:200]
    consultation.locked = locked
    entry = moderation.log(
        consultation.community_id, consultation.room, "lock" if locked else "unlock", actor_id=user.id, reason=reason
    )
    db.session.flush()
    emit_after_commit("moderation", moderation_dict(entry), namespace=NAMESPACE, to=consultation.room)
    db.session.commit()
    return consultation


# -- the room ----------------------------------------------------------------------------------


def _pending_motions(consultation: Consultation) -> list[Motion]:
    return list(
        db.session.scalars(
            select(Motion)
            .where(Motion.consultation_id == consultation.id, Motion.state.in_(PENDING_MOTION_STATES))
            .order_by(Motion.id)
        )
    )


def pending_motion(consultation: Consultation) -> Motion | None:
    pending = _pending_motions(consultation)
    return pending[0] if pending else None


def _hands(consultation: Consultation) -> list[HandRaise]:
    return list(
        db.session.scalars(select(HandRaise).where(HandRaise.consultation_id == consultation.id).order_by(HandRaise.id))
    )


def _seconds_left(consultation: Consultation, now: datetime) -> float:
    if consultation.floor_holder_id is None or consultation.floor_ends_at is None:
        return 0.0
    return max((consultation.floor_ends_at - now).total_seconds(), 0.0)


def _end_floor(consultation: Consultation) -> None:
    consultation.floor_holder = None
    consultation.floor_ends_at = None
    consultation.floor_stance = None


def _speaker(actor: Actor, consultation: Consultation, motion: Motion | None, now: datetime) -> SpeakerState:
    user_id = actor.user.id
    counts = Speech.by_chair.is_(False)  # the speeches that count against a limit
    if consultation.rule_set.mode == Mode.FORMAL:
        counts &= Speech.motion_id == motion.id if motion is not None else Speech.motion_id.is_(None)
    speeches_so_far, last = db.session.execute(
        select(func.count().filter(counts), func.max(Speech.created_at)).where(
            Speech.consultation_id == consultation.id, Speech.author_id == user_id
        )
    ).one()
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=now.tzinfo)
    return SpeakerState(
        member_id=user_id,
        is_chair=permissions.is_chair(actor.member, consultation),
        can_speak=permissions.can_participate(actor.member, consultation),
        muted=moderation.muted_until(consultation.room, user_id) is not None,
        speeches_so_far=speeches_so_far,
        seconds_since_last=(now - last).total_seconds() if last is not None else None,
    )


def _room(consultation: Consultation, now: datetime, pending: list[Motion]) -> RoomState:
    """The room as the rules see it; `pending` is _pending_motions() (a motion being voted on is one of them)."""
    voting_now = any(m.state == MotionState.VOTING for m in pending)
    return RoomState(
        # debate stops while a motion is put to the vote
        phase_open=consultation.phase == Phase.OPEN and not voting_now,
        locked=consultation.locked,
        floor_holder=consultation.floor_holder_id,
        floor_seconds_left=_seconds_left(consultation, now),
    )


def _parse_stance(value) -> Stance | None:
    if value in (None, ""):
        return None
    try:
        return Stance(value)
    except ValueError:
        raise DomainError("bad_request", _l("A stance is for, against or neutral."), field="stance") from None


def record_attendance(actor: Actor, consultation: Consultation) -> None:
    """Note that a participant came into the room (once)."""
    if not permissions.can_participate(actor.member, consultation):
        return
    exists = db.session.scalar(
        select(Attendance.id).where(Attendance.consultation_id == consultation.id, Attendance.user_id == actor.user.id)
    )
    if exists is not None:
        return
    try:
        with db.session.begin_nested():
            db.session.add(Attendance(consultation_id=consultation.id, user_id=actor.user.id))
    except IntegrityError:
        return
    consultation.participant_count = db.session.scalar(
        select(func.count()).select_from(Attendance).where(Attendance.consultation_id == consultation.id)
    )
    db.session.commit()


@dataclass(frozen=True)
class Spoken:
    """A speech as stored, and as the room heard it (the `message` event, which is also the speaker's answer)."""

    speech: Speech
    message: dict


def speak(
    user: User, consultation: Consultation, *, client_id, body, stance=None, motion_id=None, now: datetime | None = None
) -> Spoken:
    """Make a speech, within the rules. A retry with the same client_id returns the first speech."""
    actor = visible(user, consultation)
    badges = {user.id: permissions.badges(actor.member)}  # what badges_for() would find: the member here
    client_id = validation.client_id(client_id)
    existing = db.session.scalar(
        select(Speech).where(
            Speech.consultation_id == consultation.id, Speech.author_id == user.id, Speech.client_id == client_id
        )
    )
    if existing is not None:
        return Spoken(existing, message_dict(existing, badges))
    if not isinstance(body, str):
        raise DomainError("bad_request", _l("Write something to say."), field="body")
    body = body.strip()
    if not body:
        raise DomainError("bad_request", _l("Write something to say."), field="body")
    stance = _parse_stance(stance)
    now = now or utcnow()
    pending = _pending_motions(consultation)
    motion = pending[0] if pending else None
    if motion_id is not None and (motion is None or motion_id != motion.id):
        raise DomainError("bad_request", _l("You can only speak on the motion under debate."), field="motion_id")
    on_motion = motion is not None and motion.state in (MotionState.MOVED, MotionState.DEBATE)
    speaker = _speaker(actor, consultation, motion, now)
    refusal = engine.check_speech(
        consultation.rule_set.to_rules(),
        _room(consultation, now, pending),
        speaker,
        length=len(body),
        stance=stance,
        on_motion=on_motion,
    )
    if refusal is not None:
        raise refuse(refusal)
    rate_limit("speak", str(user.id), "RATELIMIT_SPEAK")
    speech = db.session.scalar(
        insert_or_ignore(Speech)
        .values(
            consultation_id=consultation.id,
            author_id=user.id,
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
        first = db.session.scalar(
            select(Speech).where(
                Speech.consultation_id == consultation.id, Speech.author_id == user.id, Speech.client_id == client_id
            )
        )
        return Spoken(first, message_dict(first, badges))
    if consultation.rule_set.mode == Mode.FORMAL and not speaker.is_chair:
        # one turn on the floor, one speech
        if stance in (Stance.FOR, Stance.AGAINST):
            consultation.last_stance = stance
        _end_floor(consultation)
        emit_after_commit("floor", floor_dict(consultation, now), namespace=NAMESPACE, to=consultation.room)
    consultation.last_activity_at = now
    db.session.flush()
    message = message_dict(speech, badges)
    emit_after_commit("message", message, namespace=NAMESPACE, to=consultation.room)
    db.session.commit()
    return Spoken(speech, message)


def raise_hand(user: User, consultation: Consultation, stance=None) -> dict:
    """Ask for the floor (formal mode)."""
    actor = visible(user, consultation)
    stance = _parse_stance(stance)
    now = utcnow()
    pending = _pending_motions(consultation)
    motion = pending[0] if pending else None
    refusal = engine.check_raise_hand(
        consultation.rule_set.to_rules(),
        _room(consultation, now, pending),
        _speaker(actor, consultation, motion, now),
        stance,
        on_motion=motion is not None,
    )
    if refusal is not None:
        raise refuse(refusal)
    hand = db.session.scalar(
        select(HandRaise).where(HandRaise.consultation_id == consultation.id, HandRaise.user_id == user.id)
    )
    if hand is None:
        try:
            with db.session.begin_nested():
                db.session.add(HandRaise(consultation_id=consultation.id, user_id=user.id, stance=stance))
        except IntegrityError:
            pass
    elif hand.stance != stance:
        hand.stance = stance
    return _floor_changed(consultation, now)


def lower_hand(user: User, consultation: Consultation) -> dict:
    """Leave the queue."""
    visible(user, consultation)
    for hand in _hands(consultation):
        if hand.user_id == user.id:
            db.session.delete(hand)
    return _floor_changed(consultation, utcnow())


def grant_floor(user: User, consultation: Consultation, target_user_id) -> dict:
    """The chair gives the floor to a member, for the rule set's floor time."""
    actor = visible(user, consultation)
    if not permissions.can_chair(actor.member, consultation):
        raise Forbidden(_l("Only the chair can give the floor."))
    if consultation.phase != Phase.OPEN:
        raise refuse(Refusal("wrong_phase"))
    rules = consultation.rule_set.to_rules()
    if rules.mode != Mode.FORMAL:
        raise DomainError("bad_request", _l("In open mode everyone may speak without the floor."))
    target = db.session.get(User, target_user_id) if isinstance(target_user_id, int) else None
    target_member = communities.membership_of(target, consultation.community_id) if target else None
    if target_member is None or not permissions.can_participate(target_member, consultation):
        raise DomainError("not_found", _l("This member is not taking part in this consultation."), status=404)
    hands = _hands(consultation)
    queue = [QueueEntry(h.user_id, h.stance, h.id) for h in hands]
    chosen = next((e for e in queue if e.member_id == target.id), QueueEntry(target.id, None, 0))
    refusal = engine.check_grant(rules, queue, consultation.last_stance, chosen)
    if refusal is not None:
        raise refuse(refusal)
    now = utcnow()
    consultation.floor_holder = target
    consultation.floor_ends_at = now + timedelta(seconds=rules.floor_seconds)
    consultation.floor_stance = chosen.stance
    for hand in hands:
        if hand.user_id == target.id:
            db.session.delete(hand)
    return _floor_changed(consultation, now)


def yield_floor(user: User, consultation: Consultation) -> dict:
    """The holder gives the floor back, or the chair takes it back."""
    actor = visible(user, consultation)
    if consultation.floor_holder_id != user.id and not permissions.can_chair(actor.member, consultation):
        raise Forbidden(_l("You do not hold the floor."))
    _end_floor(consultation)
    return _floor_changed(consultation, utcnow())


def _floor_changed(consultation: Consultation, now: datetime) -> dict:
    db.session.flush()
    data = floor_dict(consultation, now)
    emit_after_commit("floor", data, namespace=NAMESPACE, to=consultation.room)
    db.session.commit()
    return data


# -- motions and votes ---------------------------------------------------------------------------


def get_motion(motion_id) -> Motion:
    motion = db.session.get(Motion, motion_id) if isinstance(motion_id, int) else None
    if motion is None:
        raise NotFound()
    return motion


def move(user: User, consultation: Consultation, *, client_id, text) -> Motion:
    """Move a motion; one pending main motion at a time. A retry returns the same motion."""
    actor = visible(user, consultation)
    client_id = validation.client_id(client_id)
    existing = db.session.scalar(
        select(Motion).where(
            Motion.consultation_id == consultation.id, Motion.mover_id == user.id, Motion.client_id == client_id
        )
    )
    if existing is not None:
        return existing
    if not permissions.can_participate(actor.member, consultation):
        raise refuse(Refusal("not_verified"))
    if consultation.phase != Phase.OPEN:
        raise refuse(Refusal("wrong_phase"))
    if consultation.locked and not permissions.is_chair(actor.member, consultation):
        raise refuse(Refusal("locked"))
    if moderation.muted_until(consultation.room, user.id) is not None:
        raise refuse(Refusal("muted"))
    text = text.strip() if isinstance(text, str) else ""
    if not text or len(text) > 500:
        raise DomainError("bad_request", _l("A motion is 1 to 500 characters."), field="text")
    if pending_motion(consultation) is not None:
        raise DomainError("motion_pending", _l("Another motion is pending; it must be decided first."), status=409)
    rules = consultation.rule_set.to_rules()
    if permissions.is_chair(actor.member, consultation) and rules.chair_neutral:
        raise refuse(Refusal("rule_chair_neutral"))
    now = utcnow()
    motion = Motion(
        consultation_id=consultation.id,
        mover_id=user.id,
        client_id=client_id,
        text=text,
        state=MotionState.MOVED if rules.second_required else MotionState.DEBATE,
        created_at=now,
    )
    db.session.add(motion)
    consultation.last_activity_at = now
    db.session.flush()
    _announce_motion(consultation, motion)
    db.session.commit()
    return motion


def second(user: User, motion: Motion) -> Motion:
    """Second a moved motion, which opens its debate."""
    consultation = get(motion.consultation_id)
    actor = visible(user, consultation)
    if motion.state == MotionState.DEBATE and motion.seconder_id == user.id:
        return motion
    if motion.state != MotionState.MOVED:
        raise DomainError("wrong_phase", _l("This motion is not waiting for a second."), status=409)
    refusal = engine.check_second(
        consultation.rule_set.to_rules(),
        is_mover=motion.mover_id == user.id,
        is_chair=permissions.is_chair(actor.member, consultation),
        can_vote=permissions.can_participate(actor.member, consultation),
    )
    if refusal is not None:
        raise refuse(refusal) if refusal.code != "forbidden" else Forbidden(_l("You cannot second your own motion."))
    motion.state = MotionState.DEBATE
    motion.seconder = user
    motion.seconded_at = utcnow()
    _announce_motion(consultation, motion)
    db.session.commit()
    return motion


def withdraw(user: User, motion: Motion) -> Motion:
    """The mover withdraws the motion before it is put to the vote."""
    consultation = get(motion.consultation_id)
    visible(user, consultation)
    if motion.mover_id != user.id:
        raise Forbidden(_l("Only the mover can withdraw a motion."))
    if motion.state not in (MotionState.MOVED, MotionState.DEBATE):
        raise DomainError("wrong_phase", _l("This motion can no longer be withdrawn."), status=409)
    motion.state = MotionState.WITHDRAWN
    motion.closed_at = utcnow()
    _announce_motion(consultation, motion)
    db.session.commit()
    return motion


def call_vote(user: User, motion: Motion) -> Motion:
    """The chair puts a debated motion to the vote."""
    consultation = get(motion.consultation_id)
    actor = visible(user, consultation)
    if not permissions.can_chair(actor.member, consultation):
        raise Forbidden(_l("Only the chair can call the vote."))
    if motion.state == MotionState.VOTING:
        return motion
    if motion.state != MotionState.DEBATE:
        message = (
            _l("The motion needs a second before it can be debated and voted.")
            if motion.state == MotionState.MOVED
            else _l("This motion is not under debate.")
        )
        raise DomainError("wrong_phase", message, status=409)
    if consultation.phase not in (Phase.OPEN, Phase.VOTING):
        raise refuse(Refusal("wrong_phase"))
    motion.state = MotionState.VOTING
    motion.vote_opened_at = utcnow()
    voting.open_poll(community_id=consultation.community_id, poll_type=POLL, subject_id=motion.id)
    _end_floor(consultation)
    for hand in _hands(consultation):
        db.session.delete(hand)
    db.session.flush()
    emit_after_commit("floor", floor_dict(consultation, utcnow()), namespace=NAMESPACE, to=consultation.room)
    _announce_motion(consultation, motion)
    db.session.commit()
    return motion


@dataclass(frozen=True)
class VoteRequest:
    user_id: int
    motion_id: int
    choice: object  # as submitted: checked when written


@dataclass(frozen=True)
class Voted:
    """What the voter is told: the receipt (回执码) of their ballot and the choice it holds."""

    receipt: str
    choice: str


def vote(user: User, motion: Motion, choice) -> Voted:
    """Vote for, against or abstain, once; a retry of the same vote returns the same receipt."""
    return submit_vote(user.id, motion.id, choice)


def submit_vote(user_id: int, motion_id: int, choice) -> Voted:
    """vote() by ids: the user authenticated (and still active: checked with the batch), the motion as sent.

    Votes that arrive together are written together (core.batching): a burst of a thousand votes is a
    few transactions, not a thousand. Any transaction of the session ends first, so that a vote waiting
    for its batch holds no database connection.
    """
    if db.session().in_transaction():
        db.session.commit()
    return _vote_writer().submit(VoteRequest(user_id, motion_id, choice))


def _vote_writer() -> GroupCommit:
    extensions = current_app.extensions
    if "yishi_votes" not in extensions:
        extensions.setdefault("yishi_votes", GroupCommit(write_votes, max_batch=current_app.config["VOTE_BATCH_MAX"]))
    return extensions["yishi_votes"]


def write_votes(requests) -> list[Voted | DomainError]:
    """Check and store a batch of votes in one transaction, with the same queries for one vote or five hundred.

    Each request gets its own answer, in order: the receipt, or the refusal a single vote would have got.
    """
    try:
        outcomes = _write_votes(requests)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return outcomes


def _write_votes(submitted) -> list[Voted | DomainError]:
    # a voter's retries in the same batch are one request, checked once and answered alike
    index_of: dict = {}
    for request in submitted:
        index_of.setdefault(_same_request(request), len(index_of))
    requests = [None] * len(index_of)
    for request in submitted:
        requests[index_of[_same_request(request)]] = request
    outcomes = _write_distinct_votes(requests)
    return [outcomes[index_of[_same_request(request)]] for request in submitted]


def _same_request(request: VoteRequest) -> tuple:
    return (request.user_id, request.motion_id, request.choice if isinstance(request.choice, str) else id(request))


def _write_distinct_votes(requests) -> list[Voted | DomainError]:
    outcomes: list = [None] * len(requests)
    active = set(db.session.scalars(select(User.id).where(User.id.in_({r.user_id for r in requests}), User.active)))
    # each motion with its consultation and rule set, in one query: every round trip waits its turn in a busy loop
    rows = db.session.execute(
        select(Motion, Consultation)
        .join(Consultation, Consultation.id == Motion.consultation_id)
        .where(Motion.id.in_({r.motion_id for r in requests}))
        .options(lazyload(Motion.mover), lazyload(Motion.seconder), joinedload(Consultation.rule_set))
    ).all()
    motions = {motion.id: motion for motion, _ in rows}
    consultations = {consultation.id: consultation for _, consultation in rows}
    by_building = any(c.building_id is not None for c in consultations.values())  # needs the voters' households
    members = {
        (m.user_id, m.community_id): m
        for m in db.session.scalars(
            select(Membership)
            .where(
                Membership.user_id.in_({r.user_id for r in requests}),
                Membership.community_id.in_({c.community_id for c in consultations.values()}),
            )
            .options(lazyload(Membership.user), *([selectinload(Membership.household)] if by_building else []))
        )
    }
    polls = voting.find_polls(POLL, motions)
    receipts = [voting.receipt_for(POLL, r.motion_id, voting.user_key(r.user_id)) for r in requests]
    existing = voting.casts_by_receipt(receipts)
    rules: dict[int, engine.Rules] = {}
    to_cast: dict[int, list[tuple[int, voting.CastRequest]]] = {}
    for index, request in enumerate(requests):
        try:
            if request.user_id not in active:
                raise DomainError("not_authenticated", _l("Please log in to continue."), status=401)
            motion = motions.get(request.motion_id)
            consultation = consultations.get(motion.consultation_id) if motion else None
            if consultation is None:
                raise NotFound()
            member = members.get((request.user_id, consultation.community_id))
            # (the user is loaded only if not a member here)
            oversees = member is None and _oversees(db.session.get(User, request.user_id), consultation, member)
            if not permissions.can_view(member, consultation, oversees=oversees):
                raise NotFound()
            try:
                choice = Choice(request.choice)
            except ValueError:
                raise DomainError("bad_request", _l("Vote for, against or abstain."), field="choice") from None
            prior = existing.get(receipts[index])
            if prior is not None and prior.choice == choice.value:
                # a retry, even one that arrives after the vote closed: the same receipt
                outcomes[index] = Voted(prior.receipt, prior.choice)
                continue
            if consultation.id not in rules:
                rules[consultation.id] = consultation.rule_set.to_rules()
            refusal = engine.check_vote(
                rules[consultation.id],
                is_chair=permissions.is_chair(member, consultation),
                eligible=permissions.can_participate(member, consultation),
                voting_open=motion.state == MotionState.VOTING,
                already_voted=prior is not None,
            )
            if refusal is not None:
                raise refuse(refusal)
            if motion.id not in polls:
                polls[motion.id] = voting.open_poll(
                    community_id=consultation.community_id, poll_type=POLL, subject_id=motion.id
                )
            cast = voting.CastRequest(
                voter_key=voting.user_key(request.user_id), voter_id=request.user_id, choice=choice.value
            )
            to_cast.setdefault(motion.id, []).append((index, cast))
        except DomainError as err:
            outcomes[index] = err
    attended = []
    for motion_id, entries in to_cast.items():
        cast = voting.cast_many(polls[motion_id], [c for _, c in entries], existing=existing)
        for (index, request), ballot in zip(entries, cast, strict=True):
            if isinstance(ballot, DomainError):
                outcomes[index] = ballot
            else:
                outcomes[index] = Voted(ballot.receipt, ballot.choice)
                attended.append((motions[motion_id].consultation_id, request.voter_id))
        consultation = consultations[motions[motion_id].consultation_id]
        room = consultation.room
        call_after_commit(
            lambda m=motion_id, r=room: coalesced.request(("motion", m), lambda: _broadcast_votes_cast(m, r))
        )
    if attended:
        db.session.execute(
            insert_or_ignore(Attendance.__table__),
            [{"consultation_id": c, "user_id": u, "first_seen_at": utcnow()} for c, u in sorted(set(attended))],
        )
    return outcomes


def _broadcast_votes_cast(motion_id: int, room: str) -> None:
    """The motion with how many have voted so far (never how): sent at most a few times a second."""
    motion = db.session.get(Motion, motion_id)
    poll = voting.find_poll(POLL, motion_id)
    if motion is None or poll is None:
        return
    payload = motion_dict(motion)
    if motion.state == MotionState.VOTING:
        payload["votes_cast"] = voting.turnout(poll).voted
    socketio.emit("motion", payload, namespace=NAMESPACE, to=room)


def close_vote(user: User, motion: Motion) -> Motion:
    """The chair closes the vote: the count against quorum and threshold decides, and it is recorded."""
    consultation = get(motion.consultation_id)
    actor = visible(user, consultation)
    if not permissions.can_chair(actor.member, consultation):
        raise Forbidden(_l("Only the chair can close the vote."))
    if motion.state in (MotionState.CARRIED, MotionState.FAILED):
        return motion
    if motion.state != MotionState.VOTING:
        raise DomainError("wrong_phase", _l("This motion is not being voted on."), status=409)
    _close_vote(consultation, motion)
    db.session.commit()
    return motion


def eligible_voters(consultation: Consultation) -> int:
    """Who could vote: participants who came into the room, less a neutral chair."""
    rows = db.session.scalars(select(Attendance).where(Attendance.consultation_id == consultation.id))
    chair_neutral = consultation.rule_set.chair_neutral
    return sum(1 for a in rows if not (chair_neutral and a.user_id == consultation.chair_id))


def _close_vote(consultation: Consultation, motion: Motion) -> None:
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
    _announce_motion(consultation, motion)


def _announce_motion(consultation: Consultation, motion: Motion) -> None:
    db.session.flush()
    emit_after_commit("motion", motion_dict(motion), namespace=NAMESPACE, to=consultation.room)


# -- moderation in the room ----------------------------------------------------------------------


def get_speech(speech_id) -> Speech:
    speech = db.session.get(Speech, speech_id) if isinstance(speech_id, int) else None
    if speech is None:
        raise NotFound()
    return speech


def report(user: User, speech: Speech, reason) -> None:
    """Report a speech; after N open reports it hides itself pending review."""
    consultation = get(speech.consultation_id)
    actor = visible(user, consultation)
    if actor.member is None or not actor.member.is_verified:
        raise refuse(Refusal("not_verified"))
    if not isinstance(reason, str):
        raise DomainError("bad_request", _l("Give a reason: it is shown to everyone in the room."), field="reason")
    _item, auto = moderation.report(
        user.id,
        speech,
        community_id=consultation.community_id,
        room=consultation.room,
        reason=reason,
        threshold=consultation.rule_set.auto_hide_reports,
    )
    if auto is not None:
        db.session.flush()
        emit_after_commit(
            "message_hidden",
            {"id": speech.id, "reason": speech.hidden_reason, "by": None},
            namespace=NAMESPACE,
            to=consultation.room,
        )
        emit_after_commit("moderation", moderation_dict(auto), namespace=NAMESPACE, to=consultation.room)
    db.session.commit()


def hide(user: User, speech: Speech, reason) -> None:
    """The chair or staff hide a speech; its place shows the reason."""
    consultation = get(speech.consultation_id)
    actor = visible(user, consultation)
    if not permissions.can_moderate(actor.member, consultation):
        raise Forbidden()
    if not isinstance(reason, str):
        raise DomainError("bad_request", _l("Give a reason: it is shown to everyone in the room."), field="reason")
    entry = moderation.hide(
        user.id, speech, community_id=consultation.community_id, room=consultation.room, reason=reason
    )
    db.session.flush()
    emit_after_commit(
        "message_hidden",
        {"id": speech.id, "reason": speech.hidden_reason, "by": user.name},
        namespace=NAMESPACE,
        to=consultation.room,
    )
    emit_after_commit("moderation", moderation_dict(entry), namespace=NAMESPACE, to=consultation.room)
    db.session.commit()


def _moderated_member(user: User, consultation: Consultation, target_user_id, reason) -> User:
    """The member a chair or staff member acts on: in this community, not themselves, with a reason."""
    actor = visible(user, consultation)
    if not permissions.can_moderate(actor.member, consultation):
        raise Forbidden()
    target = db.session.get(User, target_user_id) if isinstance(target_user_id, int) else None
    if target is None or communities.membership_of(target, consultation.community_id) is None:
        raise NotFound()
    if target.id == user.id:
        raise DomainError("bad_request", _l("You cannot moderate yourself."))
    if not isinstance(reason, str):
        raise DomainError("bad_request", _l("Give a reason: it is shown to everyone in the room."), field="reason")
    return target


def warn(user: User, consultation: Consultation, target_user_id, reason) -> None:
    """The chair or staff warn a member: logged and shown to the whole room, short of a mute."""
    target = _moderated_member(user, consultation, target_user_id, reason)
    entry = moderation.warn(
        user.id, target.id, community_id=consultation.community_id, room=consultation.room, reason=reason
    )
    db.session.flush()
    emit_after_commit("moderation", moderation_dict(entry), namespace=NAMESPACE, to=consultation.room)
    db.session.commit()


def mute(user: User, consultation: Consultation, target_user_id, minutes, reason) -> None:
    """The chair or staff mute a member in this room for some minutes."""
    target = _moderated_member(user, consultation, target_user_id, reason)
    entry = moderation.mute(
        user.id,
        target.id,
        community_id=consultation.community_id,
        room=consultation.room,
        minutes=minutes,
        reason=reason,
    )
    if consultation.floor_holder_id == target.id:
        _end_floor(consultation)
    for hand in _hands(consultation):
        if hand.user_id == target.id:
            db.session.delete(hand)
    db.session.flush()
    emit_after_commit("moderation", moderation_dict(entry), namespace=NAMESPACE, to=consultation.room)
    emit_after_commit("floor", floor_dict(consultation, utcnow()), namespace=NAMESPACE, to=consultation.room)
    db.session.commit()


# -- what the room shows ----------------------------------------------------------------------------


def badges_for(consultation: Consultation, user_ids) -> dict[int, list[str]]:
    ids = set(user_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Membership).where(Membership.community_id == consultation.community_id, Membership.user_id.in_(ids))
    )
    found = {m.user_id: permissions.badges(m) for m in rows}
    return {uid: found.get(uid, []) for uid in ids}


def messages(consultation: Consultation, after_id: int | None = None, limit: int = REPLAY_LIMIT) -> list[Speech]:
    """Speeches after an id, oldest first (all recent ones when no id is given)."""
    query = select(Speech).where(Speech.consultation_id == consultation.id)
    if after_id is not None:
        return list(db.session.scalars(query.where(Speech.id > after_id).order_by(Speech.id).limit(limit * 5)))
    recent = list(db.session.scalars(query.order_by(Speech.id.desc()).limit(limit)))
    return list(reversed(recent))


def message_dict(speech: Speech, badges: dict[int, list[str]]) -> dict:
    hidden = speech.is_hidden
    return {
        "id": speech.id,
        "consultation_id": speech.consultation_id,
        "client_id": speech.client_id,
        "author": {"id": speech.author_id, "name": speech.author.name, "badges": badges.get(speech.author_id, [])},
        "body_html": "" if hidden else render_plain(speech.body),
        "stance": speech.stance.value if speech.stance else None,
        "motion_id": speech.motion_id,
        "by_chair": speech.by_chair,
        "hidden": hidden,
        "hidden_reason": speech.hidden_reason if hidden else None,
        "created_at": speech.created_at.isoformat(),
    }


def floor_dict(consultation: Consultation, now: datetime | None = None) -> dict:
    now = now or utcnow()
    hands = _hands(consultation)
    entries = [QueueEntry(h.user_id, h.stance, h.id) for h in hands]
    by_user = {h.user_id: h for h in hands}
    ordered = engine.ordered_queue(entries, consultation.last_stance, consultation.rule_set.alternate_stances)
    left = _seconds_left(consultation, now)
    holder = consultation.floor_holder if left > 0 else None
    return {
        "queue": [
            {
                "user_id": e.member_id,
                "name": by_user[e.member_id].user.name,
                "stance": e.stance.value if e.stance else None,
            }
            for e in ordered
        ],
        "holder": {"id": holder.id, "name": holder.name} if holder else None,
        "ends_at": consultation.floor_ends_at.isoformat() if holder else None,
        "seconds_left": int(left) if holder else 0,
        "last_stance": consultation.last_stance.value if consultation.last_stance else None,
    }


def motion_dict(motion: Motion) -> dict:
    closed = motion.state in (MotionState.CARRIED, MotionState.FAILED)
    return {
        "id": motion.id,
        "consultation_id": motion.consultation_id,
        "client_id": motion.client_id,
        "text": motion.text,
        "state": motion.state.value,
        "mover": {"id": motion.mover_id, "name": motion.mover.name},
        "seconder": {"id": motion.seconder_id, "name": motion.seconder.name} if motion.seconder_id else None,
        "counts": (
            {
                "for": motion.votes_for,
                "against": motion.votes_against,
                "abstain": motion.abstentions,
                "eligible": motion.eligible,
                "quorum_met": motion.quorum_met,
            }
            if closed
            else None
        ),
    }


def consultation_dict(consultation: Consultation) -> dict:
    return {
        "id": consultation.id,
        "title": consultation.title,
        "phase": consultation.phase.value,
        "locked": consultation.locked,
        "building": consultation.building.name if consultation.building else None,
        "chair": {"id": consultation.chair_id, "name": consultation.chair.name},
        "parties": consultation.parties,
        "participant_count": consultation.participant_count,
    }


def moderation_dict(entry) -> dict:
    return {
        "action": entry.action,
        "target": {"type": entry.target_type, "id": entry.target_id, "user_id": entry.target_user_id},
        "reason": entry.reason,
        "by": entry.actor.name if entry.actor_id and entry.actor else None,
        "at": entry.created_at.isoformat() if entry.created_at else utcnow().isoformat(),
        "until": entry.until.isoformat() if entry.until else None,
    }


def _receipt(motion: Motion | None, user: User) -> str | None:
    """The user's receipt for the pending motion, so a reloaded page does not offer the vote again."""
    if motion is None:
        return None
    ballot = voting.find_ballot(POLL, motion.id, user.id)
    return ballot.receipt if ballot else None


def room_state(user: User, consultation: Consultation, after_id=None) -> dict:
    """What `join` answers: the consultation, rules, floor, pending motion and messages."""
    actor = visible(user, consultation)
    if after_id is not None and (not isinstance(after_id, int) or isinstance(after_id, bool) or after_id < 0):
        raise DomainError("bad_request", _l("The request could not be understood."), field="after_id")
    record_attendance(actor, consultation)
    speeches = messages(consultation, after_id)
    badges = badges_for(consultation, {s.author_id for s in speeches})
    motion = pending_motion(consultation)
    return {
        "consultation": consultation_dict(consultation),
        "rules": consultation.rule_set.to_dict(),
        "floor": floor_dict(consultation),
        "motion": motion_dict(motion) if motion else None,
        "messages": [message_dict(s, badges) for s in speeches],
        "you": {
            "id": user.id,
            "verified": bool(actor.member and actor.member.is_verified),
            "receipt": _receipt(motion, user),
            "can_speak": permissions.can_participate(actor.member, consultation),
            "is_chair": permissions.is_chair(actor.member, consultation),
            "can_moderate": permissions.can_moderate(actor.member, consultation),
        },
    }


# -- minutes -----------------------------------------------------------------------------------------


def minutes(user: User, consultation: Consultation):
    """The minutes of a concluded consultation, as plain data for the page and the DOCX."""
    from app.consultations.forms import PARTY_LABELS
    from app.consultations.minutes import AttendeeRecord, MinutesData, MotionRecord, SpeechRecord

    visible(user, consultation)
    if consultation.phase not in (Phase.CONCLUDED, Phase.ARCHIVED):
        raise DomainError("wrong_phase", _l("The minutes are published when the consultation concludes."), status=409)
    attendance = list(
        db.session.scalars(
            select(Attendance).where(Attendance.consultation_id == consultation.id).order_by(Attendance.id)
        )
    )
    speeches = list(
        db.session.scalars(select(Speech).where(Speech.consultation_id == consultation.id).order_by(Speech.id))
    )
    motions = list(
        db.session.scalars(select(Motion).where(Motion.consultation_id == consultation.id).order_by(Motion.id))
    )
    badges = badges_for(consultation, {a.user_id for a in attendance} | {s.author_id for s in speeches})
    motion_no = {m.id: n for n, m in enumerate(motions, start=1)}
    return MinutesData(
        community=consultation.community.name,
        title=consultation.title,
        scope=consultation.building.name if consultation.building else str(_l("Whole community")),
        chair=consultation.chair.name,
        rules_name=consultation.rule_set.name,
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
    )


STANCE_LABELS = {Stance.FOR: _l("In favour"), Stance.AGAINST: _l("Against"), Stance.NEUTRAL: _l("Neutral")}
MOTION_STATE_LABELS = {
    MotionState.MOVED: _l("Waiting for a second"),
    MotionState.DEBATE: _l("Under debate"),
    MotionState.VOTING: _l("Voting"),
    MotionState.CARRIED: _l("Carried"),
    MotionState.FAILED: _l("Not carried"),
    MotionState.WITHDRAWN: _l("Withdrawn"),
    MotionState.LAPSED: _l("Lapsed"),
}
BADGE_LABELS = {
    "residents_committee": _l("Residents' committee"),
    "property_manager": _l("Property manager"),
    "owners_committee": _l("Owners' committee"),
    "social_org": _l("Social organisation"),
}
PHASE_LABELS = {
    Phase.DRAFT: _l("Draft"),
    Phase.OPEN: _l("Discussion"),
    Phase.VOTING: _l("Voting"),
    Phase.CONCLUDED: _l("Concluded"),
    Phase.ARCHIVED: _l("Archived"),
}
