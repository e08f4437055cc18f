"""The assessment's use cases. Each takes the `Officer` (permissions.py) and the acting user, checks, changes and
flushes; the edge commits. Refusals are DomainErrors: nothing is stored. A retried creation (same client_id)
returns what the first one stored."""

from __future__ import annotations

from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.assessment import permissions, queries, scoring
from app.assessment.models import (
    TOTAL_POINTS,
    Assessment,
    AssessmentCriterion,
    AssessmentScore,
    CriterionKind,
    Rule,
    Scheme,
    SchemeStatus,
)
from app.assessment.permissions import Officer
from app.communities import access
from app.communities.models import Community, Street
from app.core import audit, validation
from app.core.clock import local_today
from app.core.errors import DomainError, Forbidden
from app.core.models import utcnow
from app.dashboards import reading
from app.dashboards.period import BY_YEAR, Period
from app.extensions import db

EARLIEST_YEAR = 2000
MAX_VALUE = 10**9  # a floor, a target: beyond this it is a typing mistake


def officer(user, district_id: int) -> Officer:
    """How the user stands towards the district (no check: the permissions decide)."""
    found = access.oversight(user)
    return Officer(district_id, found.oversees(district=district_id), found.street_ids_in(district_id))


def _require(allowed: bool) -> None:
    if not allowed:
        raise Forbidden()


def _draft(scheme: Scheme) -> None:
    if scheme.status != SchemeStatus.DRAFT:
        raise DomainError(
            "scheme_published",
            _l("This scheme is published: its criteria and weights no longer change. Make a new version."),
            status=409,
        )


def create_scheme(officer: Officer, user, year: int, title: str, client_id: str) -> Scheme:
    _require(permissions.can_manage(officer))
    client_id = validation.client_id(client_id)
    found = db.session.scalar(
        select(Scheme).where(
            Scheme.district_id == officer.district_id, Scheme.created_by_id == user.id, Scheme.client_id == client_id
        )
    )
    if found is not None:
        return found
    if not EARLIEST_YEAR <= year <= local_today().year + 1:
        raise DomainError(
            "bad_year",
            _l("Choose a year from %(first)d to %(last)d.", first=EARLIEST_YEAR, last=local_today().year + 1),
            field="year",
        )
    title = validation.text(title, field="title", low=1, high=100, message=_l("Give the scheme a title."))
    version = db.session.scalar(
        select(func.max(Scheme.version)).where(Scheme.district_id == officer.district_id, Scheme.year == year)
    )
    scheme = Scheme(
        district_id=officer.district_id,
        year=year,
        version=(version or 0) + 1,
        title=title,
        client_id=client_id,
        created_by_id=user.id,
    )
    db.session.add(scheme)
    db.session.flush()
    audit.record(user, "assessment.scheme", scheme, year=year)
    return scheme


def add_criterion(officer: Officer, user, scheme: Scheme, data: dict) -> AssessmentCriterion:
    """data: client_id, title, description, points, kind, figure_key, rule, floor, target, lower_is_better."""
    _require(permissions.can_manage(officer))
    client_id = validation.client_id(data.get("client_id"))
    found = next((c for c in scheme.criteria if c.client_id == client_id), None)
    if found is not None:
        return found
    _draft(scheme)
    points = data.get("points")
    if points is None or not 0 < points <= TOTAL_POINTS:
        raise DomainError(
            "bad_points", _l("Give the criterion from 1 to %(n)d points.", n=TOTAL_POINTS), field="points"
        )
    criterion = AssessmentCriterion(
        client_id=client_id,
        title=validation.text(data.get("title"), field="title", low=1, high=100, message=_l("Name the criterion.")),
        description=validation.text(
            data.get("description") or "", field="description", low=0, high=2000, message=_l("At most 2000 characters.")
        ),
        points=points,
        kind=CriterionKind(data.get("kind")),
        position=len(scheme.criteria) + 1,
    )
    if criterion.kind == CriterionKind.FIGURE:
        _figure_rule(criterion, data)
    scheme.criteria.append(criterion)
    db.session.flush()
    audit.record(user, "assessment.criterion", criterion, scheme=scheme.id)
    return criterion


