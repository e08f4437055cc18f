"""Read-only questions about campaigns: the community's list, each subject's results for this viewer, and
the yearly assessment (the district's weighting of the year's campaign scores)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import select

from app.accounts.models import User
from app.communities import access
from app.communities.access import Viewer
from app.communities.models import Community, MemberRole, Membership, MembershipStatus, Role, Street
from app.extensions import db
from app.satisfaction import permissions, subjects
from app.satisfaction.models import AssessmentWeight, Campaign, CampaignState, CampaignSubject
from app.surveys import queries as surveys
from app.surveys.models import Survey, SurveyParticipation


def listing(viewer: Viewer) -> list[Campaign]:
    campaigns = db.session.scalars(
        select(Campaign).where(Campaign.community_id == viewer.community_id).order_by(Campaign.id.desc())
    )
    return [c for c in campaigns if permissions.can_view(viewer, c)]


@dataclass
class SubjectRow:
    subject: CampaignSubject
    survey: Survey
    kind_label: object
    results: surveys.Results | None  # None: not (yet) for this viewer
    extras: dict


def subject_rows(viewer: Viewer, campaign: Campaign) -> list[SubjectRow]:
    rows = []
    for subject in campaign.subjects:
        kind = subjects.kind(subject.kind)
        survey = db.session.get(Survey, subject.survey_id)
        visible = permissions.can_see_results(viewer, campaign, subject)
        rows.append(
            SubjectRow(
                subject=subject,
                survey=survey,
                kind_label=kind.label if kind else subject.kind,
                results=surveys.results(survey) if visible else None,
                extras=kind.extras(subject.subject_id) if (kind and visible) else {},
            )
        )
    return rows


@dataclass
class AssessmentRow:
    """One worker, organisation or project in one year: each campaign's score and its weight."""

    kind: str
    subject_id: int
    label: str
    scores: list[tuple[Campaign, Fraction, Fraction, bool]] = field(
        default_factory=list
    )  # campaign, score, weight, set

    @property
    def weighted(self) -> Fraction | None:
        """Σ weight × score / Σ weight over the year's campaigns that scored it."""
        total = sum((w for _c, _s, w, _set in self.scores), Fraction(0))
        return sum((w * s for _c, s, w, _set in self.scores), Fraction(0)) / total if total else None


def _campaign_scope(user: User) -> tuple[set[int], set[int]]:
    """(communities whose every subject the user sees, districts whose weights they set)."""
    return access.overseen_community_ids(user), set(access.oversight(user).district_ids)


def assessment(user: User, year: int) -> tuple[list[AssessmentRow], set[int]]:
    """The year's assessment rows the user may read: street and district staff all of their communities';
    a community worker only their own. Returns (rows, the districts whose weights the user sets)."""
    overseen, districts = _campaign_scope(user)
    campaigns = db.session.scalars(
        select(Campaign)
        .where(Campaign.year == year, Campaign.state == CampaignState.CLOSED)
        .order_by(Campaign.closed_at, Campaign.id)
    ).all()
    weights = {
        w.campaign_id: Fraction(w.numerator, w.denominator)
        for w in db.session.scalars(select(AssessmentWeight).where(AssessmentWeight.year == year))
    }
    rows: dict[tuple[str, int], AssessmentRow] = {}
    for campaign in campaigns:
        for subject in campaign.subjects:
            own = subject.kind == "worker" and subject.subject_id == user.id
            if campaign.community_id not in overseen and not own:
                continue
            score = surveys.summary(db.session.get(Survey, subject.survey_id)).score
            if score is None:
                continue
            row = rows.setdefault(
                (subject.kind, subject.subject_id), AssessmentRow(subject.kind, subject.subject_id, subject.label)
            )
            row.scores.append((campaign, score, weights.get(campaign.id, Fraction(1)), campaign.id in weights))
    return sorted(rows.values(), key=lambda r: (r.kind, r.label)), districts


def community_names(ids) -> dict[int, str]:
    return dict(db.session.execute(select(Community.id, Community.name).where(Community.id.in_(set(ids)))).all())


def district_of_community(community_id: int) -> int:
    return db.session.scalar(
        select(Street.district_id).join(Community, Community.street_id == Street.id).where(Community.id == community_id)
    )


def yet_to_answer(campaign: Campaign) -> dict[int, object]:
    """Verified residents (by user id) whose household has not answered every subject of the campaign."""
    survey_ids = [s.survey_id for s in campaign.subjects]
    done = defaultdict(int)
    for (key,) in db.session.execute(
        select(SurveyParticipation.respondent_key).where(SurveyParticipation.survey_id.in_(survey_ids))
    ):
        done[key] += 1
    members = db.session.scalars(
        select(Membership)
        .join(MemberRole, MemberRole.membership_id == Membership.id)
        .where(
            Membership.community_id == campaign.community_id,
            Membership.status == MembershipStatus.VERIFIED,
            Membership.household_id.is_not(None),
            MemberRole.role == Role.RESIDENT,
        )
    ).unique()
    return {m.user_id: m.user for m in members if done[f"h:{m.household_id}"] < len(survey_ids)}


def residents(community_id: int) -> list:
    """Verified residents of the community (told when a campaign opens)."""
    return [
        m.user
        for m in db.session.scalars(
            select(Membership)
            .join(MemberRole, MemberRole.membership_id == Membership.id)
            .where(
                Membership.community_id == community_id,
                Membership.status == MembershipStatus.VERIFIED,
                MemberRole.role == Role.RESIDENT,
            )
        ).unique()
    ]


def awaiting_answer(viewer: Viewer) -> list[Campaign]:
    """Open campaigns of the viewer's community whose subjects their household has not all answered (the
    home's "需要您处理"): only for a verified resident who joined with a household."""
    membership = viewer.membership
    if membership is None or membership.household_id is None or not viewer.has_role(Role.RESIDENT):
        return []
    campaigns = db.session.scalars(
        select(Campaign)
        .where(Campaign.community_id == viewer.community_id, Campaign.state == CampaignState.OPEN)
        .order_by(Campaign.closes_at)
    ).all()
    if not campaigns:
        return []
    answered = set(
        db.session.scalars(
            select(SurveyParticipation.survey_id).where(
                SurveyParticipation.respondent_key == f"h:{membership.household_id}",
                SurveyParticipation.survey_id.in_([s.survey_id for c in campaigns for s in c.subjects]),
            )
        )
    )
    return [c for c in campaigns if any(s.survey_id not in answered for s in c.subjects)]
