"""Account permissions: a user edits only their own profile."""

from __future__ import annotations


def can_edit_profile(actor, user) -> bool:
    return actor is not None and actor.is_authenticated and actor.id == user.id
