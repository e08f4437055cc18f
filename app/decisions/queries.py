"""What owners' decisions ask of a viewer now, and what happened lately: read-only queries for pages that
assemble several features (the community's home). The rules of who counts are this feature's own
(`permissions`); nothing here writes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.communities.access import Viewer
from app.core.clock import local_today
from app.decisions import permissions
from app.decisions.models import Decision, DecisionState
from app.decisions.services.ballots import unsettled_paper, voter_entry
from app.decisions.services.common import poll_of
from app.extensions import db
from app.voting import services as voting


def _in_state(viewer: Viewer, *states: DecisionState) -> list[Decision]:
    query = select(Decision).where(Decision.community_id == viewer.community_id, Decision.state.in_(states))
    return list(db.session.scalars(query.order_by(Decision.voting_ends_on, Decision.id)))


def awaiting_vote(viewer: Viewer) -> list[Decision]:
    """Decisions open for online voting today in which the viewer (a verified owner on the roll) has not voted."""
    if not permissions.is_owner(viewer):
        return []
    today, found = local_today(), []
    for decision in _in_state(viewer, DecisionState.VOTING):
        if decision.voting_ends_on < today or decision.voting_starts_on > today:
            continue
        entry, poll = voter_entry(viewer.user, decision), poll_of(decision)
        if entry is not None and poll is not None and not voting.has_voted(poll, entry.voter_key):
            found.append(decision)
    return found


def counting_tasks(viewer: Viewer) -> list[tuple[Decision, str, int]]:
    """For the counters: (decision, "paper", ballots waiting for a second entry or reconciliation) while voting,
    and (decision, "certify", 0) once voting has closed and the count waits for its two signatures."""
    if not permissions.can_count(viewer):
        return []
    tasks = []
    for decision in _in_state(viewer, DecisionState.VOTING, DecisionState.COUNTING):
        if decision.state == DecisionState.COUNTING:
            tasks.append((decision, "certify", 0))
        elif waiting := unsettled_paper(decision):
            tasks.append((decision, "paper", waiting))
    return tasks


def recent(viewer: Viewer, limit: int) -> list[tuple[datetime, str, Decision]]:
    """(when, "opened" | "published", decision), newest first: what the community has seen happen."""
    if not permissions.can_view(viewer):
        return []
    events: list[tuple[datetime, str, Decision]] = []
    for column, what in ((Decision.opened_at, "opened"), (Decision.published_at, "published")):
        query = (
            select(Decision)
            .where(Decision.community_id == viewer.community_id, column.is_not(None))
            .order_by(column.desc())
            .limit(limit)
        )
        events += [(getattr(d, column.key), what, d) for d in db.session.scalars(query)]
    return events
