"""A draft from a template to the vote: staff draft it (from the shipped templates, the community's library or
its adopted rules), change it, open it for comments for a period, then put it to the vote; or withdraw it."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.communities.access import Viewer
from app.communities.models import Community
from app.core import audit, validation
from app.core.errors import Conflict, DomainError, Forbidden
from app.core.models import utcnow
from app.extensions import db
from app.procedure import services as rule_sets
from app.procedure import versions
from app.procedure.models import RuleSet
from app.rulebook import permissions, signals
from app.rulebook.models import DraftState, RuleDraft
from app.rulebook.services.common import POLL_TYPE, check_visible
from app.voting import services as voting

OPEN_STATES = (DraftState.COMMENTING, DraftState.VOTING)
EDITABLE_STATES = (DraftState.DRAFTING, DraftState.COMMENTING)
MAX_TEXT = 5000


def listing(viewer: Viewer) -> list[RuleDraft]:
    """The drafts the viewer may read, newest first."""
    if not permissions.can_view(viewer):
        return []
    rows = db.session.scalars(
        select(RuleDraft).where(RuleDraft.community_id == viewer.community_id).order_by(RuleDraft.id.desc())
    )
    return [d for d in rows if permissions.can_view_draft(viewer, d)]


def sources(community: Community) -> list[RuleSet]:
    """What a draft may start from: the community's adopted rules, the shipped templates, its own library."""
    templates, own = rule_sets.library(community)
    adopted = versions.current(community.id)
    return [*([adopted.rule_set] if adopted else []), *templates, *own]


def _name(name) -> str:
    return validation.text(name, field="name", low=1, high=60, message=_l("Give the rule set a name."))


def _text(text) -> str:
    cleaned = text.strip() if isinstance(text, str) else ""
    validation.storable(cleaned, field="text")
    if not cleaned:
        raise DomainError(
            "empty_draft", _l("The draft is empty: write the rules in plain words, one per line."), field="text"
        )
    if len(cleaned) > MAX_TEXT:
        raise DomainError("bad_request", _l("The rules are at most 5000 characters."), field="text")
    return cleaned


def _explanation(explanation) -> str:
    cleaned = explanation.strip() if isinstance(explanation, str) else ""
    validation.storable(cleaned, field="explanation")
    if len(cleaned) > 2000:
        raise DomainError("bad_request", _l("The explanation is at most 2000 characters."), field="explanation")
    return cleaned


def _by_client(viewer: Viewer, client_id: str) -> RuleDraft | None:
    return db.session.scalar(
        select(RuleDraft).where(
            RuleDraft.community_id == viewer.community_id,
            RuleDraft.created_by_id == viewer.user_id,
            RuleDraft.client_id == client_id,
        )
    )


def create(viewer: Viewer, *, client_id, source_id, name, explanation="") -> RuleDraft:
    """Staff start a draft of the community's rules from a copy of `source_id`. A retry (same client_id)
    returns the first draft."""
    if not permissions.can_manage(viewer):
        raise Forbidden()
    client_id = validation.client_id(client_id)
    existing = _by_client(viewer, client_id)
    if existing is not None:
        return existing
    name = _name(name)
    explanation = _explanation(explanation)
    source = next((r for r in sources(viewer.community) if r.id == source_id), None)
    if source is None:
        raise DomainError("bad_request", _l("Choose a rule set."), field="source_id")
    _text(source.text)  # a draft starts with rules written down: an empty library set cannot be drafted from
    rules = source.copy(community_id=viewer.community_id, name=name)
    rules.for_adoption = True
    try:
        with db.session.begin_nested():
            db.session.add(rules)
            db.session.flush()
            draft = RuleDraft(
                community_id=viewer.community_id,
                rule_set_id=rules.id,
                created_by_id=viewer.user_id,
                client_id=client_id,
                explanation=explanation,
            )
            db.session.add(draft)
            db.session.flush()
    except IntegrityError:
        existing = _by_client(viewer, client_id)
        if existing is None:
            raise
        return existing
    audit.record(viewer.user, "rules.draft", draft, community_id=viewer.community_id, source=source.id)
    return draft


def _check_manager(viewer: Viewer, draft: RuleDraft) -> None:
    check_visible(viewer, draft)
    if not permissions.can_manage(viewer):
        raise Forbidden()


def _wrong_state(message) -> Conflict:
    return Conflict("wrong_state", message)


