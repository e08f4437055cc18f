"""Drafting a decision on one art. 278 matter, and the list of a community's decisions."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.communities.access import Viewer
from app.core import audit, validation
from app.core.errors import DomainError
from app.core.markup import render_markdown
from app.decisions import permissions
from app.decisions.models import DEFAULT_PROXY_LIMIT, Decision, DecisionState
from app.decisions.services.common import MAX_PROXY_LIMIT, MAX_PUBLICITY_DAYS, MAX_VOTING_DAYS, require_counter
from app.extensions import db
from app.voting import tally


def decisions_of(viewer: Viewer) -> list[Decision]:
    """A community's decisions, newest first; drafts only for counters."""
    query = select(Decision).where(Decision.community_id == viewer.community_id).order_by(Decision.id.desc())
    if not permissions.can_count(viewer):
        query = query.where(Decision.state != DecisionState.DRAFT)
    return list(db.session.scalars(query))


def _fields(matter, title, body, starts_on, ends_on, publicity_days, proxy_limit) -> dict:
    if not isinstance(matter, int) or matter not in tally.MATTERS:
        raise DomainError("bad_matter", _l("Choose one of the matters of art. 278 (items 1 to 9)."), field="matter")
    title = (title or "").strip()
    if not 4 <= len(title) <= 100:
        raise DomainError("bad_request", _l("Give a title of 4 to 100 characters."), field="title")
    body = (body or "").strip()
    if not 10 <= len(body) <= 20000:
        raise DomainError("bad_request", _l("Write the text put to the owners (10 to 20000 characters)."), field="body")
    if not isinstance(starts_on, date) or not isinstance(ends_on, date):
        raise DomainError("bad_dates", _l("Give the first and the last day of voting."), field="voting_starts_on")
    if ends_on < starts_on:
        raise DomainError("bad_dates", _l("The last day of voting cannot be before the first."), field="voting_ends_on")
    if (ends_on - starts_on).days > MAX_VOTING_DAYS:
        raise DomainError("bad_dates", _l("Voting can last at most a year."), field="voting_ends_on")
    if not isinstance(publicity_days, int) or not 1 <= publicity_days <= MAX_PUBLICITY_DAYS:
        raise DomainError("bad_request", _l("The 公示 period is 1 to 60 days."), field="publicity_days")
    if not isinstance(proxy_limit, int) or not 1 <= proxy_limit <= MAX_PROXY_LIMIT:
        raise DomainError(
            "bad_request",
            _l("One proxy may vote for 1 to %(n)d owners.", n=MAX_PROXY_LIMIT),
            field="proxy_limit",
        )
    return {
        "matter": matter,
        "title": title,
        "body": body,
        "body_html": render_markdown(body),
        "voting_starts_on": starts_on,
        "voting_ends_on": ends_on,
        "publicity_days": publicity_days,
        "proxy_limit": proxy_limit,
    }


def create(
    viewer: Viewer,
    *,
    client_id: str,
    matter: int,
    title: str,
    body: str,
    starts_on: date,
    ends_on: date,
    publicity_days: int,
    proxy_limit: int = DEFAULT_PROXY_LIMIT,
) -> Decision:
    """Draft a decision on one art. 278 matter (idempotent on client_id)."""
    require_counter(viewer)
    client_id = validation.client_id(client_id)
    existing = db.session.scalar(
        select(Decision).where(
            Decision.community_id == viewer.community_id,
            Decision.created_by_id == viewer.user_id,
            Decision.client_id == client_id,
        )
    )
    if existing is not None:
        return existing
    values = _fields(matter, title, body, starts_on, ends_on, publicity_days, proxy_limit)
    decision = Decision(community_id=viewer.community_id, created_by_id=viewer.user_id, client_id=client_id, **values)
    try:
        with db.session.begin_nested():
            db.session.add(decision)
    except IntegrityError:
        existing = db.session.scalar(
            select(Decision).where(
                Decision.community_id == viewer.community_id,
                Decision.created_by_id == viewer.user_id,
                Decision.client_id == client_id,
            )
        )
        if existing is None:
            raise
        return existing
    db.session.flush()
    audit.record(viewer.user, "decision.create", decision, community_id=viewer.community_id, matter=matter)
    db.session.flush()
    return decision


def update(
    viewer: Viewer,
    decision: Decision,
    *,
    matter: int,
    title: str,
    body: str,
    starts_on: date,
    ends_on: date,
    publicity_days: int,
    proxy_limit: int = DEFAULT_PROXY_LIMIT,
) -> Decision:
    """Revise a draft; once voting opens, the text and the roll are fixed."""
    require_counter(viewer, decision)
    if decision.state != DecisionState.DRAFT:
        raise DomainError("wrong_phase", _l("Voting has opened: the decision can no longer be changed."), status=409)
    for name, value in _fields(matter, title, body, starts_on, ends_on, publicity_days, proxy_limit).items():
        setattr(decision, name, value)
    audit.record(viewer.user, "decision.update", decision, community_id=decision.community_id)
    db.session.flush()
    return decision
