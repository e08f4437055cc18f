"""Micro-projects: helpers shared by the tests that call the use cases directly."""

from __future__ import annotations

from app.communities import access
from app.communities.models import Community
from app.core.errors import DomainError
from app.extensions import db


def acting(user, where):
    """How `user` stands in `where` (a community, or anything with a community_id): what services take."""
    community = where if isinstance(where, Community) else db.session.get(Community, where.community_id)
    return access.viewer(user, community)


def edge(use_case, *args, **kwargs):
    """Run a use case as an edge does: commit once; on a refusal roll back, and raise it."""
    try:
        result = use_case(*args, **kwargs)
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
    return result
