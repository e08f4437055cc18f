"""What the owners' decision use cases share: the counters' check, the visibility check, the choice."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.communities.access import Viewer
from app.core.errors import DomainError, Forbidden, NotFound
from app.decisions import permissions
from app.decisions.models import POLL_TYPE, Choice, Decision
from app.voting import services as voting
from app.voting.models import Poll

MAX_PUBLICITY_DAYS = 60
MAX_VOTING_DAYS = 366
MAX_PROXY_LIMIT = 50  # owners one proxy may vote for, at most, whatever a decision sets


def require_counter(viewer: Viewer, decision: Decision | None = None) -> Viewer:
    """The viewer, if they run and count owners' decisions here; Forbidden (saying who does) otherwise."""
    if decision is not None and decision.community_id != viewer.community_id:
        raise NotFound()
    if not permissions.can_count(viewer):
        raise Forbidden(_l("Only the owners' committee and community staff run and count owners' decisions."))
    return viewer


def check_visible(viewer: Viewer, decision: Decision) -> Viewer:
    """The viewer, if they may read the decision (a draft: counters only); NotFound otherwise."""
    if not permissions.can_view(viewer, decision):
        raise NotFound()
    return viewer


def parse_choice(value) -> Choice:
    try:
        return Choice(value)
    except ValueError:
        raise DomainError("bad_choice", _l("Choose agree, oppose or abstain."), field="choice") from None


def poll_of(decision: Decision) -> Poll | None:
    return voting.find_poll(POLL_TYPE, decision.id)
