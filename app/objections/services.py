"""Objections: raise one (idempotent on client_id), answer it, list an owner's, and moderate them. The owner
feature checks who may raise and answer and passes whether its 公示 window is open; these flush, the edge
commits."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.communities.access import Viewer
from app.core import audit, validation
from app.core.errors import DomainError, Forbidden, NotFound
from app.core.models import utcnow
from app.core.ratelimit import hit as rate_limit
from app.extensions import db
from app.moderation import services as moderation
from app.objections import permissions
from app.objections.models import Objection

REPORTS_TO_HIDE = 3  # open reports that hide an objection until staff look at it
WRONG_PHASE = _l("Objections are taken only during the 公示 period.")


def object_to(
    owner_kind: str, owner_id: int, *, community_id: int, author_id: int, client_id, body, window_open: bool
) -> Objection:
    """Record an objection to `owner_kind` #`owner_id` while its 公示 window is open (the owner says whether it
    is); the same client_id again answers with the objection already recorded."""
    if not window_open:
        raise DomainError("wrong_phase", WRONG_PHASE, status=409)
    body = validation.text(
        body, field="body", low=5, high=2000, message=_l("Write your objection in 5 to 2000 characters.")
    )
    client_id = validation.client_id(client_id)
    found = _by_client(owner_kind, owner_id, author_id, client_id)
    if found is not None:
        return found
    rate_limit("post", str(author_id), "RATELIMIT_POST")
    objection = Objection(
        community_id=community_id,
        owner_kind=owner_kind,
        owner_id=owner_id,
        author_id=author_id,
        client_id=client_id,
        body=body,
    )
    try:
        with db.session.begin_nested():
            db.session.add(objection)
            db.session.flush()
    except IntegrityError:
        found = _by_client(owner_kind, owner_id, author_id, client_id)
        if found is None:
            raise
        return found
    return objection


def _by_client(owner_kind: str, owner_id: int, author_id: int, client_id: str) -> Objection | None:
    return db.session.scalar(
        select(Objection).where(
            Objection.owner_kind == owner_kind,
            Objection.owner_id == owner_id,
            Objection.author_id == author_id,
            Objection.client_id == client_id,
        )
    )


def answer(objection: Objection, user_id: int, text) -> Objection:
    """Answer an objection (the owner checked who may); the answer is shown beside it."""
    objection.answer = validation.text(
        text, field="answer", low=2, high=2000, message=_l("Write an answer of 2 to 2000 characters.")
    )
    objection.answered_by_id, objection.answered_at = user_id, utcnow()
    db.session.flush()
    return objection


def get(owner_kind: str, owner_id: int | None, objection_id) -> Objection:
    """The owner's objection with this id, or NotFound."""
    objection = db.session.get(Objection, objection_id) if isinstance(objection_id, int) else None
    if objection is None or objection.owner_kind != owner_kind or objection.owner_id != owner_id:
        raise NotFound()
    return objection


def of(owner_kind: str, owner_id: int) -> list[Objection]:
    """The owner's objections, oldest first (hidden ones too: their place shows the reason)."""
    query = select(Objection).where(Objection.owner_kind == owner_kind, Objection.owner_id == owner_id)
    return list(db.session.scalars(query.order_by(Objection.id)))


# -- moderation through the kernel (app/moderation) ------------------------------------------------------


def report(viewer: Viewer, objection: Objection, reason) -> Objection:
    """A member reports an abusive objection; after REPORTS_TO_HIDE open reports it hides itself."""
    if not permissions.can_report(viewer, objection):
        raise Forbidden(_l("Verified members report someone else's objection."))
    moderation.report(
        viewer.user_id,
        objection,
        community_id=objection.community_id,
        room=None,
        reason=reason,
        threshold=REPORTS_TO_HIDE,
    )
    db.session.flush()
    return objection


def hide(viewer: Viewer, objection: Objection, reason) -> Objection:
    """Staff hide an objection; it is kept and its place shows the reason."""
    _moderator(viewer)
    moderation.hide(viewer.user_id, objection, community_id=objection.community_id, room=None, reason=reason)
    audit.record(viewer.user, "objection.hide", objection, community_id=objection.community_id)
    db.session.flush()
    return objection


def restore(viewer: Viewer, objection: Objection) -> Objection:
    """Staff show a hidden objection again."""
    _moderator(viewer)
    moderation.restore(viewer.user_id, objection, community_id=objection.community_id, room=None)
    audit.record(viewer.user, "objection.restore", objection, community_id=objection.community_id)
    db.session.flush()
    return objection


def _moderator(viewer: Viewer) -> None:
    if not permissions.can_moderate(viewer):
        raise Forbidden(_l("The community's staff moderate objections."))


class Panel:
    """What a viewer may do with a list of objections: the page passes it to the `objections/_objection.html`
    macro, so templates test no role."""

    def __init__(self, viewer: Viewer, objections: list[Objection]):
        self.can_moderate = permissions.can_moderate(viewer)
        self.reportable = {o.id for o in objections if permissions.can_report(viewer, o)}


def panel(viewer: Viewer, objections: list[Objection]) -> Panel:
    return Panel(viewer, objections)
