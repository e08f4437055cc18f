"""A consultation from draft to archive: the list, drafting and editing, its phases, its rules, the lock."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.communities import access
from app.communities.access import Viewer
from app.communities.models import Building, Community, Membership, MembershipStatus, Role
from app.consultations import permissions
from app.consultations.labels import PHASE_LABELS
from app.consultations.models import PHASE_ORDER, Consultation, MotionState, Party, Phase
from app.consultations.services.display import moderation_dict
from app.consultations.services.motions import announce_motion, count_the_vote
from app.consultations.services.shared import (
    NAMESPACE,
    as_member,
    check_view,
    end_floor,
    hands,
    listed,
    pending_motions,
    refuse,
)
from app.core import audit
from app.core.errors import DomainError, Forbidden
from app.core.markup import render_markdown
from app.core.models import utcnow
from app.core.realtime import emit_after_commit
from app.extensions import db
from app.moderation import services as moderation
from app.procedure import services as rule_sets
from app.procedure import versions as rule_versions
from app.procedure.engine import Refusal
from app.procedure.models import RuleSet

ALLOWED_PHASES = {
    Phase.DRAFT: {Phase.OPEN},
    Phase.OPEN: {Phase.VOTING, Phase.CONCLUDED},
    Phase.VOTING: {Phase.OPEN, Phase.CONCLUDED},
    Phase.CONCLUDED: {Phase.ARCHIVED},
    Phase.ARCHIVED: set(),
}


def phase_rank(phase: Phase) -> int:
    return PHASE_ORDER.index(phase)


def list_for(viewer: Viewer) -> list[Consultation]:
    """The viewer's community's consultations they may see, newest activity first (drafts only to those
    who may see them)."""
    rows = db.session.scalars(
        select(Consultation)
        .where(Consultation.community_id == viewer.community_id, Consultation.phase != Phase.ARCHIVED)
        .order_by(Consultation.last_activity_at.desc(), Consultation.id.desc())
    )
    return [c for c in rows if permissions.can_view(viewer, c)]


def rule_set_choices(community: Community) -> list[RuleSet]:
    """The rule sets a new consultation may start from: the community's adopted rules first (its default),
    then the templates and the community's own."""
    templates, own = rule_sets.library(community)
    adopted = rule_versions.current(community.id)
    return [*([adopted.rule_set] if adopted else []), *templates, *own]


def chair_choices(community: Community) -> list[Membership]:
    """Who can chair: verified convenors of the community."""
    rows = db.session.scalars(
        select(Membership).where(
            Membership.community_id == community.id, Membership.status == MembershipStatus.VERIFIED
        )
    )
    return [m for m in rows if permissions.can_convene(as_member(m, community))]


def _check_fields(community: Community, *, title: str, building_id, parties, chair_id) -> tuple:
    title = (title or "").strip()
    if not title or len(title) > 100:
        raise DomainError("bad_request", _l("Give a title of 1 to 100 characters."), field="title")
    building = None
    if building_id:
        building = db.session.get(Building, building_id)
        if building is None or building.community_id != community.id:
            raise DomainError("bad_request", _l("Choose a building of this community."), field="building_id")
    try:
        parties = sorted({Party(p).value for p in parties or []})
    except ValueError:
        raise DomainError("bad_request", _l("Choose the parties from the list."), field="parties") from None
    if not parties:
        raise DomainError("no_parties", _l("Choose at least one party: the parties speak and vote."), field="parties")
    chair = db.session.get(User, chair_id) if chair_id else None
    if chair is None or not permissions.can_convene(access.viewer(chair, community)):
        raise DomainError(
            "bad_request", _l("The chair must be a verified convenor of this community."), field="chair_id"
        )
    return title, building, parties, chair


def _check_convenor(viewer: Viewer, building: Building | None) -> None:
    """A building leader convenes only for a building they lead; the other convenors for any scope."""
    if permissions.can_convene_for(viewer, building.id if building else None):
        return
    roles = viewer.membership.roles if viewer.membership is not None else ()
    led = sorted(r.building.name for r in roles if r.role == Role.BUILDING_LEADER and r.building)
    raise DomainError(
        "not_your_building",
        _l(
            "A building leader convenes consultations only for the building they lead (%(buildings)s).",
            buildings=listed(led),
        ),
        field="building_id",
        status=422,
    )


def create_draft(
    viewer: Viewer,
    *,
    title: str,
    background: str,
    building_id: int | None,
    parties: list[str],
    chair_id: int,
    rule_set_id: int,
) -> Consultation:
    """A convenor drafts a consultation in the viewer's community; it runs on its own copy of the chosen rule
    set. (The drafting page, and an idea adopted as a consultation, come here.)"""
    if not permissions.can_convene(viewer):
        raise Forbidden()
    community = viewer.community
    title, building, parties, chair = _check_fields(
        community, title=title, building_id=building_id, parties=parties, chair_id=chair_id
    )
    _check_convenor(viewer, building)
    template = db.session.get(RuleSet, rule_set_id) if rule_set_id else None
    if template is None or template not in rule_set_choices(community):
        raise DomainError("bad_request", _l("Choose a rule set."), field="rule_set_id")
    rules = template.copy(community_id=community.id, for_consultation=True)
    db.session.add(rules)
    db.session.flush()
    consultation = Consultation(
        community_id=community.id,
        building_id=building.id if building else None,
        title=title,
        background=background or "",
        background_html=render_markdown(background or ""),
        parties=parties,
        chair_id=chair.id,
        rule_set_id=rules.id,
        created_by_id=viewer.user_id,
    )
    db.session.add(consultation)
    db.session.flush()
    audit.record(viewer.user, "consultation.create", consultation, community_id=community.id)
    return consultation


