"""The community's own thresholds: stricter than the law's (art. 278), never laxer."""

from __future__ import annotations

from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.communities.access import Viewer
from app.core import audit
from app.core.errors import DomainError
from app.decisions.models import Decision, DecisionRules, DecisionState
from app.decisions.services.common import require_counter
from app.extensions import db
from app.voting import tally


def check_not_laxer(thresholds: tally.Thresholds) -> None:
    """Refuse thresholds laxer than the law's least demanding ones (≥ 2/3 taking part; more than half agreeing)."""
    law = tally.legal_thresholds(1)  # the general rule; items 6–8 only ask more, which stricter_of keeps
    if thresholds.participation < law.participation:
        raise DomainError(
            "laxer_than_law",
            _l("Participation cannot be set below the law's 2/3 of the area and of the owners."),
            field="participation",
        )
    if thresholds.approval < law.approval or (thresholds.approval == law.approval and thresholds.approval_inclusive):
        raise DomainError(
            "laxer_than_law",
            _l("Approval cannot be laxer than the law's: more than half of those taking part (exactly half fails)."),
            field="approval",
        )


def rules_of(community_id: int) -> DecisionRules | None:
    return db.session.scalar(select(DecisionRules).where(DecisionRules.community_id == community_id))


def set_rules(
    viewer: Viewer, *, participation: Fraction | None, approval: Fraction | None, inclusive: bool
) -> DecisionRules | None:
    """The owners' committee or staff record the community's own, stricter thresholds (or clear them)."""
    require_counter(viewer)
    rules = rules_of(viewer.community_id)
    if participation is None and approval is None:
        if rules is not None:
            db.session.delete(rules)
            audit.record(viewer.user, "decision_rules.clear", viewer.community, community_id=viewer.community_id)
            db.session.flush()
        return None
    law = tally.legal_thresholds(1)
    thresholds = tally.Thresholds(
        participation=participation if participation is not None else law.participation,
        approval=approval if approval is not None else law.approval,
        approval_inclusive=bool(inclusive) if approval is not None else law.approval_inclusive,
    )
    check_not_laxer(thresholds)
    if rules is None:
        rules = DecisionRules(community_id=viewer.community_id)
        db.session.add(rules)
    rules.set_stricter(thresholds)
    rules.updated_by_id = viewer.user_id
    audit.record(
        viewer.user,
        "decision_rules.set",
        viewer.community,
        community_id=viewer.community_id,
        participation=str(thresholds.participation),
        approval=str(thresholds.approval),
        inclusive=thresholds.approval_inclusive,
    )
    db.session.flush()
    return rules


def thresholds_for(decision: Decision) -> tally.Thresholds:
    """The thresholds a decision is counted against: the law's for its matter, or the community's if stricter
    (frozen into the decision when voting opened; until then, the community's current ones)."""
    stricter = decision.stricter
    if decision.state == DecisionState.DRAFT:
        rules = rules_of(decision.community_id)
        stricter = rules.stricter if rules is not None else None
    return tally.legal_thresholds(decision.matter).stricter_of(stricter)
