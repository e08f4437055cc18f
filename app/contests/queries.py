"""What proposal contests ask of a viewer now, and what happened lately: read-only queries for pages that
assemble several features (the community's home). Who votes is this feature's rule (`permissions`);
nothing here writes (the phase shown is the stored one: the contest's own pages follow the dates)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.communities import access
from app.communities.access import Viewer
from app.communities.models import Community, MemberRole, Membership, MembershipStatus, Role
from app.contests import permissions
from app.contests.models import BallotUnit, Contest, Entry, Phase
from app.contests.services.ballots import voter_key
from app.contests.services.common import poll_of
from app.contests.services.results import Standing, result_of
from app.core.models import utcnow
from app.extensions import db
from app.orgs import queries as orgs
from app.orgs.models import Organisation
from app.voting import services as voting


def awaiting_ballot(viewer: Viewer) -> list[Contest]:
    """Contests in voting, before their voting ends, in which the viewer (or their household) has not voted."""
    if not permissions.can_vote(viewer):
        return []
    query = select(Contest).where(
        Contest.community_id == viewer.community_id, Contest.phase == Phase.VOTING, Contest.voting_ends > utcnow()
    )
    found = []
    for contest in db.session.scalars(query.order_by(Contest.voting_ends)):
        if contest.ballot_unit == BallotUnit.HOUSEHOLD and viewer.membership.household_id is None:
            continue
        poll = poll_of(contest)
        if poll is not None and not voting.has_voted(poll, voter_key(contest, viewer.membership)):
            found.append(contest)
    return found


def yet_to_vote(contest: Contest) -> list[Membership]:
    """The verified residents who may vote in the contest and have not (nor their household, where households
    vote): whom a reminder before the close is for. Three queries, whatever the community's size."""
    poll = poll_of(contest)
    if poll is None:
        return []
    voted = voting.voters(poll)
    members = db.session.scalars(
        select(Membership)
        .join(MemberRole, MemberRole.membership_id == Membership.id)
        .where(
            Membership.community_id == contest.community_id,
            Membership.status == MembershipStatus.VERIFIED,
            MemberRole.role == Role.RESIDENT,
        )
        .options(selectinload(Membership.user))
        .distinct()
    )
    households_vote = contest.ballot_unit == BallotUnit.HOUSEHOLD
    return [
        m
        for m in members
        if m.user.active and not (households_vote and m.household_id is None) and voter_key(contest, m) not in voted
    ]


def recent(viewer: Viewer, limit: int) -> list[tuple[datetime, Contest]]:
    """(when it last changed, contest), newest first: its phase is the news."""
    if not permissions.can_view(viewer):
        return []
    query = (
        select(Contest)
        .where(Contest.community_id == viewer.community_id)
        .order_by(Contest.updated_at.desc())
        .limit(limit)
    )
    return [(c.updated_at, c) for c in db.session.scalars(query)]


def to_certify(viewer: Viewer) -> list[Contest]:
    """For staff: contests whose voting has closed and whose count waits for its two signatures."""
    if not permissions.can_manage(viewer):
        return []
    query = select(Contest).where(Contest.community_id == viewer.community_id, Contest.phase == Phase.COUNTING)
    return list(db.session.scalars(query.order_by(Contest.id)))


@dataclass(frozen=True)
class OrgEntry:
    """One of an organisation's entries as a viewer may see it: `full` (the entry's page, its status) where
    the viewer may see the community; otherwise only its title and result, once the contest is closed."""

    entry: Entry
    contest: Contest
    community: Community
    full: bool
    standing: Standing | None


def org_entries(org_id: int, user) -> list[OrgEntry]:
    """An organisation's entries across contests, newest first, as `user` may see them (the access rule:
    a community's members and the staff over it see its contests; anyone else only the closed contests'
    titles and results)."""
    entries = db.session.scalars(
        select(Entry)
        .where(Entry.organisation_id == org_id)
        .options(selectinload(Entry.contest))
        .order_by(Entry.id.desc())
    )
    seen: dict[int, Viewer] = {}
    found = []
    for entry in entries:
        contest = entry.contest
        if contest.community_id not in seen:
            seen[contest.community_id] = access.viewer(user, access.community_by_id(contest.community_id))
        viewer = seen[contest.community_id]
        full = permissions.can_view(viewer, contest)
        if not full and contest.phase != Phase.CLOSED:
            continue
        res = result_of(contest) if contest.phase in (Phase.ANNOUNCED, Phase.CLOSED) else None
        standing = next((s for s in res.standings if s.entry.id == entry.id), None) if res else None
        found.append(OrgEntry(entry, contest, viewer.community, full, standing))
    return found


def open_to_my_organisations(viewer: Viewer) -> list[tuple[Contest, list[Organisation]]]:
    """Contests taking entries now that admit organisations, each with the verified organisations the viewer
    acts for that have not entered it yet. At most three queries (none beyond the first without such a
    contest, none beyond the second for who acts for no organisation)."""
    if not viewer.is_verified:
        return []
    contests = list(
        db.session.scalars(
            select(Contest)
            .where(
                Contest.community_id == viewer.community_id,
                Contest.phase == Phase.SUBMISSION,
                Contest.admits_organisations.is_(True),
                Contest.submission_ends > utcnow(),
            )
            .order_by(Contest.submission_ends)
        )
    )
    if not contests:
        return []
    held = orgs.orgs_of(viewer.user)
    if not held:
        return []
    entered = set(
        db.session.execute(
            select(Entry.contest_id, Entry.organisation_id).where(
                Entry.contest_id.in_([c.id for c in contests]), Entry.organisation_id.in_([o.id for o in held])
            )
        ).tuples()
    )
    found = []
    for contest in contests:
        free = [o for o in held if permissions.can_enter_for(viewer, contest, o) and (contest.id, o.id) not in entered]
        if free:
            found.append((contest, free))
    return found