def update(viewer: Viewer, draft: RuleDraft, values: dict, *, name, text, explanation="") -> RuleDraft:
    """Staff change the draft (its parameters, name, text, explanation) until voting opens; after that the
    rules put to the vote are fixed."""
    _check_manager(viewer, draft)
    if draft.state not in EDITABLE_STATES:
        raise _wrong_state(_l("The draft can no longer be changed: it has been put to the vote."))
    rules = draft.rule_set
    name, text, explanation = _name(name), _text(text), _explanation(explanation)
    rule_sets.apply(rules, rule_sets.validated_changes(rules, values))
    rules.name, rules.text = name, text
    draft.explanation = explanation
    audit.record(viewer.user, "rules.update", draft, community_id=draft.community_id)
    db.session.flush()
    return draft


def _check_future(moment, now: datetime, *, field: str, message) -> datetime:
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise DomainError("bad_request", _l("Choose a date."), field=field)
    if moment <= now:
        raise DomainError("bad_dates", message, field=field)
    return moment


def _another_open(draft: RuleDraft) -> bool:
    query = select(RuleDraft.id).where(
        RuleDraft.community_id == draft.community_id, RuleDraft.id != draft.id, RuleDraft.state.in_(OPEN_STATES)
    )
    return db.session.scalar(query) is not None


def open_comments(viewer: Viewer, draft: RuleDraft, closes_at, *, now: datetime | None = None) -> RuleDraft:
    """Staff put the draft to the residents: comments until `closes_at` (in the future)."""
    _check_manager(viewer, draft)
    now = now or utcnow()
    if draft.state != DraftState.DRAFTING:
        raise _wrong_state(_l("The draft is open for comments already."))
    closes_at = _check_future(
        closes_at, now, field="closes_on", message=_l("The comment period must end in the future.")
    )
    _text(draft.rule_set.text)
    if _another_open(draft):
        raise _wrong_state(_l("Another draft of the rules is open for comments or being voted on: finish it first."))
    draft.state = DraftState.COMMENTING
    draft.comments_close_at = closes_at
    audit.record(viewer.user, "rules.comments", draft, community_id=draft.community_id)
    db.session.flush()
    signals.comments_opened.send(draft, actor=viewer.user)
    return draft


def governing(draft: RuleDraft) -> RuleSet:
    """The rules in force that decide the vote: the community's adopted version, else what the draft was
    made from (a template or a library set), else the draft itself."""
    adopted = versions.current(draft.community_id)
    if adopted is not None:
        return adopted.rule_set
    base = db.session.get(RuleSet, draft.rule_set.based_on_id) if draft.rule_set.based_on_id else None
    return base or draft.rule_set


def open_vote(viewer: Viewer, draft: RuleDraft, closes_at, *, now: datetime | None = None) -> RuleDraft:
    """Staff put the draft to the vote of the verified residents once its comment period is over; the vote
    closes at `closes_at` (in the future) and is decided by the quorum and threshold of the rules in force."""
    _check_manager(viewer, draft)
    now = now or utcnow()
    if draft.state != DraftState.COMMENTING:
        raise _wrong_state(_l("Only a draft that was open for comments is put to the vote."))
    if now < draft.comments_close_at:
        raise _wrong_state(_l("The comment period is not over yet: the vote opens after it."))
    closes_at = _check_future(closes_at, now, field="closes_on", message=_l("The vote must close in the future."))
    rules = governing(draft)
    draft.vote_quorum_num, draft.vote_quorum_den = rules.quorum_num, rules.quorum_den
    draft.vote_pass_num, draft.vote_pass_den = rules.pass_num, rules.pass_den
    draft.vote_pass_strict, draft.vote_tie_fails = rules.pass_strict, rules.tie_fails
    poll = voting.open_poll(community_id=draft.community_id, poll_type=POLL_TYPE, subject_id=draft.id, secret=True)
    draft.poll_id = poll.id
    draft.state = DraftState.VOTING
    draft.vote_closes_at = closes_at
    audit.record(viewer.user, "rules.vote", draft, community_id=draft.community_id)
    db.session.flush()
    signals.voting_opened.send(draft, actor=viewer.user)
    return draft


def withdraw(viewer: Viewer, draft: RuleDraft) -> RuleDraft:
    """Staff withdraw a draft before it is put to the vote."""
    _check_manager(viewer, draft)
    if draft.state not in EDITABLE_STATES:
        raise _wrong_state(_l("A draft put to the vote is decided by the vote: it cannot be withdrawn."))
    draft.state = DraftState.WITHDRAWN
    audit.record(viewer.user, "rules.withdraw", draft, community_id=draft.community_id)
    db.session.flush()
    return draft
