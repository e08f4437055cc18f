"""Notification permissions: each user reads only their own; community staff see and retry the failed
deliveries of their community."""

from __future__ import annotations

from app.communities.access import Viewer
from app.notifications.models import Notification


def can_read(viewer: Viewer, notification: Notification) -> bool:
    return viewer.is_user(notification.user_id)


def can_manage_deliveries(viewer: Viewer) -> bool:
    """Community staff of this community (street and district staff oversee, but do not send)."""
    return viewer.is_staff
