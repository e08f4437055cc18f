"""What happened lately to a community's golden ideas: read-only queries for pages that assemble several
features (the community's home). Which ideas a viewer reads is this feature's rule (`permissions`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.communities.access import Viewer
from app.extensions import db
from app.ideas import permissions
from app.ideas.models import Idea, IdeaEvent, IdeaStatus

NEWS = (IdeaStatus.SUBMITTED, IdeaStatus.ADOPTED, IdeaStatus.IMPLEMENTED)


def recent(viewer: Viewer, limit: int) -> list[tuple[datetime, IdeaStatus, Idea]]:
    """(when, the status it reached, idea), newest first: ideas submitted, adopted and carried out."""
    query = (
        select(IdeaEvent, Idea)
        .join(Idea, IdeaEvent.idea_id == Idea.id)
        .where(Idea.community_id == viewer.community_id, IdeaEvent.to_status.in_(NEWS))
        .order_by(IdeaEvent.created_at.desc(), IdeaEvent.id.desc())
        .limit(limit)
    )
    rows = db.session.execute(query).all()
    return [(event.created_at, event.to_status, idea) for event, idea in rows if permissions.can_view(viewer, idea)]
