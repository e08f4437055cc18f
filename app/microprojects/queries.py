"""What happened lately to a community's micro-projects: read-only queries for pages that assemble several
features (the community's home). Which projects a viewer reads is this feature's rule (`permissions`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.communities.access import Viewer
from app.extensions import db
from app.microprojects import permissions
from app.microprojects.models import MicroProject, ProjectEvent, ProjectStatus

NEWS = (ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED)


def recent(viewer: Viewer, limit: int) -> list[tuple[datetime, ProjectStatus, MicroProject]]:
    """(when, the status it reached, project), newest first: projects granted, started and finished."""
    query = (
        select(ProjectEvent, MicroProject)
        .join(MicroProject, ProjectEvent.project_id == MicroProject.id)
        .where(MicroProject.community_id == viewer.community_id, ProjectEvent.to_status.in_(NEWS))
        .order_by(ProjectEvent.created_at.desc(), ProjectEvent.id.desc())
        .limit(limit)
    )
    rows = db.session.execute(query).all()
    return [(e.created_at, e.to_status, p) for e, p in rows if permissions.can_view(viewer, p)]


def sent_back(viewer: Viewer) -> list[MicroProject]:
    """The viewer's own applications that staff sent back for changes: theirs to revise and send again."""
    if viewer.user is None or not viewer.is_member:
        return []
    query = (
        select(MicroProject)
        .where(
            MicroProject.community_id == viewer.community_id,
            MicroProject.applicant_id == viewer.user_id,
            MicroProject.status == ProjectStatus.CHANGES_REQUESTED,
        )
        .order_by(MicroProject.id)
    )
    return [p for p in db.session.scalars(query) if permissions.can_edit(viewer, p)]
