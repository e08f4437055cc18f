"""The experts' screening (专家评审): each expert covering the community scores a need before the experts on
the published criteria (1 to 5 each) with a reason, once, changed in place until staff close the screening.

The combined score of a criterion is the exact mean of the experts' scores (a Fraction); the total is the
mean of the four combined scores. Nothing is rounded until it is shown."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.communities import experts
from app.communities.models import Community, Street
from app.core import audit, validation
from app.core.errors import DomainError, Forbidden
from app.extensions import db
from app.needs import permissions
from app.needs.labels import CRITERIA
from app.needs.models import Need, NeedScore, NeedStatus

CRITERION_NAMES = tuple(name for name, _label, _hint in CRITERIA)


@dataclass(frozen=True)
class Combined:
    experts: int
    means: dict[str, Fraction]  # criterion -> exact mean
    total: Fraction | None  # the mean of the criteria's means


def combined(need: Need) -> Combined:
    scores = need.scores
    if not scores:
        return Combined(0, {}, None)
    means = {name: Fraction(sum(getattr(s, name) for s in scores), len(scores)) for name in CRITERION_NAMES}
    return Combined(len(scores), means, sum(means.values(), Fraction(0)) / len(means))


def _grade(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise DomainError("bad_request", _l("Score each criterion from 1 to 5."), field=name)
    return value


def score(user, need: Need, *, reason, **grades) -> NeedScore:
    """An expert scores the need (urgency, households, feasibility, cost: 1 to 5 each) with a reason; a
    second scoring by the same expert changes their scores, until the screening is closed."""
    if not permissions.can_score(user, need):
        if permissions.can_screen(user, need):
            raise DomainError("screening_closed", _l("The screening of this need is closed."), status=409)
        raise Forbidden(_l("Only experts named for this street or district score its needs."))
    values = {name: _grade(grades.get(name), name) for name in CRITERION_NAMES}
    reason = validation.text(
        reason, field="reason", low=2, high=1000, message=_l("Give the reason for your scores (2 to 1000 characters).")
    )
    existing = _of(user, need)
    if existing is None:
        try:
            with db.session.begin_nested():
                existing = NeedScore(need_id=need.id, expert_id=user.id, reason=reason, **values)
                db.session.add(existing)
                db.session.flush()
        except IntegrityError:  # the same expert's two taps at once: the other one is there now
            existing = _of(user, need)
    for name, value in values.items():
        setattr(existing, name, value)
    existing.reason = reason
    audit.record(user, "need.scored", need, community_id=need.community_id)
    db.session.flush()
    db.session.refresh(need, ["scores"])
    return existing


def _of(user, need: Need) -> NeedScore | None:
    return db.session.scalar(select(NeedScore).where(NeedScore.need_id == need.id, NeedScore.expert_id == user.id))


def score_of(user, need: Need) -> NeedScore | None:
    return _of(user, need)


def before_experts(user) -> list[Need]:
    """The needs put to the experts in the communities the user's appointments cover, open ones first."""
    appointments = experts.appointments_of(user)
    if not appointments:
        return []
    street_ids = {a.street_id for a in appointments if a.street_id}
    district_ids = {a.district_id for a in appointments if a.district_id}
    communities = select(Community.id).join(Street, Community.street_id == Street.id)
    communities = communities.where(Street.id.in_(street_ids) | Street.district_id.in_(district_ids))
    query = (
        select(Need)
        .where(Need.community_id.in_(communities), Need.status == NeedStatus.SCREENING)
        .order_by(Need.screening_closed_at.is_not(None), Need.id.desc())
        .limit(200)
    )
    return list(db.session.scalars(query))


def awaiting_score(user, community_id: int | None = None) -> list[Need]:
    """Needs still open to the experts that this expert has not scored (in one community, or all)."""
    found = [n for n in before_experts(user) if n.screening_closed_at is None]
    if community_id is not None:
        found = [n for n in found if n.community_id == community_id]
    scored = set(db.session.scalars(select(NeedScore.need_id).where(NeedScore.expert_id == user.id)))
    return [n for n in found if n.id not in scored]
