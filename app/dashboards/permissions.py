"""Who sees which dashboard. A refusal is a 404 (the access rule: nobody learns a street or community exists)."""

from __future__ import annotations

from collections.abc import Sequence

from app.communities.access import Viewer
from app.communities.models import OfficeAssignment, OfficeRole, Street


def can_view_district(offices: Sequence[OfficeAssignment], district_id: int) -> bool:
    """District staff of that district."""
    return any(o.role == OfficeRole.DISTRICT_STAFF and o.district_id == district_id for o in offices)


def can_view_street(offices: Sequence[OfficeAssignment], street: Street) -> bool:
    """Street staff of that street, and district staff of its district."""
    return any(o.role == OfficeRole.STREET_STAFF and o.street_id == street.id for o in offices) or can_view_district(
        offices, street.district_id
    )


def can_view_community(viewer: Viewer) -> bool:
    """The community's own staff, and the street and district staff who oversee it (never its residents)."""
    return viewer.is_staff or viewer.oversees
