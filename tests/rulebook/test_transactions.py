"""A use case refused part-way (after its state changed, its notifications were added and their sending queued)
writes nothing and sends nothing: the edge rolls back, and after-commit work never runs."""

from __future__ import annotations

from datetime import date, timedelta

from app.core.errors import DomainError
from app.extensions import db
from app.notifications.models import Delivery, Notification
from app.rulebook import signals
from app.rulebook.models import DraftState
from app.voting.models import Poll
from tests.rulebook import count, draft_in, logged_in


def _refuse_late(draft, **_):
    assert count(Notification) > 0  # the residents' notices were added before this refusal
    raise DomainError("late", "refused at the end")


def test_opening_comments_refused_at_the_end_leaves_nothing(app, world):
    draft, _ = draft_in(world, DraftState.DRAFTING)
    day = (date.today() + timedelta(days=5)).isoformat()
    signals.comments_opened.connect(_refuse_late)
    try:
        response = logged_in(app, world.users["staff"]).post(
            f"/rules/drafts/{draft.id}/open-comments", data={"closes_on": day}
        )
    finally:
        signals.comments_opened.disconnect(_refuse_late)
    assert response.status_code == 400
    db.session.expire_all()
    assert draft.state == DraftState.DRAFTING and draft.comments_close_at is None
    assert count(Notification) == 0 and count(Delivery) == 0


def test_opening_the_vote_refused_at_the_end_leaves_no_poll(app, world):
    draft, _ = draft_in(world, DraftState.COMMENTING)
    draft.comments_close_at = draft.comments_close_at - timedelta(days=10)
    db.session.commit()
    before = count(Notification)
    day = (date.today() + timedelta(days=5)).isoformat()
    signals.voting_opened.connect(_refuse_late)
    try:
        response = logged_in(app, world.users["staff"]).post(
            f"/rules/drafts/{draft.id}/open-vote", data={"closes_on": day}
        )
    finally:
        signals.voting_opened.disconnect(_refuse_late)
    assert response.status_code == 400
    db.session.expire_all()
    assert draft.state == DraftState.COMMENTING and draft.poll_id is None
    assert count(Poll) == 0 and count(Notification) == before
