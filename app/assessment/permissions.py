"""Who may do what with the assessment. District-level rules take the `Officer` (how the user stands towards one
district: its district staff, street staff of some of its streets); a community's results page takes the
community `Viewer` (communities.access). A refusal to see is a 404; a refusal to act, for someone who sees, 403."""

from __future__ import annotations

from dataclasses import dataclass

from app.assessment.models import Assessment, Scheme, SchemeStatus
from app.communities.access import Viewer
from app.communities.models import Role


@dataclass(frozen=True)
class Officer:
    district_id: int
    is_district_staff: bool = False
    street_ids: frozenset[int] = frozenset()  # this district's streets the user is street staff of


def can_see_district(officer: Officer) -> bool:
    """The district's assessment pages: its district staff and the street staff of its streets."""
    return officer.is_district_staff or bool(officer.street_ids)


def can_manage(officer: Officer) -> bool:
    """District staff define schemes, publish them, compute the year's assessment and publish the results."""
    return officer.is_district_staff


def can_see_scheme(officer: Officer, scheme: Scheme) -> bool:
    """Drafts: district staff only; a published scheme: the street staff too."""
    return can_manage(officer) or (bool(officer.street_ids) and scheme.status == SchemeStatus.PUBLISHED)


def can_see_community(officer: Officer, street_id: int) -> bool:
    """One community's assessment before publication: district staff, and street staff of its street."""
    return officer.is_district_staff or street_id in officer.street_ids


def can_score(officer: Officer, scheme: Scheme, street_id: int) -> bool:
    """Manual criteria are scored by district staff and by the street staff of the community's street, once the
    scheme is published and until its results are."""
    return (
        scheme.status == SchemeStatus.PUBLISHED
        and scheme.results_published_at is None
        and can_see_community(officer, street_id)
    )


def can_view_results(viewer: Viewer) -> bool:
    """A community's published results: its residents and staff, and the street and district staff overseeing
    it (not an organisation's agent or an expert, whose membership is for their work there)."""
    return viewer.has_role(Role.RESIDENT, Role.COMMUNITY_STAFF) or viewer.oversees


def can_view_evidence(viewer: Viewer, assessment: Assessment) -> bool:
    """Files attached to a community's assessment: the street and district staff overseeing it; its residents and
    staff once the results are published."""
    return viewer.oversees or (assessment.scheme.results_published_at is not None and can_view_results(viewer))


def can_attach_evidence(viewer: Viewer, assessment: Assessment) -> bool:
    """Those who score it (the street staff of its street, the district staff: those overseeing it), while it is
    scored: the scheme published, its results not yet."""
    scheme = assessment.scheme
    return viewer.oversees and scheme.status == SchemeStatus.PUBLISHED and scheme.results_published_at is None


def can_remove_evidence(viewer: Viewer, assessment: Assessment) -> bool:
    return can_attach_evidence(viewer, assessment)
