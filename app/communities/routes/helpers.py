"""What the community views share: the viewer of a /c/<slug>/ page, and refusing what it may not do."""

from __future__ import annotations

from flask_login import current_user
from wtforms import SelectChoice

from app.communities import access
from app.core.errors import Forbidden

BUTTON_REFUSALS = (403, 404, 409)  # a button's refusal with one of these is answered with the error page


def viewer_for(slug: str) -> access.Viewer:
    """How the current user stands in the community; the services refuse (403) what they may not do."""
    return access.community_viewer(slug, current_user, check=False)


def require(allowed: bool) -> None:
    if not allowed:
        raise Forbidden()


def building_choices(community, *, blank=None):
    choices = [SelectChoice(b.id, b.name) for b in community.buildings]
    return [SelectChoice(0, blank), *choices] if blank else choices
