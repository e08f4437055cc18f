"""What consultations ask of a viewer now, and what happened lately: read-only queries for pages that
assemble several features (the community's home). Who takes part and who may second is this feature's
rule (`permissions`, the rules of procedure); nothing here writes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.communities.access import Viewer
from app.consultations import permissions
from app.consultations.models import Consultation, Motion, MotionState, Phase
from app.extensions import db
from app.moderation import services as moderation
from app.procedure import engine

LIVE = (Phase.OPEN, Phase.VOTING)


def live(viewer: Viewer, limit: int = 5) -> list[tuple[Consultation, bool]]:
    """Consultations under way (open for discussion or voting), each with whether the viewer is one of its
    parties (or its chair); those they take part in first, then the most recently active."""
    query = (
        select(Consultation)
        .where(Consultation.community_id == viewer.community_id, Consultation.phase.in_(LIVE))
        .order_by(Consultation.last_activity_at.desc())
        .limit(limit)
    )
    found = [(c, permissions.is_party(viewer, c)) for c in db.session.scalars(query) if permissions.can_view(viewer, c)]
    return sorted(found, key=lambda pair: not pair[1])


def awaiting_second(viewer: Viewer, limit: int = 5) -> list[Motion]:
    """Moved motions in live consultations that wait for a second the viewer may give (the rules of
    procedure decide: a party who votes, not the mover, not the chair where the rules say so)."""
    if not viewer.is_verified:
        return []
    query = (
        select(Motion)
        .join(Consultation, Motion.consultation_id == Consultation.id)
        .where(
            Consultation.community_id == viewer.community_id,
            Consultation.phase.in_(LIVE),
            Motion.state == MotionState.MOVED,
        )
        .order_by(Motion.created_at)
        .limit(limit)
    )
    return [m for m in db.session.scalars(query) if _may_second(viewer, m)]


def _may_second(viewer: Viewer, motion: Motion) -> bool:
    consultation = motion.consultation
    if not permissions.can_view(viewer, consultation):
        return False
    barred = permissions.refusal_to_vote(viewer, consultation)
    refusal = engine.check_second(
        consultation.rule_set.to_rules(),
        is_mover=viewer.is_user(motion.mover_id),
        is_chair=permissions.is_chair(viewer, consultation),
        can_vote=barred is None,
        barred=barred or "not_verified",
    )
    return refusal is None


def recent(viewer: Viewer, limit: int) -> list[tuple[datetime, str, Consultation]]:
    """(when, "opened" | "concluded", consultation), newest first, those the viewer may read."""
    events: list[tuple[datetime, str, Consultation]] = []
    for column, what in ((Consultation.opened_at, "opened"), (Consultation.concluded_at, "concluded")):
        query = (
            select(Consultation)
            .where(Consultation.community_id == viewer.community_id, column.is_not(None))
            .order_by(column.desc())
            .limit(limit)
        )
        events += [
            (getattr(c, column.key), what, c) for c in db.session.scalars(query) if permissions.can_view(viewer, c)
        ]
    return events


def reports_to_review(viewer: Viewer) -> list[tuple[Consultation, int]]:
    """For those who moderate (staff, the chair): consultations with reports not yet reviewed, and how many."""
    if not viewer.is_verified:
        return []
    waiting = moderation.open_reports(viewer.community_id)
    ids = {int(room.split(":", 1)[1]): n for room, n in waiting.items() if room and room.startswith("consultation:")}
    if not ids:
        return []
    found = db.session.scalars(select(Consultation).where(Consultation.id.in_(list(ids))).order_by(Consultation.id))
    return [
        (c, ids[c.id]) for c in found if c.community_id == viewer.community_id and permissions.can_moderate(viewer, c)
    ]