def update(
    viewer: Viewer, consultation: Consultation, *, title: str, background: str, building_id, parties, chair_id
) -> Consultation:
    """Change the title, background, scope, parties or chair."""
    check_view(viewer, consultation)
    if not permissions.can_manage(viewer, consultation):
        raise Forbidden()
    if consultation.phase in permissions.CLOSED:
        raise refuse(Refusal("wrong_phase"), consultation)
    title, building, parties, chair = _check_fields(
        consultation.community, title=title, building_id=building_id, parties=parties, chair_id=chair_id
    )
    if (building.id if building else None) != consultation.building_id:
        _check_convenor(viewer, building)  # a new scope is convened anew
    consultation.title = title
    consultation.background = background or ""
    consultation.background_html = render_markdown(background or "")
    consultation.building_id = building.id if building else None
    consultation.parties = parties
    consultation.chair_id = chair.id
    audit.record(viewer.user, "consultation.update", consultation, community_id=consultation.community_id)
    db.session.flush()
    return consultation


def set_phase(viewer: Viewer, consultation: Consultation, phase: Phase) -> Consultation:
    """Move the consultation along draft → open → voting → concluded → archived."""
    check_view(viewer, consultation)
    if not permissions.can_manage(viewer, consultation):
        raise Forbidden()
    if phase == consultation.phase:
        return consultation
    if phase not in ALLOWED_PHASES[consultation.phase]:
        raise DomainError(
            "wrong_phase",
            _l(
                "A consultation cannot go from %(old)s to %(new)s.",
                old=PHASE_LABELS[consultation.phase],
                new=PHASE_LABELS[phase],
            ),
            status=409,
        )
    now = utcnow()
    if phase == Phase.OPEN and consultation.opened_at is None:
        consultation.opened_at = now
    if phase == Phase.CONCLUDED:
        consultation.concluded_at = now
        end_floor(consultation)
        for hand in hands(consultation):
            db.session.delete(hand)
        for motion in pending_motions(consultation):
            if motion.state == MotionState.VOTING:
                count_the_vote(consultation, motion)
            else:
                motion.state = MotionState.LAPSED
                motion.closed_at = now
                announce_motion(consultation, motion)
    consultation.phase = phase
    consultation.last_activity_at = now
    audit.record(
        viewer.user, "consultation.phase", consultation, community_id=consultation.community_id, phase=phase.value
    )
    db.session.flush()
    emit_after_commit("phase_changed", {"phase": phase.value}, namespace=NAMESPACE, to=consultation.room)
    return consultation


def change_rules(viewer: Viewer, consultation: Consultation, values: dict) -> RuleSet:
    """Change the consultation's rules; announced in the room and logged."""
    check_view(viewer, consultation)
    if not permissions.can_manage(viewer, consultation):
        raise Forbidden()
    if consultation.phase in permissions.CLOSED:
        raise refuse(Refusal("wrong_phase"), consultation)
    rules = consultation.rule_set
    changed = rule_sets.validated_changes(rules, values)
    if not changed:
        return rules
    rule_sets.apply(rules, changed)
    summary = ", ".join(f"{k}={v}" for k, v in sorted(changed.items()))
    entry = moderation.log(
        consultation.community_id, consultation.room, "rules", actor_id=viewer.user_id, reason=summary[:200]
    )
    audit.record(
        viewer.user, "consultation.rules", consultation, community_id=consultation.community_id, changed=summary
    )
    db.session.flush()
    emit_after_commit("rules_changed", rules.to_dict(), namespace=NAMESPACE, to=consultation.room)
    emit_after_commit("moderation", moderation_dict(entry), namespace=NAMESPACE, to=consultation.room)
    return rules


def set_locked(viewer: Viewer, consultation: Consultation, locked: bool, reason: str) -> Consultation:
    """Lock the room (only the chair speaks) or unlock it."""
    check_view(viewer, consultation)
    if not permissions.can_moderate(viewer, consultation):
        raise Forbidden()
    if consultation.locked == locked:
        return consultation
    reason = moderation.clean_reason(reason) if locked else (reason or "").strip()[:200]
    consultation.locked = locked
    entry = moderation.log(
        consultation.community_id,
        consultation.room,
        "lock" if locked else "unlock",
        actor_id=viewer.user_id,
        reason=reason,
    )
    db.session.flush()
    emit_after_commit("moderation", moderation_dict(entry), namespace=NAMESPACE, to=consultation.room)
    return consultation
