"""Who may manage a community's rule sets: community staff."""

from __future__ import annotations

from app.communities.access import Viewer


def can_manage_rule_sets(viewer: Viewer) -> bool:
    return viewer.is_staff
