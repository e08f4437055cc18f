"""Who may do what with a survey. A survey with an owner asks the owner's registered kind (registry.py); a
stand-alone questionnaire is the community staff's to make and run, and its results are every member's once
it is closed. Answering is the engine's own rule: verified residents (with a household, for a survey of
households), in the survey's buildings when it is limited to some."""

from __future__ import annotations

from app.communities.access import Viewer
from app.communities.models import Role
from app.surveys import registry
from app.surveys.models import Respondent, Survey, SurveyState


def _owner(survey: Survey):
    return registry.kind(survey.owner_kind) if survey.owner_kind is not None else None


def can_create(viewer: Viewer) -> bool:
    """Community staff make stand-alone questionnaires and quick polls."""
    return viewer.is_staff


def can_manage(viewer: Viewer, survey: Survey) -> bool:
    """Open and close by hand: the staff for a stand-alone survey; an owned survey as its owner says."""
    if viewer.community_id != survey.community_id:
        return False
    owner = _owner(survey)
    return viewer.is_staff if owner is None else owner.can_manage(viewer, survey)


def can_view(viewer: Viewer, survey: Survey) -> bool:
    """Those who see the community see its surveys once opened; a draft only those who manage it."""
    if not viewer.may_see or viewer.community_id != survey.community_id:
        return False
    if survey.state == SurveyState.DRAFT and not can_manage(viewer, survey):
        return False
    owner = _owner(survey)
    return owner is None or owner.can_view(viewer, survey)


def can_answer(viewer: Viewer, survey: Survey) -> bool:
    """Verified residents; for a survey of households, those who joined with a household; in scope."""
    membership = viewer.membership
    if membership is None or not viewer.has_role(Role.RESIDENT) or viewer.community_id != survey.community_id:
        return False
    if survey.respondent == Respondent.HOUSEHOLD and membership.household_id is None:
        return False
    scope = survey.building_ids
    return not scope or membership.building_id in scope


def can_see_counts(viewer: Viewer, survey: Survey) -> bool:
    """How many answered so far (never what they answered): those who manage it, the community staff, and
    street and district staff."""
    return can_manage(viewer, survey) or viewer.is_staff or viewer.oversees


def can_see_results(viewer: Viewer, survey: Survey) -> bool:
    """Results exist only once the survey is closed; then every member for a stand-alone survey, and for an
    owned one those its owner names."""
    if survey.state != SurveyState.CLOSED or not can_view(viewer, survey):
        return False
    owner = _owner(survey)
    return owner is None or owner.can_see_results(viewer, survey)
