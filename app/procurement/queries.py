"""Read-only questions other pages ask of procurement: what happened lately, what needs a viewer now, an
organisation's projects (its showcase)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import joinedload

from app.communities.access import Viewer
from app.core.models import utcnow
from app.extensions import db
from app.procurement.models import (
    Application,
    Award,
    CallStatus,
    Contract,
    Milestone,
    MilestoneStatus,
    PanelMember,
    ScoreSheet,
    ServiceCall,
)
from app.procurement.services import scoring
from app.surveys.models import Survey


def recent(viewer: Viewer, limit: int) -> list[tuple[datetime, str, ServiceCall]]:
    """(when, "published" or "awarded", call) of the viewer's community, newest first."""
    if not viewer.may_see:
        return []
    calls = db.session.scalars(
        select(ServiceCall)
        .where(ServiceCall.community_id == viewer.community_id)
        .order_by(ServiceCall.id.desc())
        .limit(limit)
    ).all()
    events = [(c.created_at, "published", c) for c in calls]
    events += [(c.award.awarded_at, "awarded", c) for c in calls if c.award is not None]
    return sorted(events, key=lambda e: e[0], reverse=True)[:limit]


def milestones_to_act_on(viewer: Viewer) -> list[Milestone]:
    """For the community's staff (and the street staff overseeing it, who are not members): milestones
    submitted with residents' satisfaction in (to sign off) or evaluated (to pay)."""
    if viewer.user is None or not (viewer.is_staff or (viewer.membership is None and viewer.oversees)):
        return []
    query = (
        select(Milestone)
        .join(Contract, Milestone.contract_id == Contract.id)
        .where(
            Contract.community_id == viewer.community_id,
            Milestone.status.in_((MilestoneStatus.SUBMITTED, MilestoneStatus.EVALUATED)),
        )
        .options(
            joinedload(Milestone.contract).joinedload(Contract.call),
            joinedload(Milestone.satisfaction),
        )
        .order_by(Milestone.id)
    )
    found = db.session.scalars(query).unique().all()
    # a submitted milestone waits for residents' satisfaction first: it is for staff once that is in
    return [m for m in found if m.status == MilestoneStatus.EVALUATED or m.satisfaction is not None]


def scoring_waiting(viewer: Viewer) -> list[ServiceCall]:
    """Calls of the community past their deadline and before their scoring's end, not awarded, where the viewer
    sits on the panel and has an application without a declaration or submitted scores."""
    if viewer.user is None:
        return []
    unscored = exists().where(
        Application.call_id == ServiceCall.id,
        ~exists().where(
            and_(
                ScoreSheet.application_id == Application.id,
                ScoreSheet.expert_id == viewer.user.id,
                (ScoreSheet.conflicted.is_(True)) | (ScoreSheet.submitted_at.is_not(None)),
            )
        ),
    )
    query = (
        select(ServiceCall)
        .join(PanelMember, and_(PanelMember.call_id == ServiceCall.id, PanelMember.user_id == viewer.user.id))
        .where(
            ServiceCall.community_id == viewer.community_id,
            ServiceCall.status == CallStatus.OPEN,
            ServiceCall.deadline <= utcnow(),
            or_(ServiceCall.scoring_ends.is_(None), ServiceCall.scoring_ends > utcnow()),
            unscored,
        )
        .order_by(ServiceCall.deadline)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class OrgProject:
    title: str
    community: str
    status: str  # the contract's state: "under_way" or "completed" (every milestone paid)
    contract_total_fen: int
    paid_fen: int
    evaluated_score: Fraction | None  # the mean of the milestones' residents' satisfaction (0..1), if any
    contract_id: int


def org_projects(org) -> list[OrgProject]:
    """The organisation's contracts (its awarded projects), newest first: for its showcase page."""
    contracts = db.session.scalars(
        select(Contract).where(Contract.organisation_id == org.id).order_by(Contract.id.desc())
    ).all()
    found = []
    for contract in contracts:
        milestones = contract.milestones
        scores = [m.satisfaction.score for m in milestones if m.satisfaction is not None]
        done = bool(milestones) and all(m.status == MilestoneStatus.PAID for m in milestones)
        found.append(
            OrgProject(
                title=contract.call.title,
                community=contract.call.community.name,
                status="completed" if done else "under_way",
                contract_total_fen=contract.total_fen,
                paid_fen=sum(p.amount_fen for p in contract.payments),
                evaluated_score=sum(scores, Fraction(0)) / len(scores) if scores else None,
                contract_id=contract.id,
            )
        )
    return found


def awards(calls: list[ServiceCall]) -> list[tuple[ServiceCall, Award, list]]:
    """Each awarded call with its award and its ranking (application, combined score)."""
    return [(c, c.award, scoring.ranking(c)) for c in calls if c.award is not None]


SURVEY_OWNER = "milestone"  # the survey engine's owner kind of a milestone's satisfaction survey


def satisfaction_survey(milestone: Milestone) -> Survey | None:
    """The newest survey asking the households about the milestone (app/flows/milestone_satisfaction.py opens
    it when the milestone is submitted), for a link on its page."""
    return db.session.scalar(
        select(Survey)
        .where(Survey.owner_kind == SURVEY_OWNER, Survey.owner_id == milestone.id)
        .order_by(Survey.id.desc())
        .limit(1)
    )
