"""Moderation permissions that do not depend on the content's feature. Each takes the `Viewer`
(communities.access) of the community the content is in."""

from __future__ import annotations

from app.communities.access import Viewer


def can_report(viewer: Viewer) -> bool:
    """Any verified member may report, with a reason."""
    return viewer.is_verified


def is_staff(viewer: Viewer) -> bool:
    """Community staff moderate everywhere in their community (the property manager never does)."""
    return viewer.is_staff
