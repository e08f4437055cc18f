"""What every contest use case shares: the limits, the phase order, the check that the viewer may read
the contest, and the local dates phases end on."""

from __future__ import annotations

from datetime import timedelta

from app.communities.access import Viewer
from app.contests import permissions
from app.contests.models import Contest, Entry, EntryStatus, Phase
from app.core.errors import DomainError, NotFound
from app.extensions import db
from app.voting.models import Poll

NAMESPACE = "/contests"
POLL_TYPE = "contest"
MIN_ANNOUNCEMENT = timedelta(days=7)  # 公示 lasts at least seven days from publication
MAX_CHOICES = 20
MAX_WINNERS = 50
MAX_BUDGET_FEN = 2_000_000_000

ORDER = list(Phase)
NEXT = {phase: (ORDER[i + 1] if i + 1 < len(ORDER) else None) for i, phase in enumerate(ORDER)}


def check_visible(viewer: Viewer, contest: Contest) -> Viewer:
    """The viewer, if they may read the contest; NotFound otherwise (another community's are not theirs)."""
    if not permissions.can_view(viewer, contest):
        raise NotFound()
    return viewer


def whole(value, *, field: str, low: int, high: int, message) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise DomainError("bad_request", message, field=field)
    return value


def poll_of(contest: Contest) -> Poll | None:
    return db.session.get(Poll, contest.poll_id) if contest.poll_id else None


def eligible_entries(contest: Contest) -> list[Entry]:
    return list(
        db.session.scalars(
            db.select(Entry)
            .where(Entry.contest_id == contest.id, Entry.status == EntryStatus.ELIGIBLE)
            .order_by(Entry.id)
        )
    )
