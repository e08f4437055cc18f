"""Counting, certification and publication, objections during 公示, and what the /contests room shows.

Results are hidden until the vote is closed: before that only turnout leaves this feature. Counting →
公示 happens only by publication (a counter and a scrutineer, two people, certify the count)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.communities.access import Viewer
from app.communities.models import Building
from app.contests import permissions
from app.contests.labels import PHASE_LABELS
from app.contests.models import Contest, Entry, Phase
from app.contests.services.ballots import turnout
from app.contests.services.common import (
    MIN_ANNOUNCEMENT,
    NAMESPACE,
    check_visible,
    eligible_entries,
    poll_of,
)
from app.contests.services.phases import sync
from app.core import audit
from app.core.clock import end_of_day, last_day
from app.core.errors import DomainError, Forbidden, NotFound
from app.core.models import utcnow
from app.core.realtime import emit_after_commit
from app.extensions import db
from app.objections.models import Objection
from app.voting import services as voting
from app.voting.models import CertifierRole, PollState


@dataclass
class Standing:
    entry: Entry
    votes: int
    rank: int
    winner: bool


@dataclass
class Result:
    ballots: int
    standings: list[Standing]
    by_building: list[dict]  # [{building_id, name, entries: {entry_id: votes}}]
    published: bool

    @property
    def winners(self) -> list[Entry]:
        return [s.entry for s in self.standings if s.winner]


def rank(contest: Contest, options: dict[str, int]) -> list[Standing]:
    """Eligible entries by votes, most first; ties broken by the smaller budget, then the earlier entry.
    The top `winner_count` entries with at least one vote win."""
    entries = eligible_entries(contest)
    ordered = sorted(entries, key=lambda e: (-options.get(str(e.id), 0), e.budget_fen, e.id))
    standings = []
    for position, entry in enumerate(ordered, start=1):
        votes = options.get(str(entry.id), 0)
        standings.append(Standing(entry, votes, position, winner=position <= contest.winner_count and votes > 0))
    return standings


def result(viewer: Viewer, contest: Contest) -> Result | None:
    """The result the viewer may see now: the published one, or for staff during counting the recount."""
    check_visible(viewer, contest)
    sync(contest)
    if not permissions.can_see_count(viewer, contest):
        return None
    return result_of(contest)


def result_of(contest: Contest) -> Result | None:
    """The count once voting has closed (the published one after publication), whoever asks."""
    poll = poll_of(contest)
    if poll is None or poll.state == PollState.OPEN:
        return None
    published = voting.published_result(poll)
    data = published if published is not None else voting.count(poll).as_dict()
    names = {
        str(b.id): b.name
        for b in db.session.scalars(select(Building).where(Building.community_id == contest.community_id))
    }
    by_building = [
        {"building_id": int(key) if key else None, "name": names.get(key, ""), "entries": counts}
        for key, counts in data["by_building"].items()
    ]
    return Result(
        ballots=data["ballots"],
        standings=rank(contest, data["options"]),
        by_building=by_building,
        published=published is not None,
    )


def result_dict(contest: Contest, res: Result) -> dict:
    return {
        "contest_id": contest.id,
        "ballots": res.ballots,
        "published": res.published,
        "entries": [
            {"id": s.entry.id, "title": s.entry.title, "votes": s.votes, "rank": s.rank, "winner": s.winner}
            for s in res.standings
        ],
        "by_building": [
            {"building_id": b["building_id"], "name": b["name"], "entries": b["entries"]} for b in res.by_building
        ],
    }


def certifiers(contest: Contest) -> list[tuple[CertifierRole, User]]:
    poll = poll_of(contest)
    if poll is None:
        return []
    return [(c.role, db.session.get(User, c.user_id)) for c in voting.certifications(poll)]


def _publish(viewer: Viewer, contest: Contest) -> None:
    """The second signature is in: the contest enters 公示 for at least seven days, and the room hears it."""
    now = utcnow()
    contest.phase = Phase.ANNOUNCED
    if contest.announced_ends < now + MIN_ANNOUNCEMENT:
        contest.announced_ends = end_of_day(last_day(now + MIN_ANNOUNCEMENT))
    audit.record(
        viewer.user,
        "contest.phase",
        contest,
        community_id=contest.community_id,
        old="counting",
        new="announced",
        by="publication",
    )
    db.session.flush()
    emit_after_commit("results", result_dict(contest, result_of(contest)), namespace=NAMESPACE, to=contest.room)
    emit_after_commit("phase", {"contest_id": contest.id, "phase": "announced"}, namespace=NAMESPACE, to=contest.room)


def certify(viewer: Viewer, contest: Contest, role) -> Contest:
    """A staff member signs the count as counter or scrutineer; the second signature (another person)
    publishes it, and the contest enters 公示 for at least seven days."""
    check_visible(viewer, contest)
    if not permissions.can_manage(viewer):
        raise Forbidden(_l("Only community staff count and scrutinise the vote."))
    try:
        role = CertifierRole(role)
    except ValueError:
        raise DomainError("bad_request", _l("Choose counter or scrutineer."), field="role") from None
    sync(contest)
    if contest.phase != Phase.COUNTING:
        raise DomainError("wrong_phase", _l("The count is certified during counting."), status=409)
    poll = poll_of(contest)
    voting.certify(poll, viewer.user_id, role)
    audit.record(viewer.user, "contest.certify", contest, community_id=contest.community_id, role=role.value)
    if poll.state == PollState.PUBLISHED:
        _publish(viewer, contest)
    db.session.flush()
    return contest


# -- objections during 公示 --------------------------------------------------------------------------


def object_to(viewer: Viewer, contest: Contest, *, client_id, body) -> Objection:
    check_visible(viewer, contest)
    if not permissions.can_object(viewer):
        raise Forbidden(_l("Only verified members can raise an objection."))
    sync(contest)
    if contest.phase != Phase.ANNOUNCED:
        raise DomainError("wrong_phase", _l("Objections are raised during the 公示 period."), status=409)
    objection = voting.object_to(poll_of(contest), viewer.user_id, client_id=client_id, body=body)
    audit.record(viewer.user, "contest.object", contest, community_id=contest.community_id)
    db.session.flush()
    return objection


def objections(contest: Contest) -> list[Objection]:
    poll = poll_of(contest)
    return voting.objections(poll) if poll is not None else []


def get_objection(contest: Contest, objection_id) -> Objection:
    return voting.get_objection(poll_of(contest), objection_id)


def answer_objection(viewer: Viewer, contest: Contest, objection: Objection, answer) -> Objection:
    check_visible(viewer, contest)
    if not permissions.can_manage(viewer):
        raise Forbidden(_l("Only community staff answer objections."))
    if objection.owner_kind != voting.POLL_OBJECTIONS or objection.owner_id != contest.poll_id:
        raise NotFound()
    voting.answer_objection(objection, viewer.user_id, answer)
    audit.record(viewer.user, "contest.answer", contest, community_id=contest.community_id, objection_id=objection.id)
    db.session.flush()
    return objection


# -- what the /contests room shows -------------------------------------------------------------------


def contest_dict(contest: Contest) -> dict:
    """What the /contests room shows of a contest: never a count before publication."""
    poll = poll_of(contest)
    return {
        "id": contest.id,
        "title": contest.title,
        "phase": contest.phase.value,
        "phase_label": str(PHASE_LABELS[contest.phase]),
        "max_choices": contest.max_choices,
        "ballot_unit": contest.ballot_unit.value,
        "secret": contest.secret,
        "voting_ends": contest.voting_ends.isoformat(),
        "poll_id": poll.id if poll else None,
        "entries": [
            {"id": e.id, "title": e.title, "budget_fen": e.budget_fen}
            for e in (eligible_entries(contest) if contest.phase not in (Phase.SUBMISSION, Phase.SCREENING) else [])
        ],
    }


def room_state(viewer: Viewer, contest: Contest) -> dict:
    check_visible(viewer, contest)
    sync(contest)
    state = {"contest": contest_dict(contest), "turnout": turnout(contest)}
    if contest.phase in (Phase.ANNOUNCED, Phase.CLOSED):
        res = result_of(contest)
        if res is not None:
            state["results"] = result_dict(contest, res)
    return state
