"""What slow consultations ask of a viewer now: read-only questions for the community's home."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.communities.access import Viewer
from app.consultations.models import Consultation, Motion, MotionState, Phase
from app.core.models import utcnow
from app.extensions import db
from app.slow import permissions
from app.slow.models import Position

SOON = timedelta(days=3)  # a proposal closing within this is "closing soon"


def awaiting_position(viewer: Viewer, *, now: datetime | None = None, limit: int = 5) -> list[Motion]:
    """Open slow proposals closing soon on which the viewer may state a position and has not, soonest first."""
    if not viewer.is_verified:
        return []
    now = now or utcnow()
    taken = select(Position.motion_id).where(Position.user_id == viewer.user_id)
    query = (
        select(Motion)
        .join(Consultation, Motion.consultation_id == Consultation.id)
        .where(
            Consultation.community_id == viewer.community_id,
            Consultation.phase == Phase.OPEN,
            Motion.state == MotionState.DEBATE,
            Motion.closes_at > now,
            Motion.closes_at <= now + SOON,
            Motion.id.not_in(taken),
        )
        .order_by(Motion.closes_at)
        .limit(limit)
    )
    return [
        m
        for m in db.session.scalars(query)
        if permissions.can_view(viewer, m.consultation) and permissions.can_state_position(viewer, m.consultation)
    ]
