"""Notification permissions: each user reads only their own."""

from __future__ import annotations


def can_read(actor, notification) -> bool:
    return actor is not None and actor.is_authenticated and notification.user_id == actor.id
