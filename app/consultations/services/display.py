"""What the room shows: speeches, the floor, motions and moderation as the payloads the page and the socket
send (plain dicts, the same for the first render, a join and every broadcast)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.communities.models import Membership, Role
from app.consultations.models import Consultation, Motion, MotionState, Speech
from app.consultations.services.shared import REPLAY_LIMIT, hands, seconds_left
from app.core.markup import render_plain
from app.core.models import utcnow
from app.extensions import db
from app.procedure import engine
from app.procedure.engine import QueueEntry

# The official parties' badges a speech carries (stable keys; labels.BADGE_LABELS names them).
BADGES = {
    Role.COMMUNITY_STAFF: "residents_committee",
    Role.PROPERTY_MANAGER: "property_manager",
    Role.OWNERS_COMMITTEE: "owners_committee",
    Role.SOCIAL_ORG: "social_org",
    Role.RESIDENT_UNIT: "resident_unit",
}


def badges_of(membership: Membership | None) -> list[str]:
    """The official-party badges of a member's speeches."""
    if membership is None:
        return []
    return [badge for role, badge in BADGES.items() if membership.has_role(role)]


def badges_for(consultation: Consultation, user_ids) -> dict[int, list[str]]:
    ids = set(user_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Membership).where(Membership.community_id == consultation.community_id, Membership.user_id.in_(ids))
    )
    found = {m.user_id: badges_of(m) for m in rows}
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
    raised = hands(consultation)
    entries = [QueueEntry(h.user_id, h.stance, h.id) for h in raised]
    by_user = {h.user_id: h for h in raised}
    ordered = engine.ordered_queue(entries, consultation.last_stance, consultation.rule_set.alternate_stances)
    left = seconds_left(consultation, now)
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
