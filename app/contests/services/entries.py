"""Entries: a verified resident enters a proposal during submission (in a contest that admits them, an agent
of a verified social organisation enters one in the organisation's name; in one that requires it, each entry
answers a published guidance item); experts and staff screen it; after 公示 the winners are handed to the
grant flow (app.flows.contests), which links each to its project."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.communities.access import Viewer
from app.communities.models import Community
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
from app.needs.models import GuidanceItem, GuidanceStatus
from app.orgs import queries as orgs
from app.orgs.models import Organisation, OrgStatus


def _find_entry(contest: Contest, viewer: Viewer, client_id: str) -> Entry | None:
    return db.session.scalar(
        select(Entry).where(
            Entry.contest_id == contest.id, Entry.author_id == viewer.user_id, Entry.client_id == client_id
        )
    )


def entering_for(viewer: Viewer, contest: Contest) -> list[Organisation]:
    """The organisations the viewer may enter this contest for (none where it admits no organisations)."""
    if not contest.admits_organisations or not viewer.is_verified:
        return []
    return [org for org in orgs.orgs_of(viewer.user) if permissions.can_enter_for(viewer, contest, org)]


def may_enter(viewer: Viewer, contest: Contest) -> bool:
    """As a resident, or for an organisation."""
    return permissions.can_submit(viewer) or bool(entering_for(viewer, contest))


def check_may_enter(viewer: Viewer, contest: Contest) -> None:
    """Forbidden, with the reason, unless the viewer may enter a proposal: a resident, or an agent of a
    verified organisation where the contest admits organisations (a suspended one's agent is told so)."""
    check_visible(viewer, contest)
    if may_enter(viewer, contest):
        return
    if contest.admits_organisations and viewer.is_verified:
        held = orgs.orgs_of(viewer.user)
        suspended = next((org for org in held if org.status == OrgStatus.SUSPENDED), None)
        if suspended is not None:
            raise Forbidden(
                _l(
                    "%(org)s is suspended and may not enter contests: %(reason)s",
                    org=suspended.name,
                    reason=suspended.status_reason,
                )
            )
        if held:
            raise Forbidden(
                _l(
                    "%(org)s is not verified yet: it may enter once the street or district staff verify it.",
                    org=held[0].name,
                )
            )
    raise Forbidden(_l("Only verified residents can enter a proposal."))


def guidance_choices(contest: Contest) -> list[GuidanceItem]:
    """The published guidance items an entry may answer: the contest's community's and its street's own."""
    street_id = db.session.scalar(select(Community.street_id).where(Community.id == contest.community_id))
    return list(
        db.session.scalars(
            select(GuidanceItem)
            .where(
                GuidanceItem.status == GuidanceStatus.PUBLISHED,
                GuidanceItem.street_id == street_id,
                (GuidanceItem.community_id == contest.community_id) | GuidanceItem.community_id.is_(None),
            )
            .order_by(GuidanceItem.year.desc(), GuidanceItem.title, GuidanceItem.id)
        )
    )


def _entrant(viewer: Viewer, contest: Contest, organisation_id) -> Organisation | None:
    """The organisation entering (None: the resident themselves), checked."""
    check_may_enter(viewer, contest)
    if organisation_id is None:
        if not permissions.can_submit(viewer):
            raise DomainError("bad_request", _l("Choose the organisation you enter for."), field="organisation_id")
        return None
    org = next((o for o in entering_for(viewer, contest) if o.id == organisation_id), None)
    if org is None:
        raise DomainError(
            "bad_request", _l("Choose one of the verified organisations you act for."), field="organisation_id"
        )
    return org


def _guidance(contest: Contest, guidance_item_id) -> GuidanceItem | None:
    if guidance_item_id is None:
        if contest.requires_guidance:
            raise DomainError(
                "bad_request", _l("Choose the guidance item your proposal answers."), field="guidance_item_id"
            )
        return None
    item = next((i for i in guidance_choices(contest) if i.id == guidance_item_id), None)
    if item is None:
        raise DomainError(
            "bad_request", _l("Choose one of the published guidance items listed."), field="guidance_item_id"
        )
    return item


def submit_entry(
    viewer: Viewer,
    contest: Contest,
    *,
    client_id,
    title,
    summary,
    budget_fen,
    idea_id=None,
    organisation_id=None,
    guidance_item_id=None,
) -> Entry:
    """A verified resident enters a proposal with its budget during submission, or (where the contest admits
    organisations) an agent enters one for a verified organisation (`organisation_id`). A retry returns the
    first. Where the contest requires it, the entry answers a published guidance item (`guidance_item_id`).

    `idea_id` links the entry to the golden idea it started from; only the idea → entry flow
    (app.flows.contests.submit_entry) passes it, once it has checked the idea is the author's own."""
    org = _entrant(viewer, contest, organisation_id)
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
    item = _guidance(contest, guidance_item_id)
    rate_limit("post", str(viewer.user_id), "RATELIMIT_POST")
    entry = Entry(
        contest_id=contest.id,
        community_id=contest.community_id,
        author_id=viewer.user_id,
        building_id=viewer.membership.building_id if org is None else None,
        client_id=client_id,
        title=title,
        summary=summary,
        budget_fen=budget_fen,
        idea_id=idea_id,
        organisation_id=org.id if org is not None else None,
        guidance_item_id=item.id if item is not None else None,
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