def _figure_rule(criterion: AssessmentCriterion, data: dict) -> None:
    keys = set(queries.figures())
    key = data.get("figure_key") or ""
    if key not in keys:
        raise DomainError("no_figure", _l("There is no dashboard figure “%(key)s”.", key=key[:60]), field="figure_key")
    criterion.figure_key = key
    criterion.rule = Rule(data.get("rule") or Rule.LINEAR)
    criterion.lower_is_better = bool(data.get("lower_is_better"))
    if criterion.rule == Rule.LINEAR:
        floor, target = data.get("floor"), data.get("target")
        for name, value in (("floor", floor), ("target", target)):
            if value is None:
                raise DomainError("no_bound", _l("A linear rule needs a floor and a target."), field=name)
            if not 0 <= value <= MAX_VALUE:
                raise DomainError("bad_bound", _l("Give a number from 0 to 1,000,000,000."), field=name)
        if floor == target:
            raise DomainError("same_bounds", _l("The floor and the target must differ."), field="target")
        criterion.floor_num, criterion.floor_den = floor.numerator, floor.denominator
        criterion.target_num, criterion.target_den = target.numerator, target.denominator


def remove_criterion(officer: Officer, user, scheme: Scheme, criterion: AssessmentCriterion) -> None:
    _require(permissions.can_manage(officer))
    _draft(scheme)
    scheme.criteria.remove(criterion)
    db.session.flush()
    audit.record(user, "assessment.criterion_removed", scheme, criterion=criterion.id)


def set_points(
    officer: Officer, user, scheme: Scheme, criterion: AssessmentCriterion, points: int | None
) -> AssessmentCriterion:
    """A criterion's weight, while the scheme is a draft."""
    _require(permissions.can_manage(officer))
    _draft(scheme)
    if points is None or not 0 < points <= TOTAL_POINTS:
        raise DomainError(
            "bad_points", _l("Give the criterion from 1 to %(n)d points.", n=TOTAL_POINTS), field="points"
        )
    criterion.points = points
    db.session.flush()
    audit.record(user, "assessment.points", criterion, points=points)
    return criterion


def publish(officer: Officer, user, scheme: Scheme) -> Scheme:
    """Draft → published: the criteria and their weights are fixed from now on."""
    _require(permissions.can_manage(officer))
    if scheme.status == SchemeStatus.PUBLISHED:
        return scheme  # a retried publish
    if scheme.points_sum != TOTAL_POINTS:
        raise DomainError(
            "weights_sum",
            _l(
                "The criteria's weights add up to %(sum)d points, not %(total)d.",
                sum=scheme.points_sum,
                total=TOTAL_POINTS,
            ),
        )
    scheme.status = SchemeStatus.PUBLISHED
    scheme.published_at = utcnow()
    db.session.flush()
    audit.record(user, "assessment.publish", scheme)
    return scheme


def new_version(officer: Officer, user, scheme: Scheme, client_id: str) -> Scheme:
    """A draft copy of a scheme (its criteria and weights), to change what a published scheme cannot."""
    made = create_scheme(officer, user, scheme.year, scheme.title, client_id)
    if made.criteria:
        return made  # a retry: copied already
    for c in scheme.criteria:
        made.criteria.append(
            AssessmentCriterion(
                **{
                    col: getattr(c, col)
                    for col in (
                        "position",
                        "client_id",
                        "title",
                        "description",
                        "points",
                        "kind",
                        "figure_key",
                        "rule",
                        "floor_num",
                        "floor_den",
                        "target_num",
                        "target_den",
                        "lower_is_better",
                    )
                }
            )
        )
    db.session.flush()
    return made


def communities_of(district_id: int) -> list[Community]:
    return list(
        db.session.scalars(
            select(Community)
            .join(Street, Community.street_id == Street.id)
            .where(Street.district_id == district_id)
            .order_by(Street.id, Community.id)
        )
    )


