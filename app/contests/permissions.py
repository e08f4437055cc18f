"""Who may do what with proposal contests: every rule takes the `Viewer` (app.communities.access) and,
where there is one, the object. The same functions serve the HTTP views, the /contests socket and the
services."""

from __future__ import annotations

from app.communities.access import Viewer
from app.communities.models import Role
from app.contests.models import Contest, Entry, Phase
from app.orgs.models import Organisation, OrgStatus


def can_view(viewer: Viewer, contest: Contest | Entry | None = None) -> bool:
    """Members of the community (unverified too) and street/district staff read contests."""
    return viewer.may_see and (contest is None or contest.community_id == viewer.community_id)


def can_manage(viewer: Viewer) -> bool:
    """Community staff create contests, move phases, certify counts, answer objections, grant winners."""
    return viewer.is_staff


def can_submit(viewer: Viewer) -> bool:
    """Verified residents submit entries."""
    return viewer.has_role(Role.RESIDENT)


def can_enter_for(viewer: Viewer, contest: Contest, org: Organisation) -> bool:
    """In a contest that admits organisations (项目推介会 / 创意赛), a verified member of the community who acts
    for a verified organisation enters in its name."""
    return (
        contest.admits_organisations
        and viewer.is_verified
        and org.status == OrgStatus.VERIFIED
        and org.is_agent(viewer.user_id)
    )


def can_screen(viewer: Viewer) -> bool:
    """Experts and community staff screen entries."""
    return viewer.has_role(Role.EXPERT, Role.COMMUNITY_STAFF)


def can_vote(viewer: Viewer) -> bool:
    """Verified residents vote (in a per-household contest, for their household)."""
    return viewer.has_role(Role.RESIDENT)


def can_object(viewer: Viewer) -> bool:
    """Verified members raise objections during 公示."""
    return viewer.is_verified and bool(viewer.membership.role_names)


def can_see_reason(viewer: Viewer, entry: Entry) -> bool:
    """An entry's screening reason: its author (who entered it, for an organisation too), experts and staff."""
    return viewer.is_member and (viewer.is_user(entry.author_id) or can_screen(viewer))


def can_see_count(viewer: Viewer, contest: Contest) -> bool:
    """The published result: everyone who may read the contest. The count before publication: staff, once
    voting has closed (they certify it). Never while voting is open."""
    if contest.phase in (Phase.ANNOUNCED, Phase.CLOSED):
        return True
    return contest.phase == Phase.COUNTING and can_manage(viewer)


def can_attach(viewer: Viewer, entry: Entry) -> bool:
    """An entry's author while entries are taken (submission), and community staff at any time."""
    author = viewer.is_verified and viewer.is_user(entry.author_id) and entry.contest.phase == Phase.SUBMISSION
    return author or can_manage(viewer)


def can_remove_attachment(viewer: Viewer, entry: Entry) -> bool:
    """The same people remove an attached file (it stays in the record)."""
    return can_attach(viewer, entry)
