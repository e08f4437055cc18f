"""Rule set use cases: the community's library (copies of the templates), checked changes.

The use cases take the actor's `Viewer` (communities.access) and flush; the edge commits."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.communities.access import Viewer
from app.communities.models import Community
from app.core import audit
from app.core.errors import DomainError, Forbidden, NotFound
from app.extensions import db
from app.procedure import permissions
from app.procedure.engine import Mode
from app.procedure.labels import PARAMETER_LABELS
from app.procedure.models import RuleSet
from app.procedure.shipped import ensure_shipped

RULE_FIELDS = {
    "mode": Mode,
    "max_speech_chars": int,
    "max_speeches_per_motion": int,
    "floor_seconds": int,
    "slow_mode_seconds": int,
    "stance_required": bool,
    "alternate_stances": bool,
    "chair_neutral": bool,
    "second_required": bool,
    "quorum_num": int,
    "quorum_den": int,
    "pass_num": int,
    "pass_den": int,
    "pass_strict": bool,
    "tie_fails": bool,
    "auto_hide_reports": int,
    "motion_first": bool,
    "non_party_may_speak": bool,
    "max_replies_per_day": int,
    "max_reply_chars": int,
}
RULE_RANGES = {
    "max_speech_chars": (1, 5000),
    "max_speeches_per_motion": (1, 100),
    "floor_seconds": (10, 3600),
    "slow_mode_seconds": (0, 3600),
    "quorum_num": (0, 1000),
    "quorum_den": (1, 1000),
    "pass_num": (0, 1000),
    "pass_den": (1, 1000),
    "auto_hide_reports": (1, 100),
    "max_replies_per_day": (1, 200),
    "max_reply_chars": (1, 5000),
}


def validated_changes(rules: RuleSet, values: dict) -> dict:
    """The parameters that differ from the rule set's, each checked; the whole set stays coherent."""
    changed = {}
    for name, value in values.items():
        kind = RULE_FIELDS.get(name)
        if kind is None:
            continue
        if kind is bool and not isinstance(value, bool):
            raise DomainError("bad_request", _l("%(name)s must be yes or no.", name=PARAMETER_LABELS[name]), field=name)
        if kind is Mode and not isinstance(value, Mode):
            raise DomainError("bad_request", _l("The mode is formal, open or slow."), field=name)
        low, high = RULE_RANGES.get(name, (None, None))
        if low is not None and not (isinstance(value, int) and not isinstance(value, bool) and low <= value <= high):
            raise DomainError(
                "bad_request",
                _l("%(name)s must be from %(low)d to %(high)d.", name=PARAMETER_LABELS[name], low=low, high=high),
                field=name,
            )
        if getattr(rules, name) != value:
            changed[name] = value
    quorum = (changed.get("quorum_num", rules.quorum_num), changed.get("quorum_den", rules.quorum_den))
    passing = (changed.get("pass_num", rules.pass_num), changed.get("pass_den", rules.pass_den))
    if quorum[0] > quorum[1] or passing[0] > passing[1] or 2 * passing[0] < passing[1]:
        raise DomainError(
            "bad_request", _l("A quorum is at most 1; a pass threshold is from 1/2 to 1."), field="quorum_num"
        )
    return changed


def apply(rules: RuleSet, changed: dict) -> None:
    for name, value in changed.items():
        setattr(rules, name, value)


def library(community: Community) -> tuple[list[RuleSet], list[RuleSet]]:
    """The shipped templates, and the community's own rule sets (not the consultations' copies, nor the
    drafts and adopted versions of the community's rules, which app/rulebook shows)."""
    own = db.session.scalars(
        select(RuleSet)
        .where(
            RuleSet.community_id == community.id,
            RuleSet.for_consultation.is_(False),
            RuleSet.for_adoption.is_(False),
        )
        .order_by(RuleSet.id)
    )
    return ensure_shipped(), list(own)


def get_for(community: Community, rule_set_id: int) -> RuleSet:
    templates, own = library(community)
    found = next((r for r in [*templates, *own] if r.id == rule_set_id), None)
    if found is None:
        raise NotFound()
    return found


def copy(viewer: Viewer, source: RuleSet, name: str) -> RuleSet:
    """Staff copy a template (or one of the community's sets) to edit it."""
    if not permissions.can_manage_rule_sets(viewer):
        raise Forbidden()
    community = viewer.community
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise DomainError("bad_request", _l("Give the rule set a name."), field="name")
    clone = source.copy(community_id=community.id, name=name)
    db.session.add(clone)
    db.session.flush()
    audit.record(viewer.user, "rule_set.copy", clone, community_id=community.id, source=source.id)
    return clone


def update(viewer: Viewer, rules: RuleSet, values: dict, *, name: str, text: str) -> RuleSet:
    """Staff edit one of the community's own rule sets (templates are read-only)."""
    if not permissions.can_manage_rule_sets(viewer):
        raise Forbidden()
    community = viewer.community
    if rules.community_id != community.id:
        raise Forbidden(_l("The shipped templates cannot be changed; make a copy."))
    if rules.for_adoption:
        raise Forbidden(_l("The community's adopted rules never change: draft a new version."))
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise DomainError("bad_request", _l("Give the rule set a name."), field="name")
    apply(rules, validated_changes(rules, values))
    rules.name = name
    rules.text = (text or "").strip()[:5000]
    audit.record(viewer.user, "rule_set.update", rules, community_id=community.id)
    db.session.flush()
    return rules
