"""What the community's rules ask of a viewer now, and what happened lately: read-only questions for pages
that assemble several features (the community's home) and for the reminders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.communities.access import Viewer
from app.communities.models import Membership
from app.core.models import utcnow
from app.extensions import db
from app.rulebook import permissions
from app.rulebook.models import DraftState, RuleDraft
from app.rulebook.services.common import poll_of, verified_residents
from app.voting import services as voting


def awaiting_ballot(viewer: Viewer) -> list[RuleDraft]:
    """Drafts of the rules being voted on, before the close, on which the viewer (a verified resident) has not
    voted."""
    if not permissions.can_vote(viewer):
        return []
    query = select(RuleDraft).where(
        RuleDraft.community_id == viewer.community_id,
        RuleDraft.state == DraftState.VOTING,
        RuleDraft.vote_closes_at > utcnow(),
    )
    key = voting.user_key(viewer.user_id)
    found = []
    for draft in db.session.scalars(query.order_by(RuleDraft.vote_closes_at)):
        poll = poll_of(draft)
        if poll is not None and not voting.has_voted(poll, key):
            found.append(draft)
    return found


def yet_to_vote(draft: RuleDraft) -> list[Membership]:
    """The verified residents with an active account who have not voted on the draft (whom the reminder
    before the close is for). Two queries, whatever the community's size."""
    poll = poll_of(draft)
    if poll is None:
        return []
    voted = voting.voters(poll)
    members = db.session.scalars(verified_residents(draft.community_id).options(selectinload(Membership.user))).all()
    return [m for m in members if m.user.active and voting.user_key(m.user_id) not in voted]


def recent(viewer: Viewer, limit: int) -> list[tuple[datetime, RuleDraft]]:
    """(when it last changed, draft), newest first, among the drafts the viewer may read."""
    if not permissions.can_view(viewer):
        return []
    query = (
        select(RuleDraft)
        .where(RuleDraft.community_id == viewer.community_id, RuleDraft.comments_close_at.is_not(None))
        .order_by(RuleDraft.updated_at.desc())
        .limit(limit)
    )
    return [(d.updated_at, d) for d in db.session.scalars(query)]
