"""The campaigns' surveys as an owner kind of the survey engine: a survey belongs to one campaign subject;
the campaign opens and closes it (nobody does by hand); its results follow the subject's visibility."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.communities.access import Viewer
from app.core.web import path_for as path
from app.extensions import db
from app.satisfaction import permissions
from app.satisfaction.models import CampaignSubject
from app.surveys import registry
from app.surveys.models import Survey


def _subject(survey: Survey) -> CampaignSubject | None:
    return db.session.get(CampaignSubject, survey.owner_id) if survey.owner_id else None


def _can_view(viewer: Viewer, survey: Survey) -> bool:
    subject = _subject(survey)
    return subject is not None and permissions.can_view(viewer, subject.campaign)


def _can_see_results(viewer: Viewer, survey: Survey) -> bool:
    subject = _subject(survey)
    return subject is not None and permissions.can_see_results(viewer, subject.campaign, subject)


def _url(survey: Survey) -> str:
    subject = _subject(survey)
    return path("satisfaction.show", campaign_id=subject.campaign_id) if subject else ""


registry.register(
    registry.OwnerKind(
        name="satisfaction",
        can_view=_can_view,
        can_manage=lambda viewer, survey: False,  # the campaign opens and closes its surveys
        can_see_results=_can_see_results,
        url=_url,
        label=_l("Satisfaction campaign"),
    )
)
