"""Who may do what with the district's work items. District-level rules take the `Stance` (standing.py);
objections, which belong to a community, take the community `Viewer` (communities.access).

Who sees the admitted list: it is public administration, so everyone with a tie to the district sees it —
district and street staff, department officers, community staff, and verified members (residents) of its
communities. Requests before a decision, refusals and withdrawals are seen by district staff and the
requesting department's officers only."""

from __future__ import annotations

from app.communities.access import Viewer
from app.workitems.models import Department, RequestStatus, WorkItemObjection, WorkItemRequest
from app.workitems.standing import Stance


def can_see_district(stance: Stance) -> bool:
    """Anyone with a tie to the district: else the district's pages answer 404."""
    return bool(
        stance.is_district_staff or stance.street_ids or stance.officer_of or stance.staff_of or stance.is_member
    )


def can_view_list(stance: Stance) -> bool:
    """The admitted list of a year, its print page and exports."""
    return can_see_district(stance)


def can_manage_departments(stance: Stance) -> bool:
    """District staff create departments and name their officers."""
    return stance.is_district_staff


def can_view_department(stance: Stance, department: Department) -> bool:
    return department.district_id == stance.district_id and (
        stance.is_district_staff or department.id in stance.officer_of
    )


def can_request(stance: Stance, department: Department) -> bool:
    """The department's officers request work items for it."""
    return department.district_id == stance.district_id and department.id in stance.officer_of


def can_view_request(stance: Stance, request: WorkItemRequest) -> bool:
    if request.district_id != stance.district_id:
        return False
    if stance.is_district_staff or request.department_id in stance.officer_of:
        return True
    return request.status == RequestStatus.ADMITTED and can_view_list(stance)


def can_edit_request(stance: Stance, request: WorkItemRequest) -> bool:
    """The department's officers edit or withdraw a request until it is decided."""
    return (
        request.district_id == stance.district_id
        and request.department_id in stance.officer_of
        and request.status == RequestStatus.PENDING
    )


def can_decide(stance: Stance) -> bool:
    """District staff decide requests (the yearly round, and urgent ones in between) and open the rounds."""
    return stance.is_district_staff


def can_view_objections(stance: Stance) -> bool:
    """The district's objections: district staff (all), street staff (their streets' communities)."""
    return stance.is_district_staff or bool(stance.street_ids)


def can_answer(stance: Stance, objection: WorkItemObjection) -> bool:
    """District staff of the objection's district answer it (once: the service refuses a second answer)."""
    return stance.is_district_staff and objection.department.district_id == stance.district_id


def can_object(viewer: Viewer) -> bool:
    """The community's staff report work placed on it outside the admitted list."""
    return viewer.is_staff


def can_view_community_objections(viewer: Viewer) -> bool:
    """The community's objections and their answers: its staff, and the street and district staff over it."""
    return viewer.is_staff or viewer.oversees


def can_view_objection(viewer: Viewer, objection: WorkItemObjection) -> bool:
    return viewer.community_id == objection.community_id and can_view_community_objections(viewer)


def can_attach(viewer: Viewer, objection: WorkItemObjection) -> bool:
    """The community's staff attach evidence (a photo of the notice, a screenshot) until it is answered."""
    return viewer.is_staff and viewer.community_id == objection.community_id and objection.answered_at is None


def can_remove_attachment(viewer: Viewer, objection: WorkItemObjection) -> bool:
    """The same people remove an attached file (it stays in the record)."""
    return can_attach(viewer, objection)
