"""Who sees which dashboard. A refusal is a 404 (the access rule: nobody learns a street or community exists)."""

from __future__ import annotations

from app.communities.access import Oversight, Viewer
from app.communities.models import District, Street


def can_view_district(oversight: Oversight, district: District) -> bool:
    """District staff of that district."""
    return oversight.oversees(district=district)


def can_view_street(oversight: Oversight, street: Street) -> bool:
    """Street staff of that street, and district staff of its district."""
    return oversight.oversees(street=street)


def can_view_community(viewer: Viewer) -> bool:
    """The community's own staff, and the street and district staff who oversee it (never its residents)."""
    return viewer.is_staff or viewer.oversees