def compute(officer: Officer, user, scheme: Scheme) -> list[Assessment]:
    """The year's assessment: one per community of the district; every figure criterion computed from the
    dashboards' figures for the scheme's year (again, until the results are published)."""
    _require(permissions.can_manage(officer))
    if scheme.status != SchemeStatus.PUBLISHED:
        raise DomainError("not_published", _l("Publish the scheme before assessing the communities."), status=409)
    if scheme.results_published_at is not None:
        raise DomainError("results_published", _l("The results are published: they no longer change."), status=409)
    communities = communities_of(scheme.district_id)
    existing = {
        a.community_id: a for a in db.session.scalars(select(Assessment).where(Assessment.scheme_id == scheme.id))
    }
    for c in communities:
        if c.id not in existing:
            existing[c.id] = Assessment(scheme_id=scheme.id, community_id=c.id)
            db.session.add(existing[c.id])
    db.session.flush()
    period = Period(start=(scheme.year, 1), end=(scheme.year, 12), by=BY_YEAR)
    kinds = {key: f.kind for key, f in queries.figures().items()}
    figures = reading.values(communities, period)
    now = utcnow()
    for criterion in scheme.criteria:
        if criterion.kind != CriterionKind.FIGURE:
            continue
        if criterion.figure_key not in kinds:  # a figure the dashboards no longer have
            raise DomainError(
                "no_figure", _l("There is no dashboard figure “%(key)s”.", key=criterion.figure_key), status=409
            )
        kind = kinds[criterion.figure_key]
        values = {
            c.id: scoring.figure_value(kind, figures.get(criterion.figure_key, {}).get(c.id)) for c in communities
        }
        places = scoring.ranks(values, criterion.lower_is_better) if criterion.rule == Rule.RANK else {}
        for c in communities:
            value = values[c.id]
            if criterion.rule == Rule.RANK:
                points = scoring.by_rank(criterion.points, places[c.id], len(communities))
            else:
                points = scoring.linear(criterion.points, value, criterion.floor, criterion.target)
            score = _score_row(existing[c.id], criterion)
            score.points_num, score.points_den = points.numerator, points.denominator
            score.value_num = None if value is None else value.numerator
            score.value_den = None if value is None else value.denominator
            score.rank = places.get(c.id)
            score.ranked = len(communities) if places else None
            score.scored_by_id, score.scored_at = user.id, now
            score.reason = ""  # the formula, shown with the score, says why
    scheme.computed_at = now
    db.session.flush()
    audit.record(user, "assessment.compute", scheme)
    return list(existing.values())


def _score_row(assessment: Assessment, criterion: AssessmentCriterion) -> AssessmentScore:
    found = next((s for s in assessment.scores if s.criterion_id == criterion.id), None)
    if found is None:
        found = AssessmentScore(criterion_id=criterion.id, points_num=0, points_den=1)
        assessment.scores.append(found)
    return found


def score(
    officer: Officer, user, assessment: Assessment, criterion: AssessmentCriterion, data: dict
) -> AssessmentScore:
    """A manual criterion scored by hand: points from 0 to the criterion's, with evidence and a reason."""
    scheme = assessment.scheme
    _require(permissions.can_score(officer, scheme, assessment.community.street_id))
    client_id = validation.client_id(data.get("client_id"))
    if criterion.scheme_id != scheme.id or criterion.kind != CriterionKind.MANUAL:
        raise DomainError("not_manual", _l("This criterion is computed, not scored by hand."), status=409)
    existing = next((s for s in assessment.scores if s.criterion_id == criterion.id), None)
    if existing is not None and existing.client_id == client_id:
        return existing  # a retried POST
    points: Fraction | None = data.get("points")
    if points is None or not 0 <= points <= criterion.points:
        raise DomainError(
            "bad_score", _l("Give a score from 0 to %(max)d points.", max=criterion.points), field="points"
        )
    evidence = validation.text(
        data.get("evidence") or "",
        field="evidence",
        low=0,
        high=4000,
        message=_l("At most 4000 characters."),
    )
    if not evidence:
        raise DomainError("no_evidence", _l("A score given by hand needs its evidence."), field="evidence")
    reason = validation.text(
        data.get("reason") or "", field="reason", low=0, high=2000, message=_l("At most 2000 characters.")
    )
    row = _score_row(assessment, criterion)
    row.points_num, row.points_den = points.numerator, points.denominator
    row.evidence, row.reason, row.client_id = evidence, reason, client_id
    row.scored_by_id, row.scored_at = user.id, utcnow()
    db.session.flush()
    audit.record(user, "assessment.score", row, community_id=assessment.community_id, criterion=criterion.id)
    return row


def missing(scheme: Scheme, assessments: list[Assessment]) -> int:
    """Scores still to give (a manual criterion not yet scored in a community)."""
    need = {c.id for c in scheme.criteria}
    return sum(len(need - {s.criterion_id for s in a.scores}) for a in assessments)


def publish_results(officer: Officer, user, scheme: Scheme) -> Scheme:
    """The results go to the communities: every criterion scored in every community first."""
    _require(permissions.can_manage(officer))
    if scheme.results_published_at is not None:
        return scheme  # a retried publish
    if scheme.computed_at is None:
        raise DomainError("not_computed", _l("Compute the year's assessment first."), status=409)
    assessments = list(db.session.scalars(select(Assessment).where(Assessment.scheme_id == scheme.id)))
    left = missing(scheme, assessments)
    if left:
        raise DomainError("scores_missing", _l("%(n)d scores are still to be given by hand.", n=left), status=409)
    scheme.results_published_at = utcnow()
    db.session.flush()
    audit.record(user, "assessment.results", scheme)
    return scheme
