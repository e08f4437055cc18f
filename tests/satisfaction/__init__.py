"""Satisfaction campaigns' tests: shared helpers."""

from __future__ import annotations

import uuid
from datetime import timedelta

from app.communities import access
from app.core.models import utcnow
from app.extensions import db
from app.satisfaction import services


def viewer(world, key: str, community=None):
    return access.viewer(world.users[key], community or world.community)


def campaign(world, *, picks=None, key="staff", open_=True, title="2026年度满意度测评", year=2026):
    """A campaign judging the world's staff member (a worker) by default, committed."""
    made = services.create(
        viewer(world, key),
        client_id=uuid.uuid4().hex,
        title=title,
        year=year,
        closes_at=utcnow() + timedelta(days=3),
        picks=picks or [f"worker:{world.users['staff'].id}"],
    )
    if open_:
        services.open_campaign(viewer(world, key), made)
    db.session.commit()
    return made
