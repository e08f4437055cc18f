"""The vote: a secret approval ballot in app/voting (poll type "contest", subject the contest), one per
verified resident or per household; turnout (who voted, never what) while it is open."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.communities.access import Viewer
from app.communities.models import Building, Household, MemberRole, Membership, MembershipStatus, Role
from app.contests import permissions
from app.contests.models import BallotUnit, Contest, Phase
from app.contests.services.common import NAMESPACE, POLL_TYPE, check_visible, eligible_entries, poll_of
from app.contests.services.phases import sync
from app.core.errors import DomainError, Forbidden
from app.core.realtime import call_after_commit, coalesced
from app.extensions import db, socketio
from app.voting import services as voting


def parse_choice(contest: Contest, entry_ids) -> str:
    """The ballot's choice: 1 to k different eligible entries of this contest, ids ascending, joined by ","."""
    if not isinstance(entry_ids, list | tuple) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in entry_ids
    ):
        raise DomainError("bad_request", _l("The request could not be understood."), field="entry_ids")
    if not entry_ids:
        raise DomainError("no_choice", _l("Choose at least one entry."), field="entry_ids")
    if len(set(entry_ids)) != len(entry_ids):
        raise DomainError("bad_request", _l("Choose each entry only once."), field="entry_ids")
    if len(entry_ids) > contest.max_choices:
        raise DomainError(
            "too_many",
            _l("Choose at most %(k)d entries.", k=contest.max_choices),
            field="entry_ids",
        )
    eligible = {e.id for e in eligible_entries(contest)}
    if not set(entry_ids) <= eligible:
        raise DomainError("bad_entry", _l("Choose only eligible entries of this contest."), field="entry_ids")
    return ",".join(str(i) for i in sorted(entry_ids))


def voter_key(contest: Contest, member: Membership) -> str:
    if contest.ballot_unit == BallotUnit.HOUSEHOLD:
        return voting.household_key(member.household_id)
    return voting.user_key(member.user_id)


def check_voter(viewer: Viewer, contest: Contest) -> Viewer:
    """The viewer, if they may hold a ballot in this contest; Forbidden (saying why) otherwise."""
    check_visible(viewer, contest)
    if viewer.is_member and not viewer.is_verified:
        raise Forbidden(_l("Only verified residents can vote. Wait for the staff to verify you."), code="not_verified")
    if not permissions.can_vote(viewer):
        raise Forbidden(_l("Only verified residents can vote."))
    if contest.ballot_unit == BallotUnit.HOUSEHOLD and viewer.membership.household_id is None:
        raise Forbidden(_l("This contest has one ballot per household, and you have no household on the register."))
    return viewer


def _checked_choice(viewer: Viewer, contest: Contest, entry_ids) -> str:
    check_voter(viewer, contest)
    sync(contest)
    if contest.phase != Phase.VOTING:
        raise DomainError("wrong_phase", _l("Voting is not open."), status=409)
    return parse_choice(contest, entry_ids)


def review_ballot(viewer: Viewer, contest: Contest, entry_ids) -> list:
    """The review step before the ballot is cast: every check `vote` makes, nothing cast. Returns the chosen
    entries in ballot order, for the page that asks "You chose: ... Cast it?"."""
    chosen = {int(i) for i in _checked_choice(viewer, contest, entry_ids).split(",")}
    return [e for e in eligible_entries(contest) if e.id in chosen]


def vote(viewer: Viewer, contest: Contest, entry_ids):
    """Cast the member's (or household's) one ballot. A retry with the same entries returns the same
    ballot and receipt; anything else after voting is refused. Nothing is stored when refused."""
    choice = _checked_choice(viewer, contest, entry_ids)
    ballot = voting.cast(
        poll_of(contest),
        voter_key=voter_key(contest, viewer.membership),
        choice=choice,
        voter_id=viewer.user_id,
        building_id=viewer.membership.building_id,
    )
    contest_id = contest.id
    call_after_commit(lambda: coalesced.request(("turnout", contest_id), lambda: _broadcast_turnout(contest_id)))
    return ballot


def _broadcast_turnout(contest_id: int) -> None:
    """The contest's turnout to its room: sent at most a few times a second, with the latest figures."""
    contest = db.session.get(Contest, contest_id)
    if contest is not None:
        socketio.emit("turnout", turnout(contest), namespace=NAMESPACE, to=contest.room)


def my_receipt(viewer: Viewer, contest: Contest) -> str | None:
    """The tracking code of the member's (or household's) ballot, if it voted."""
    poll = poll_of(contest)
    if poll is None or not permissions.can_view(viewer, contest) or not permissions.can_vote(viewer):
        return None
    if contest.ballot_unit == BallotUnit.HOUSEHOLD and viewer.membership.household_id is None:
        return None
    key = voter_key(contest, viewer.membership)
    return voting.receipt_for(POLL_TYPE, contest.id, key) if voting.has_voted(poll, key) else None


def _eligible(contest: Contest) -> tuple[int, dict[int | None, int]]:
    """Who may vote now: verified residents, or households with one; per building."""
    rows = db.session.execute(
        select(Membership.user_id, Membership.household_id, Household.building_id)
        .join(MemberRole, MemberRole.membership_id == Membership.id)
        .outerjoin(Household, Household.id == Membership.household_id)
        .where(
            Membership.community_id == contest.community_id,
            Membership.status == MembershipStatus.VERIFIED,
            MemberRole.role == Role.RESIDENT,
        )
    ).all()
    units: dict[object, int | None] = {}
    for user_id, household_id, building_id in rows:
        if contest.ballot_unit == BallotUnit.HOUSEHOLD:
            if household_id is not None:
                units[household_id] = building_id
        else:
            units[user_id] = building_id
    by_building: dict[int | None, int] = {}
    for building_id in units.values():
        by_building[building_id] = by_building.get(building_id, 0) + 1
    return len(units), by_building


def turnout(contest: Contest) -> dict:
    """{voted, eligible, by_building: [{building_id, name, voted, eligible}]}: who voted, never what."""
    poll = poll_of(contest)
    counted = voting.turnout(poll) if poll is not None else voting.Turnout(voted=0, by_building={})
    eligible, eligible_by = _eligible(contest)
    buildings = db.session.scalars(
        select(Building).where(Building.community_id == contest.community_id).order_by(Building.sort_order, Building.id)
    )
    rows = [
        {
            "building_id": b.id,
            "name": b.name,
            "voted": counted.by_building.get(b.id, 0),
            "eligible": eligible_by.get(b.id, 0),
        }
        for b in buildings
    ]
    if counted.by_building.get(None) or eligible_by.get(None):
        rows.append(
            {
                "building_id": None,
                "name": "",
                "voted": counted.by_building.get(None, 0),
                "eligible": eligible_by.get(None, 0),
            }
        )
    return {"contest_id": contest.id, "voted": counted.voted, "eligible": eligible, "by_building": rows}
