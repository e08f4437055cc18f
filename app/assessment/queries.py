"""Read-only questions the assessment's pages ask: the district's schemes, a scheme's results (ranked, or a
street's communities side by side), a community's published results with the formula of each score."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from flask import has_request_context
from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.assessment import permissions, scoring
from app.assessment.models import Assessment, AssessmentCriterion, AssessmentScore, CriterionKind, Scheme, SchemeStatus
from app.assessment.permissions import Officer
from app.dashboards import reading
from app.extensions import db

_FIGURES: dict[str, dict[str, reading.FigureInfo]] = {}  # language -> the figures


def schemes(officer: Officer) -> list[Scheme]:
    """The district's schemes the officer may see, newest year and version first."""
    found = db.session.scalars(
        select(Scheme)
        .where(Scheme.district_id == officer.district_id)
        .order_by(Scheme.year.desc(), Scheme.version.desc())
    )
    return [s for s in found if permissions.can_see_scheme(officer, s)]


@dataclass
class Line:
    """One criterion in one community: its score (None: not yet given) and the formula in words and numbers."""

    criterion: AssessmentCriterion
    score: AssessmentScore | None
    formula: str
    figure_label: str

    @property
    def points_text(self) -> str:
        return scoring.decimal(self.score.points) if self.score else "—"


@dataclass
class Result:
    assessment: Assessment
    lines: list[Line]
    total: Fraction
    place: int = 0  # in the district, 1 = best

    @property
    def total_text(self) -> str:
        return scoring.decimal(self.total)


def figures() -> dict[str, reading.FigureInfo]:
    """The dashboards' figures by key, in page order, labelled in the request's language. The sections are
    registered once, at import: the list is read once per language and process (it costs a few dozen queries)."""
    language = str(get_locale()) if has_request_context() else ""
    if language not in _FIGURES:
        _FIGURES[language] = {f.key: f for f in reading.catalog()}
    return _FIGURES[language]


def _result(assessment: Assessment, figures: dict[str, reading.FigureInfo]) -> Result:
    scores = {s.criterion_id: s for s in assessment.scores}
    lines = []
    for c in assessment.scheme.criteria:
        info = figures.get(c.figure_key) if c.kind == CriterionKind.FIGURE else None
        label = info.label if info else c.title
        lines.append(
            Line(c, scores.get(c.id), scoring.formula(c, scores.get(c.id), label, info.kind if info else ""), label)
        )
    return Result(assessment, lines, assessment.total)


def results(scheme: Scheme, officer: Officer | None = None) -> list[Result]:
    """Every community's result, ranked by total (ties share the better place); for a street officer only their
    street's communities (their places still those in the district)."""
    found = list(
        db.session.scalars(
            select(Assessment)
            .where(Assessment.scheme_id == scheme.id)
            .options(selectinload(Assessment.scores), selectinload(Assessment.community))
        )
    )
    known = figures()
    ranked = sorted((_result(a, known) for a in found), key=lambda r: (-r.total, r.assessment.community_id))
    totals = [r.total for r in ranked]
    for r in ranked:
        r.place = totals.index(r.total) + 1
    if officer is not None and not officer.is_district_staff:
        ranked = [r for r in ranked if r.assessment.community.street_id in officer.street_ids]
    return ranked


def assessment_of(scheme: Scheme, community_id: int) -> Assessment | None:
    return db.session.scalar(
        select(Assessment).where(Assessment.scheme_id == scheme.id, Assessment.community_id == community_id)
    )


def result_of(assessment: Assessment) -> Result:
    return _result(assessment, figures())


def published_for(community_id: int) -> list[tuple[Scheme, Result, int]]:
    """The community's published results, newest first: (scheme, its result, how many were assessed)."""
    found = db.session.scalars(
        select(Assessment)
        .join(Scheme, Assessment.scheme_id == Scheme.id)
        .where(
            Assessment.community_id == community_id,
            Scheme.status == SchemeStatus.PUBLISHED,
            Scheme.results_published_at.is_not(None),
        )
        .order_by(Scheme.year.desc(), Scheme.version.desc())
    )
    out = []
    for a in found:
        everyone = results(a.scheme)
        out.append((a.scheme, next(r for r in everyone if r.assessment.id == a.id), len(everyone)))
    return out
