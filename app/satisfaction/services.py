"""Satisfaction campaigns' use cases: make one (each subject gets a survey of the engine: anonymous, one
answer per household), open it (residents are told), close it (by hand or at its time, on the tick), publish
what was done with the answers, and weigh it in the district's yearly assessment. Nothing here commits."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.communities.access import Viewer
from app.core import audit, validation
from app.core.errors import Conflict, DomainError, Forbidden
from app.core.models import utcnow
from app.core.validation import MAX_ID
from app.extensions import db
from app.satisfaction import permissions, signals, subjects
from app.satisfaction.models import AssessmentWeight, Campaign, CampaignState, CampaignSubject
from app.surveys import services as surveys
from app.surveys.models import Respondent, Survey, SurveyState

OWNER_KIND = "satisfaction"  # the surveys' owner kind (registered in app/satisfaction/owner.py)
MAX_SUBJECTS = 30


def _by_client(community_id: int, client_id: str) -> Campaign | None:
    return db.session.scalar(
        select(Campaign).where(Campaign.community_id == community_id, Campaign.client_id == client_id)
    )


def _picked(viewer: Viewer, picks) -> list[tuple[str, int, str]]:
    """The subjects chosen ("kind:id"), each checked against what the community offers."""
    chosen = []
    for pick in dict.fromkeys(picks or []):
        name, _sep, raw_id = str(pick).partition(":")
        kind = subjects.kind(name)
        offered = dict(kind.choices(viewer.community)) if kind is not None else {}
        subject_id = int(raw_id) if raw_id.isdigit() and len(raw_id) < 10 else None
        if subject_id not in offered:
            raise DomainError(
                "bad_request", _l("Choose among the workers, organisations and projects shown."), field="subjects"
            )
        chosen.append((name, subject_id, offered[subject_id]))
    if not 1 <= len(chosen) <= MAX_SUBJECTS:
        raise DomainError("bad_request", _l("Choose 1 to 30 subjects."), field="subjects")
    return chosen


def create(viewer: Viewer, *, client_id, title, year, closes_at: datetime, picks, now=None) -> Campaign:
    """A draft campaign, a survey per subject (the default questions). A retry returns the first."""
    if not permissions.can_create(viewer):
        raise Forbidden(_l("Community staff and the street and district staff make satisfaction campaigns."))
    client_id = validation.client_id(client_id)
    existing = _by_client(viewer.community_id, client_id)
    if existing is not None:
        return existing
    now = now or utcnow()
    title = validation.text(title, field="title", low=2, high=120, message=_l("Give a title of 2 to 120 characters."))
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DomainError("bad_request", _l("Give a year such as 2026."), field="year")
    if closes_at <= now:
        raise DomainError("bad_request", _l("The closing time must be in the future."), field="closes_on")
    chosen = _picked(viewer, picks)
    campaign = Campaign(
        community_id=viewer.community_id,
        client_id=client_id,
        title=title,
        year=year,
        closes_at=closes_at,
        created_by_id=viewer.user_id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(campaign)
            db.session.flush()
    except IntegrityError:
        existing = _by_client(viewer.community_id, client_id)
        if existing is None:
            raise
        return existing
    for name, subject_id, label in chosen:
        survey = surveys.create_survey(
            viewer.community,
            title=f"{title} · {label}"[:120],
            questions=subjects.kind(name).questions(label),
            respondent=Respondent.HOUSEHOLD,
            anonymous=True,
            owner_kind=OWNER_KIND,
            owner_id=None,
            closes_at=closes_at,
            created_by=viewer.user,
            now=now,
        )
        subject = CampaignSubject(kind=name, subject_id=subject_id, label=label[:120], survey_id=survey.id)
        campaign.subjects.append(subject)
        db.session.flush()
        survey.owner_id = subject.id
    db.session.flush()
    audit.record(viewer.user, "satisfaction.create", campaign, community_id=campaign.community_id)
    return campaign


def open_campaign(viewer: Viewer, campaign: Campaign, *, now=None) -> Campaign:
    """Every subject's survey opens; the residents are told (signals.campaign_opened)."""
    if not permissions.can_manage(viewer, campaign):
        raise Forbidden()
    if campaign.state != CampaignState.DRAFT:
        raise Conflict("wrong_state", _l("Only a draft campaign can be opened."))
    now = now or utcnow()
    for subject in campaign.subjects:
        surveys.open_survey(survey_of(subject), now=now)
    campaign.state, campaign.opened_at = CampaignState.OPEN, now
    db.session.flush()
    audit.record(viewer.user, "satisfaction.open", campaign, community_id=campaign.community_id)
    signals.campaign_opened.send(campaign)
    return campaign


def close(campaign: Campaign, *, now=None, actor: Viewer | None = None) -> Campaign:
    """The campaign and its surveys close (by hand, or on the tick at its time): results can be read."""
    if actor is not None and not permissions.can_manage(actor, campaign):
        raise Forbidden()
    if campaign.state != CampaignState.OPEN:
        raise Conflict("wrong_state", _l("Only an open campaign can be closed."))
    now = now or utcnow()
    for subject in campaign.subjects:
        survey = survey_of(subject)
        if survey.state == SurveyState.OPEN:
            surveys.close_survey(survey, now=now)
    campaign.state, campaign.closed_at = CampaignState.CLOSED, now
    db.session.flush()
    if actor is not None:
        audit.record(actor.user, "satisfaction.close", campaign, community_id=campaign.community_id)
    return campaign


def close_due(now: datetime) -> int:
    due = db.session.scalars(
        select(Campaign).where(Campaign.state == CampaignState.OPEN, Campaign.closes_at <= now)
    ).all()
    for campaign in due:
        close(campaign, now=now)
    return len(due)


def publish_note(viewer: Viewer, campaign: Campaign, note, *, now=None) -> Campaign:
    """Staff tell residents what was done with their answers (after the close)."""
    if not permissions.can_manage(viewer, campaign):
        raise Forbidden()
    if campaign.state != CampaignState.CLOSED:
        raise Conflict("wrong_state", _l("The note is published once the campaign is closed."))
    campaign.response_note = validation.text(
        note,
        field="note",
        low=1,
        high=4000,
        message=_l("Write what was done with the answers (at most 4000 characters)."),
    )
    campaign.note_published_at = now or utcnow()
    db.session.flush()
    audit.record(viewer.user, "satisfaction.note", campaign, community_id=campaign.community_id)
    return campaign


def set_weight(user: User, campaign: Campaign, weight: Fraction) -> AssessmentWeight:
    """District staff set the campaign's weight in its year's assessment (an exact fraction)."""
    if not permissions.can_set_weight(user, campaign):
        raise Forbidden(_l("The district staff set the assessment's weights."))
    if not isinstance(weight, Fraction) or not 0 < weight <= 1 or max(weight.numerator, weight.denominator) > MAX_ID:
        raise DomainError("bad_share", _l("A weight is more than 0 and at most 1, such as 1/2 or 30%."), field="weight")
    row = db.session.scalar(select(AssessmentWeight).where(AssessmentWeight.campaign_id == campaign.id))
    if row is None:
        row = AssessmentWeight(
            campaign_id=campaign.id, district_id=permissions.campaign_district(campaign), year=campaign.year
        )
        db.session.add(row)
    row.numerator, row.denominator, row.set_by_id = weight.numerator, weight.denominator, user.id
    db.session.flush()
    return row


def survey_of(subject: CampaignSubject) -> Survey:
    return db.session.get(Survey, subject.survey_id)
