"""Recording administrative actions in the audit log."""

from __future__ import annotations

from app.core.models import AuditEntry
from app.extensions import db


def record(actor, action: str, target, *, community_id: int | None = None, **detail) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits)."""
    entry = AuditEntry(
        community_id=community_id,
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=type(target).__name__,
        target_id=getattr(target, "id", None),
        detail=detail,
    )
    db.session.add(entry)
    return entry
