"""Who may see, report and moderate an objection. Raising and answering one is the owner feature's rule."""

from __future__ import annotations

from app.communities.access import Viewer
from app.moderation import permissions as moderation
from app.objections import registry
from app.objections.models import Objection


def can_view(viewer: Viewer, objection: Objection) -> bool:
    """Whoever may see the thing objected to sees its objections."""
    kind = registry.kind(objection.owner_kind)
    return (
        kind is not None and objection.community_id == viewer.community_id and kind.can_view(viewer, objection.owner_id)
    )


def can_report(viewer: Viewer, objection: Objection) -> bool:
    """Verified members report someone else's objection that is still shown."""
    return moderation.can_report(viewer) and not viewer.is_user(objection.author_id) and not objection.is_hidden


def can_moderate(viewer: Viewer) -> bool:
    """The community's staff hide an objection (with a reason, shown in its place) and show it again."""
    return moderation.is_staff(viewer)
