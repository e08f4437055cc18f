"""The vote on a draft: a secret ballot in app/voting (poll type "rules", subject the draft), one per verified
resident: for, against or abstain. At the close the count is decided in exact fractions by the quorum and
threshold fixed when the vote opened; carried, the draft becomes the community's next version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.communities.access import Viewer
from app.core import audit
from app.core.errors import Conflict, DomainError, Forbidden
from app.core.models import utcnow
from app.extensions import db
from app.procedure import engine, versions
from app.rulebook import permissions, signals
from app.rulebook.labels import CHOICE_LABELS
from app.rulebook.models import DraftState, RuleDraft
from app.rulebook.services.common import POLL_TYPE, check_visible, eligible_count, poll_of
from app.voting import services as voting

CHOICES = tuple(CHOICE_LABELS)


def check_voter(viewer: Viewer, draft: RuleDraft) -> Viewer:
    """The viewer, if they may hold a ballot on the draft; Forbidden (saying why) otherwise."""
    check_visible(viewer, draft)
    if viewer.is_member and not viewer.is_verified:
        raise Forbidden(_l("Only verified residents can vote. Wait for the staff to verify you."), code="not_verified")
    if not permissions.can_vote(viewer):
        raise Forbidden(_l("Only verified residents can vote."))
    return viewer


def vote(viewer: Viewer, draft: RuleDraft, choice, *, now: datetime | None = None):
    """Cast the resident's one ballot. A retry with the same choice returns the same ballot and receipt; a
    different choice after voting is refused. Nothing is stored when refused."""
    check_voter(viewer, draft)
    sync(draft, now)
    if draft.state != DraftState.VOTING:
        raise Conflict("wrong_phase", _l("Voting is not open."))
    if choice not in CHOICES:
        raise DomainError("bad_request", _l("Choose for, against or abstain."), field="choice")
    return voting.cast(
        poll_of(draft),
        voter_key=voting.user_key(viewer.user_id),
        choice=choice,
        voter_id=viewer.user_id,
        building_id=viewer.membership.building_id,
    )


def my_receipt(viewer: Viewer, draft: RuleDraft) -> str | None:
    """The tracking code of the resident's ballot, if they voted."""
    poll = poll_of(draft)
    if poll is None or not permissions.can_vote(viewer):
        return None
    key = voting.user_key(viewer.user_id)
    return voting.receipt_for(POLL_TYPE, draft.id, key) if voting.has_voted(poll, key) else None


def outcome(draft: RuleDraft) -> engine.Outcome | None:
    """The decided result of a closed vote (None before the close)."""
    if draft.votes_for is None:
        return None
    return _decide(draft, draft.votes_for, draft.votes_against, draft.abstentions, draft.eligible)


def _decide(draft: RuleDraft, votes_for: int, against: int, abstentions: int, eligible: int) -> engine.Outcome:
    rules = engine.Rules(
        quorum=Fraction(draft.vote_quorum_num, draft.vote_quorum_den),
        pass_threshold=Fraction(draft.vote_pass_num, draft.vote_pass_den),
        pass_strict=bool(draft.vote_pass_strict),
        tie_fails=bool(draft.vote_tie_fails),
    )
    return engine.outcome(rules, votes_for, against, abstentions, eligible)


@dataclass(frozen=True)
class Result:
    """A vote's figures as the page shows them, shares as exact fractions."""

    outcome: engine.Outcome
    turnout: Fraction | None  # ballots cast / eligible
    share_for: Fraction | None  # for / (for + against)
    quorum: Fraction
    threshold: Fraction
    strict: bool


def result(draft: RuleDraft) -> Result | None:
    decided = outcome(draft)
    if decided is None:
        return None
    decisive = decided.votes_for + decided.votes_against
    return Result(
        outcome=decided,
        turnout=Fraction(decided.cast, decided.eligible) if decided.eligible else None,
        share_for=Fraction(decided.votes_for, decisive) if decisive else None,
        quorum=Fraction(draft.vote_quorum_num, draft.vote_quorum_den),
        threshold=Fraction(draft.vote_pass_num, draft.vote_pass_den),
        strict=bool(draft.vote_pass_strict),
    )


def close(draft: RuleDraft, now: datetime | None = None) -> RuleDraft:
    """Close the vote (the poll seals every ballot first), count it and decide; carried, the draft's rules
    become the community's next version, the default for new consultations."""
    now = now or utcnow()
    # claim the close: a second request closing the same vote at the same moment waits on the row, then finds
    # it decided and does nothing (one count, one version)
    claimed = db.session.execute(
        update(RuleDraft).where(RuleDraft.id == draft.id, RuleDraft.state == DraftState.VOTING).values(decided_at=now)
    ).rowcount
    db.session.refresh(draft)
    if not claimed:
        return draft
    poll = poll_of(draft)
    voting.close_poll(poll)
    counted = voting.count(poll).options
    draft.eligible = max(eligible_count(draft.community_id), poll.closed_length or 0)
    draft.votes_for = counted.get("yes", 0)
    draft.votes_against = counted.get("no", 0)
    draft.abstentions = counted.get("abstain", 0)
    draft.decided_at = now
    decided = _decide(draft, draft.votes_for, draft.votes_against, draft.abstentions, draft.eligible)
    if decided.carried:
        draft.version = versions.adopt(draft.rule_set, poll_id=poll.id, adopted_at=now)
        draft.state = DraftState.ADOPTED
    else:
        draft.state = DraftState.REJECTED
    audit.record(None, "rules.decided", draft, community_id=draft.community_id, state=draft.state.value)
    db.session.flush()
    signals.decided.send(draft)
    return draft


def sync(draft: RuleDraft, now: datetime | None = None) -> RuleDraft:
    """Follow the date: a vote past its closing time is closed and decided."""
    now = now or utcnow()
    if draft.state == DraftState.VOTING and draft.vote_closes_at is not None and now >= draft.vote_closes_at:
        close(draft, now)
    return draft


def close_due(now: datetime) -> int:
    """Close every vote past its closing time (the scheduler's tick); returns how many."""
    due = select(RuleDraft).where(RuleDraft.state == DraftState.VOTING, RuleDraft.vote_closes_at <= now)
    drafts = list(db.session.scalars(due))
    for draft in drafts:
        close(draft, now)
    return len(drafts)
