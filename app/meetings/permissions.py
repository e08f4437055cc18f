"""Who may do what with a meeting. A meeting belongs to a consultation: who manages the consultation (its
convenor, its chair, community staff) prepares and runs its meetings; who may see it sees them."""

from __future__ import annotations

from app.communities.access import Viewer
from app.consultations import permissions as consultation_permissions
from app.consultations.models import Consultation
from app.meetings.models import Meeting, MeetingState


def can_plan(viewer: Viewer, consultation: Consultation) -> bool:
    """Prepare a meeting of a consultation: those who manage the consultation, while it is not over."""
    return consultation_permissions.can_edit_rules(viewer, consultation)


def can_manage(viewer: Viewer, meeting: Meeting) -> bool:
    """Edit the agenda, schedule, open, move through the agenda, close, publish the minutes."""
    return consultation_permissions.can_manage(viewer, meeting.consultation)


def can_view(viewer: Viewer, meeting: Meeting) -> bool:
    """Who sees the consultation sees its meetings once scheduled; a draft (or a draft cancelled before it was
    announced) only those who manage it."""
    if not consultation_permissions.can_view(viewer, meeting.consultation):
        return False
    never_announced = meeting.state == MeetingState.DRAFT or (
        meeting.state == MeetingState.CANCELLED and meeting.scheduled_at is None
    )
    return not never_announced or can_manage(viewer, meeting)


def in_scope(viewer: Viewer, meeting: Meeting) -> bool:
    """A verified member of the meeting's community, in its consultation's building when it has one."""
    if not viewer.is_verified or viewer.community_id != meeting.community_id:
        return False
    building_id = meeting.consultation.building_id
    return building_id is None or viewer.membership.building_id == building_id


def can_sign_in(viewer: Viewer, meeting: Meeting) -> bool:
    """Sign in by scanning the sheet in the hall: members in scope, and those who take part for a party."""
    return in_scope(viewer, meeting) or consultation_permissions.is_party(viewer, meeting.consultation)


def can_tick(viewer: Viewer, meeting: Meeting) -> bool:
    """Tick people without a phone on the list, and print the sign-in sheet: community staff and those who
    manage the meeting."""
    return (viewer.is_staff and viewer.community_id == meeting.community_id) or can_manage(viewer, meeting)


def can_object(viewer: Viewer, meeting: Meeting) -> bool:
    """Object to the published minutes: verified members of the community."""
    return viewer.is_verified and viewer.community_id == meeting.community_id


def can_answer(viewer: Viewer, meeting: Meeting) -> bool:
    """Answer an objection: those who manage the meeting."""
    return can_manage(viewer, meeting)
