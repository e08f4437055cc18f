"""Entries: a verified resident enters a proposal during submission; experts and staff screen it; after
公示 the winners are handed to the grant flow (app.flows.contests), which links each to its project."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.communities.access import Viewer
from app.contests import permissions, signals
from app.contests.models import Contest, Entry, EntryStatus, Phase
from app.contests.services.common import MAX_BUDGET_FEN, check_visible
from app.contests.services.phases import sync
from app.contests.services.results import result_of
from app.core import audit, validation
from app.core.errors import DomainError, Forbidden
from app.core.models import utcnow
from app.core.ratelimit import hit as rate_limit
from app.extensions import db


def _find_entry(contest: Contest, viewer: Viewer, client_id: str) -> Entry | None:
    return db.session.scalar(
        select(Entry).where(
            Entry.contest_id == contest.id, Entry.author_id == viewer.user_id, Entry.client_id == client_id
        )
    )


def submit_entry(viewer: Viewer, contest: Contest, *, client_id, title, summary, budget_fen, idea_id=None) -> Entry:
    """A verified resident enters a proposal with its budget during submission. A retry returns the first.

    `idea_id` links the entry to the golden idea it started from; only the idea → entry flow
    (app.flows.contests.submit_entry) passes it, once it has checked the idea is the author's own."""
    check_visible(viewer, contest)
    if not permissions.can_submit(viewer):
        raise Forbidden(_l("Only verified residents can enter a proposal."))
    client_id = validation.client_id(client_id)
    existing = _find_entry(contest, viewer, client_id)
    if existing is not None:
        return existing
    sync(contest)
    if contest.phase != Phase.SUBMISSION:
        raise DomainError("wrong_phase", _l("Proposals are accepted only during submission."), status=409)
    title = validation.text(title, field="title", low=2, high=100, message=_l("Give a title of 2 to 100 characters."))
    summary = validation.text(
        summary,
        field="summary",
        low=10,
        high=5000,
        message=_l("Describe the proposal, who it serves and how (10 to 5000 characters)."),
    )
    if not isinstance(budget_fen, int) or isinstance(budget_fen, bool) or not 0 < budget_fen <= MAX_BUDGET_FEN:
        raise DomainError("bad_amount", _l("Enter the budget, more than zero."), field="budget")
    rate_limit("post", str(viewer.user_id), "RATELIMIT_POST")
    entry = Entry(
        contest_id=contest.id,
        community_id=contest.community_id,
        author_id=viewer.user_id,
        building_id=viewer.membership.building_id,
        client_id=client_id,
        title=title,
        summary=summary,
        budget_fen=budget_fen,
        idea_id=idea_id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        existing = _find_entry(contest, viewer, client_id)
        if existing is None:
            raise
        return existing
    return entry


def screen(viewer: Viewer, entry: Entry, *, eligible, reason) -> Entry:
    """Experts and staff mark an entry eligible or not during screening, with a reason its author reads."""
    contest = entry.contest
    check_visible(viewer, contest)
    if not permissions.can_screen(viewer):
        raise Forbidden(_l("Only experts and community staff screen entries."))
    sync(contest)
    if contest.phase != Phase.SCREENING:
        raise DomainError("wrong_phase", _l("Entries are screened only during screening."), status=409)
    if not isinstance(eligible, bool):
        raise DomainError("bad_request", _l("Choose eligible or not eligible."), field="decision")
    reason = validation.text(
        reason, field="reason", low=2, high=500, message=_l("Give a reason: the author will read it.")
    )
    entry.status = EntryStatus.ELIGIBLE if eligible else EntryStatus.INELIGIBLE
    entry.screening_reason = reason
    entry.screened_by_id = viewer.user_id
    entry.screened_at = utcnow()
    audit.record(viewer.user, "contest.screen", entry, community_id=contest.community_id, status=entry.status.value)
    db.session.flush()
    signals.entry_screened.send(entry, actor=viewer.user)
    return entry


def winners_to_grant(viewer: Viewer, contest: Contest) -> list[Entry]:
    """After 公示 (closed), the winning entries staff may still grant (those not granted yet)."""
    check_visible(viewer, contest)
    if not permissions.can_manage(viewer):
        raise Forbidden(_l("Only community staff grant the winners."))
    sync(contest)
    if contest.phase != Phase.CLOSED:
        raise DomainError("wrong_phase", _l("Winners are granted once 公示 has ended."), status=409)
    return [entry for entry in result_of(contest).winners if entry.project_id is None]


def link_project(viewer: Viewer, entry: Entry, project_id: int) -> Entry:
    """Record the micro-project a winning entry was granted as (the grant flow calls it, in its transaction)."""
    entry.project_id = project_id
    audit.record(viewer.user, "contest.grant", entry, community_id=entry.community_id, project_id=project_id)
    db.session.flush()
    return entry


def entries_from_idea(idea_id: int) -> list[Entry]:
    """The contest entries made from a golden idea (for the idea's page)."""
    return list(db.session.scalars(select(Entry).where(Entry.idea_id == idea_id).order_by(Entry.id)))


def entry_of_project(project_id: int) -> Entry | None:
    """The contest entry a micro-project was granted for, if any (for the project's page)."""
    return db.session.scalar(select(Entry).where(Entry.project_id == project_id))
