"""Needs and the features around them: a need raised from a golden idea or from a concluded consultation's
outcome (the need carries source_kind/source_id and links back; the idea's page lists the needs raised from
it through `ideas.routes.PAGE_EXTRAS`), and needs' status changes turned into notifications for their authors.

A flow: ideas and consultations know nothing of needs, and needs read neither of them."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.communities.access import Viewer
from app.consultations.models import Consultation, Motion, MotionState, Phase
from app.core.errors import DomainError, Forbidden
from app.extensions import db
from app.ideas import routes as idea_pages
from app.ideas.models import Idea, IdeaStatus
from app.needs import permissions as need_permissions
from app.needs import services as needs
from app.needs import signals as need_signals
from app.needs.labels import STATUS_LABELS
from app.needs.models import Need, NeedStatus
from app.notifications import kinds
from app.notifications.kinds import Importance
from app.notifications.services import notify

kinds.register("need_status", Importance.INFO, _l("Your need moved on"))

CLOSED_IDEAS = (IdeaStatus.MERGED, IdeaStatus.DECLINED)
CONCLUDED = (Phase.CONCLUDED, Phase.ARCHIVED)


def raise_from_idea(viewer: Viewer, idea: Idea) -> Need:
    """Staff raise a need from a golden idea (once per idea): its title, description and building."""
    if not need_permissions.can_review(viewer):
        raise Forbidden()
    if idea.status in CLOSED_IDEAS:
        raise DomainError("wrong_status", _l("A merged or declined idea raises no need."), status=409)
    need = needs.raise_from(
        viewer, source_kind="idea", source_id=idea.id, title=idea.title, description=idea.description
    )
    if need.building_id is None and idea.building_id is not None:
        need.building_id = idea.building_id
        db.session.flush()
    return need


def outcome_of(consultation: Consultation) -> str:
    """The consultation's outcome in words: its carried motions, else its background."""
    carried = db.session.scalars(
        select(Motion.text)
        .where(Motion.consultation_id == consultation.id, Motion.state == MotionState.CARRIED)
        .order_by(Motion.id)
    )
    lines = [f"· {text}" for text in carried]
    return "\n".join(lines) or consultation.background


def raise_from_consultation(viewer: Viewer, consultation: Consultation) -> Need:
    """Staff raise a need from a concluded consultation's outcome (once per consultation)."""
    if not need_permissions.can_review(viewer):
        raise Forbidden()
    if consultation.phase not in CONCLUDED:
        raise DomainError("wrong_phase", _l("Only a concluded consultation's outcome raises a need."), status=409)
    return needs.raise_from(
        viewer,
        source_kind="consultation",
        source_id=consultation.id,
        title=consultation.title,
        description=outcome_of(consultation),
    )


def raised_from(kind: str, source_id: int) -> list[Need]:
    return list(
        db.session.scalars(select(Need).where(Need.source_kind == kind, Need.source_id == source_id).order_by(Need.id))
    )


def _idea_extras(idea: Idea) -> dict:
    """For the idea's page: the needs raised from it, and (for its staff) where to raise one."""
    return {
        "needs_raised": raised_from("idea", idea.id),
        "raise_need_url": url_for("flows.raise_need_from_idea", idea_id=idea.id),
    }


idea_pages.PAGE_EXTRAS.append(_idea_extras)


@need_signals.need_status_changed.connect
def _need_status(need: Need, event, actor, **_):
    """The author hears every move of their need made by someone else, with the reason."""
    author = need.author
    if author is None or author.id == getattr(actor, "id", None):
        return
    if event.to_status == NeedStatus.WITHDRAWN:
        return
    notify(
        author,
        "need_status",
        _l(
            "Your need “%(title)s” is now %(status)s: %(reason)s",
            title=need.title,
            status=STATUS_LABELS[event.to_status],
            reason=event.reason,
        ),
        url=url_for("needs.show", need_id=need.id),
        community_id=need.community_id,
    )
