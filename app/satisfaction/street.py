"""Street-wide satisfaction campaigns (街道统一测评): the street's staff judge the same social organisations in
every community of the street at once. Each community's part is a campaign of its own, made, opened and closed
through the community campaigns' use cases (its residents answer and are told as in any campaign); the street's
page reads the results per community and together, exactly. Nothing here commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.communities import access
from app.communities.models import Community, Street
from app.core import audit, validation
from app.core.errors import Conflict, DomainError, Forbidden
from app.core.models import utcnow
from app.extensions import db
from app.satisfaction import permissions, services, subjects
from app.satisfaction.models import Campaign, CampaignState, StreetCampaign
from app.surveys import queries as survey_queries

KIND = "organisation"  # what a street-wide campaign judges: the same organisations in every community


def communities_of(street: Street) -> list[Community]:
    return list(db.session.scalars(select(Community).where(Community.street_id == street.id).order_by(Community.id)))


def organisation_choices(street: Street) -> list[tuple[int, str]]:
    """The verified organisations of the street's district (what each community's campaign may judge)."""
    communities = communities_of(street)
    return subjects.kind(KIND).choices(communities[0]) if communities else []


def of_street(street: Street) -> list[StreetCampaign]:
    return list(
        db.session.scalars(
            select(StreetCampaign).where(StreetCampaign.street_id == street.id).order_by(StreetCampaign.id.desc())
        )
    )


def _by_client(street_id: int, client_id: str) -> StreetCampaign | None:
    return db.session.scalar(
        select(StreetCampaign).where(StreetCampaign.street_id == street_id, StreetCampaign.client_id == client_id)
    )


def create(user: User, street: Street, *, client_id, title, year, closes_at: datetime, org_ids, now=None):
    """A draft street-wide campaign: in every community of the street a campaign judging the chosen
    organisations. A retry (the same client_id) returns the first."""
    if not permissions.can_run_street(user, street):
        raise Forbidden(_l("The street's staff run street-wide campaigns."))
    client_id = validation.client_id(client_id)
    existing = _by_client(street.id, client_id)
    if existing is not None:
        return existing
    now = now or utcnow()
    title = validation.text(title, field="title", low=2, high=120, message=_l("Give a title of 2 to 120 characters."))
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DomainError("bad_request", _l("Give a year such as 2026."), field="year")
    if closes_at <= now:
        raise DomainError("bad_request", _l("The closing time must be in the future."), field="closes_on")
    offered = dict(organisation_choices(street))
    chosen = list(dict.fromkeys(i for i in org_ids or [] if i is not None))
    if not chosen or len(chosen) > services.MAX_SUBJECTS or not set(chosen) <= set(offered):
        raise DomainError(
            "bad_request", _l("Choose 1 to 30 of the verified organisations shown."), field="organisations"
        )
    communities = communities_of(street)
    if not communities:
        raise DomainError("bad_request", _l("This street has no communities yet."), field="title")
    campaign = StreetCampaign(
        street_id=street.id, client_id=client_id, title=title, year=year, closes_at=closes_at, created_by_id=user.id
    )
    try:
        with db.session.begin_nested():
            db.session.add(campaign)
            db.session.flush()
    except IntegrityError:
        existing = _by_client(street.id, client_id)
        if existing is None:
            raise
        return existing
    picks = [f"{KIND}:{i}" for i in chosen]
    for community in communities:
        part = services.create(
            access.viewer(user, community),
            client_id=f"street-campaign-{campaign.id}",
            title=title,
            year=year,
            closes_at=closes_at,
            picks=picks,
            now=now,
        )
        part.street_campaign_id = campaign.id
    db.session.flush()
    db.session.expire(campaign, ["campaigns"])
    audit.record(user, "satisfaction.street_create", campaign)
    return campaign


def state_of(campaign: StreetCampaign) -> CampaignState:
    """Draft until opened; open while any community's part is; closed once every part is."""
    states = {part.state for part in campaign.campaigns}
    if states <= {CampaignState.CLOSED} and states:
        return CampaignState.CLOSED
    if CampaignState.OPEN in states or CampaignState.CLOSED in states:
        return CampaignState.OPEN
    return CampaignState.DRAFT


def open_all(user: User, campaign: StreetCampaign, *, now=None) -> StreetCampaign:
    """Every community's part opens (its residents are told, as in any campaign)."""
    if not permissions.can_run_street(user, campaign.street):
        raise Forbidden(_l("The street's staff run street-wide campaigns."))
    drafts = [part for part in campaign.campaigns if part.state == CampaignState.DRAFT]
    if not drafts:
        raise Conflict("wrong_state", _l("Only a draft campaign can be opened."))
    for part in drafts:
        services.open_campaign(access.viewer(user, part_community(part)), part, now=now)
    audit.record(user, "satisfaction.street_open", campaign)
    return campaign


def close_all(user: User, campaign: StreetCampaign, *, now=None) -> StreetCampaign:
    """Every open part closes: the results are read, per community and together."""
    if not permissions.can_run_street(user, campaign.street):
        raise Forbidden(_l("The street's staff run street-wide campaigns."))
    running = [part for part in campaign.campaigns if part.state == CampaignState.OPEN]
    if not running:
        raise Conflict("wrong_state", _l("Only an open campaign can be closed."))
    for part in running:
        services.close(part, now=now, actor=access.viewer(user, part_community(part)))
    audit.record(user, "satisfaction.street_close", campaign)
    return campaign


def part_community(part: Campaign) -> Community:
    return access.community_by_id(part.community_id)


@dataclass
class Cell:
    """One organisation's results in one community, or together: responses, households asked, score (0..1)."""

    responses: int = 0
    eligible: int = 0
    score: Fraction | None = None

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.responses, self.eligible) if self.eligible else None


@dataclass
class Row:
    organisation_id: int
    label: str
    cells: dict[int, Cell] = field(default_factory=dict)  # community id → its results (closed parts only)
    together: Cell | None = None  # once every part is closed


def together(cells: list[Cell]) -> Cell:
    """The street's figure from the communities': responses and households summed; the score the mean over
    every household that answered, Σ (score × responses) ÷ Σ responses, an exact fraction (each part's score
    is the mean of its required scale questions over its responses, so this is the pooled mean)."""
    answered = [c for c in cells if c.score is not None and c.responses]
    responses = sum(c.responses for c in cells)
    weight = sum(c.responses for c in answered)
    score = sum((c.score * c.responses for c in answered), Fraction(0)) / weight if weight else None
    return Cell(responses=responses, eligible=sum(c.eligible for c in cells), score=score)


def results(campaign: StreetCampaign) -> list[Row]:
    """Per organisation: each closed community part's results, and the street's together once all closed."""
    rows: dict[int, Row] = {}
    for part in campaign.campaigns:
        for subject in part.subjects:
            row = rows.setdefault(subject.subject_id, Row(subject.subject_id, subject.label))
            if part.state != CampaignState.CLOSED:
                continue
            summary = survey_queries.summary(services.survey_of(subject))
            row.cells[part.community_id] = Cell(summary.responses, summary.eligible, summary.score)
    if state_of(campaign) == CampaignState.CLOSED:
        for row in rows.values():
            row.together = together(list(row.cells.values()))
    return list(rows.values())
