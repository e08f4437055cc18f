"""A micro-project answers an item of the project guidance list (项目指引清单): the community's staff choose
it among the published items of the community and of its street (needs' queries)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.communities.access import Viewer
from app.core import audit
from app.core.errors import DomainError, Forbidden
from app.extensions import db
from app.microprojects import permissions
from app.microprojects.models import MicroProject
from app.needs import queries as need_queries
from app.needs.models import GuidanceItem


def guidance_choices(viewer: Viewer) -> list[GuidanceItem]:
    """The published guidance items a project of the viewer's community may answer."""
    community = viewer.community
    return need_queries.published_items(community.street, community=community)


def guidance_item_of(project: MicroProject) -> GuidanceItem | None:
    return db.session.get(GuidanceItem, project.guidance_item_id) if project.guidance_item_id else None


def link_guidance(viewer: Viewer, project: MicroProject, item_id: int | None) -> MicroProject:
    """Staff set (or clear, with None) the guidance item the project answers."""
    if not permissions.can_review(viewer):
        raise Forbidden()
    if item_id is not None and item_id not in {i.id for i in guidance_choices(viewer)}:
        raise DomainError(
            "bad_request",
            _l("Choose a published guidance item of this community or its street."),
            field="guidance_item_id",
        )
    project.guidance_item_id = item_id
    audit.record(viewer.user, "project.guidance", project, community_id=project.community_id, item=item_id)
    db.session.flush()
    return project
