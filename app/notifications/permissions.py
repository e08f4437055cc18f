"""Notification permissions: each user reads only their own."""

from __future__ import annotations

from app.communities.access import Viewer
from app.notifications.models import Notification


def can_read(viewer: Viewer, notification: Notification) -> bool:
    return viewer.is_user(notification.user_id)
