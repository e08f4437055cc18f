"""Who may do what with micro-projects and the fund. Every rule takes the `Viewer` (communities.access)
first, and the project when there is one."""

from __future__ import annotations

from app.communities.access import Viewer
from app.communities.models import Role
from app.microprojects.models import MicroProject, ProjectStatus


def can_apply(viewer: Viewer) -> bool:
    """Verified residents (for a resident group) and social organisations apply."""
    return viewer.has_role(Role.RESIDENT, Role.SOCIAL_ORG)


def can_review(viewer: Viewer) -> bool:
    """Community staff review applications and keep the fund."""
    return viewer.is_staff


def can_grant(viewer: Viewer) -> bool:
    """A project granted outright (a contest's winner): the community staff, or the street and district
    staff overseeing the community (they run street- and district-wide contests)."""
    return viewer.is_staff or viewer.oversees


def can_rate(viewer: Viewer) -> bool:
    """A verified resident of a household rates, once per household."""
    return viewer.has_role(Role.RESIDENT) and viewer.membership.household_id is not None


def is_applicant(viewer: Viewer, project: MicroProject) -> bool:
    return viewer.is_user(project.applicant_id)


def can_view(viewer: Viewer, project: MicroProject) -> bool:
    """Members and overseers read projects once submitted; a draft only its applicant and the staff."""
    if not viewer.may_see or viewer.community_id != project.community_id:
        return False
    return project.status != ProjectStatus.DRAFT or is_applicant(viewer, project) or can_review(viewer)


def can_edit(viewer: Viewer, project: MicroProject) -> bool:
    """The applicant revises their application (while it is a draft or sent back: see services)."""
    return is_applicant(viewer, project)


def can_keep_books(viewer: Viewer, project: MicroProject) -> bool:
    """The applicant and the community staff record expenditures and report progress."""
    return is_applicant(viewer, project) or can_review(viewer)


def can_attach(viewer: Viewer, project: MicroProject) -> bool:
    """The project's lead (its applicant) and community staff attach quotes, plans and reports."""
    return is_applicant(viewer, project) or can_review(viewer)


def can_remove_attachment(viewer: Viewer, project: MicroProject) -> bool:
    """The same people remove an attached file (it stays in the record)."""
    return can_attach(viewer, project)
