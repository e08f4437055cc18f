"""Proposal-contest use cases: create, follow the phase dates, submit and screen entries, vote, count,
certify, publish, object, and grant the winners as micro-projects.

The vote is a secret approval ballot in app/voting (poll type "contest", subject the contest).
Results are hidden until the vote is closed: before that only turnout (from who voted, never from
what) leaves this module.

The phase follows the dates: each date ends its phase, and any use case that touches a contest
first moves it on (`sync`). Screening → voting waits, past its date, until every entry is
screened and at least one is eligible. Counting → 公示 happens only by publication (two certifiers).
Staff may also move a contest on by hand, one phase at a time (audited).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.communities import services as communities
from app.communities.models import Building, Community, Household, MemberRole, Membership, MembershipStatus, Role
from app.contests import permissions, signals
from app.contests.models import BallotUnit, Contest, Entry, EntryStatus, Phase
from app.core import audit, validation
from app.core.clock import local_time, local_zone
from app.core.errors import Conflict, DomainError, Forbidden, NotFound
from app.core.models import utcnow
from app.core.ratelimit import hit as rate_limit
from app.core.realtime import coalesced, emit_after_commit
from app.extensions import db, socketio
from app.voting import services as voting
from app.voting.models import CertifierRole, Objection, Poll, PollState

NAMESPACE = "/contests"
POLL_TYPE = "contest"
MIN_ANNOUNCEMENT = timedelta(days=7)  # 公示 lasts at least seven days from publication
MAX_CHOICES = 20
MAX_WINNERS = 50
MAX_BUDGET_FEN = 2_000_000_000

ORDER = list(Phase)
NEXT = {phase: (ORDER[i + 1] if i + 1 < len(ORDER) else None) for i, phase in enumerate(ORDER)}

PHASE_LABELS = {
    Phase.SUBMISSION: _l("Submission (征集)"),
    Phase.SCREENING: _l("Screening (初筛)"),
    Phase.VOTING: _l("Voting (投票)"),
    Phase.COUNTING: _l("Counting (计票)"),
    Phase.ANNOUNCED: _l("Announced (公示)"),
    Phase.CLOSED: _l("Closed"),
}
STATUS_LABELS = {
    EntryStatus.SUBMITTED: _l("Waiting for screening"),
    EntryStatus.ELIGIBLE: _l("Passed screening"),
    EntryStatus.INELIGIBLE: _l("Did not pass screening"),
}
UNIT_LABELS = {
    BallotUnit.RESIDENT: _l("One ballot per verified resident"),
    BallotUnit.HOUSEHOLD: _l("One ballot per household"),
}
ROLE_LABELS = {CertifierRole.COUNTER: _l("Counter (计票人)"), CertifierRole.SCRUTINEER: _l("Scrutineer (监票人)")}


@dataclass(frozen=True)
class Actor:
    user: User
    member: Membership | None
    oversees: bool


def _actor(user: User, community_id: int) -> Actor:
    return Actor(
        user, communities.membership_of(user, community_id), community_id in communities.overseen_community_ids(user)
    )


def visible(user: User, contest: Contest) -> Actor:
    """The actor, if they may read the contest; NotFound otherwise (another community's are not theirs)."""
    actor = _actor(user, contest.community_id)
    if not permissions.can_view(actor.member, contest.community_id, oversees=actor.oversees):
        raise NotFound()
    return actor


def get(contest_id) -> Contest:
    contest = db.session.get(Contest, contest_id) if isinstance(contest_id, int) else None
    if contest is None:
        raise NotFound()
    return contest


def get_entry(entry_id) -> Entry:
    entry = db.session.get(Entry, entry_id) if isinstance(entry_id, int) else None
    if entry is None:
        raise NotFound()
    return entry


def listing(user: User, community: Community) -> list[Contest]:
    actor = _actor(user, community.id)
    if not permissions.can_view(actor.member, community.id, oversees=actor.oversees):
        raise Forbidden()
    contests = list(
        db.session.scalars(select(Contest).where(Contest.community_id == community.id).order_by(Contest.id.desc()))
    )
    for contest in contests:
        sync(contest)
    return contests


def end_of_day(day: date) -> datetime:
    """A phase that ends on a (local, Asia/Shanghai) date ends at the midnight after it."""
    return datetime.combine(day + timedelta(days=1), time(0), local_zone()).astimezone(UTC)


def last_day(moment: datetime) -> date:
    """The local date a phase ending at `moment` ends on (the inverse of end_of_day)."""
    return local_time(moment - timedelta(microseconds=1)).date()


def _whole(value, *, field: str, low: int, high: int, message) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise DomainError("bad_request", message, field=field)
    return value


# -- creating a contest -----------------------------------------------------------------------------


def create(
    user: User,
    community: Community,
    *,
    client_id,
    title,
    description="",
    max_choices,
    winner_count,
    ballot_unit=BallotUnit.RESIDENT.value,
    secret: bool = True,
    fund_year,
    submission_ends: datetime,
    screening_ends: datetime,
    voting_ends: datetime,
    announced_ends: datetime,
    now: datetime | None = None,
) -> Contest:
    """Staff create a contest in its submission phase. A retry (same client_id) returns the first one."""
    if not permissions.can_manage(communities.membership_of(user, community.id), community.id):
        raise Forbidden(_l("Only community staff can create a contest."))
    client_id = validation.client_id(client_id)
    existing = db.session.scalar(
        select(Contest).where(
            Contest.community_id == community.id, Contest.created_by_id == user.id, Contest.client_id == client_id
        )
    )
    if existing is not None:
        return existing
    title = validation.text(title, field="title", low=2, high=100, message=_l("Give a title of 2 to 100 characters."))
    description = (description or "").strip() if isinstance(description, str) else ""
    if len(description) > 5000:
        raise DomainError("bad_request", _l("The description is at most 5000 characters."), field="description")
    max_choices = _whole(
        max_choices,
        field="max_choices",
        low=1,
        high=MAX_CHOICES,
        message=_l("A ballot may choose 1 to %(n)d entries.", n=MAX_CHOICES),
    )
    winner_count = _whole(
        winner_count,
        field="winner_count",
        low=1,
        high=MAX_WINNERS,
        message=_l("Choose 1 to %(n)d winners.", n=MAX_WINNERS),
    )
    fund_year = _whole(fund_year, field="fund_year", low=2000, high=2100, message=_l("Choose a year."))
    try:
        ballot_unit = BallotUnit(ballot_unit)
    except ValueError:
        raise DomainError("bad_request", _l("Choose who gets a ballot."), field="ballot_unit") from None
    dates = [submission_ends, screening_ends, voting_ends, announced_ends]
    if not all(isinstance(d, datetime) and d.tzinfo is not None for d in dates):
        raise DomainError("bad_request", _l("Give the date each phase ends."), field="submission_ends")
    now = now or utcnow()
    if submission_ends <= now:
        raise DomainError("bad_dates", _l("The submission phase must end in the future."), field="submission_ends")
    for field, earlier, later in (
        ("screening_ends", submission_ends, screening_ends),
        ("voting_ends", screening_ends, voting_ends),
        ("announced_ends", voting_ends, announced_ends),
    ):
        if later <= earlier:
            raise DomainError("bad_dates", _l("Each phase must end after the one before it."), field=field)
    contest = Contest(
        community_id=community.id,
        created_by_id=user.id,
        client_id=client_id,
        title=title,
        description=description,
        phase=Phase.SUBMISSION,
        max_choices=max_choices,
        winner_count=winner_count,
        ballot_unit=ballot_unit,
        secret=bool(secret),
        fund_year=fund_year,
        submission_ends=submission_ends,
        screening_ends=screening_ends,
        voting_ends=voting_ends,
        announced_ends=announced_ends,
    )
    try:
        with db.session.begin_nested():
            db.session.add(contest)
    except IntegrityError:
        existing = db.session.scalar(
            select(Contest).where(
                Contest.community_id == community.id, Contest.created_by_id == user.id, Contest.client_id == client_id
            )
        )
        if existing is None:
            raise
        return existing
    audit.record(user, "contest.create", contest, community_id=community.id, title=title)
    db.session.commit()
    return contest


# -- the phase machine ------------------------------------------------------------------------------


def deadline(contest: Contest) -> datetime | None:
    """When the current phase ends by its date (None: counting ends by publication, closed never)."""
    return {
        Phase.SUBMISSION: contest.submission_ends,
        Phase.SCREENING: contest.screening_ends,
        Phase.VOTING: contest.voting_ends,
        Phase.ANNOUNCED: contest.announced_ends,
    }.get(contest.phase)


def unscreened(contest: Contest) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Entry)
        .where(Entry.contest_id == contest.id, Entry.status == EntryStatus.SUBMITTED)
    )


def eligible_entries(contest: Contest) -> list[Entry]:
    return list(
        db.session.scalars(
            select(Entry).where(Entry.contest_id == contest.id, Entry.status == EntryStatus.ELIGIBLE).order_by(Entry.id)
        )
    )


def refusal(contest: Contest, to: Phase, *, by_staff: bool = False) -> DomainError | None:
    """Why the contest cannot move to `to` now (None if it can). Only the next phase is ever allowed;
    staff cannot cut 公示 short (objections are heard until its date)."""
    if NEXT[contest.phase] != to:
        return DomainError(
            "wrong_phase",
            _l(
                "A contest in %(old)s cannot move to %(new)s.",
                old=PHASE_LABELS[contest.phase],
                new=PHASE_LABELS[to],
            ),
            status=409,
        )
    if to == Phase.ANNOUNCED:
        return DomainError(
            "wrong_phase",
            _l("The result is announced by publishing it: a counter and a scrutineer must both certify the count."),
            status=409,
        )
    if to == Phase.CLOSED and by_staff:
        return DomainError(
            "wrong_phase",
            _l("公示 ends on its date: objections are heard until then."),
            status=409,
        )
    if to == Phase.VOTING:
        if unscreened(contest):
            return DomainError("wrong_phase", _l("Screen every entry before voting opens."), status=409)
        if not eligible_entries(contest):
            return DomainError("wrong_phase", _l("No entry is eligible: voting cannot open."), status=409)
    return None


def _enter(contest: Contest, to: Phase, actor: User | None, *, by: str) -> bool:
    """Move one phase on, with its effects on the poll, if no one else has just done it."""
    old = contest.phase
    moved = db.session.execute(
        update(Contest).where(Contest.id == contest.id, Contest.phase == old).values(phase=to)
    ).rowcount
    if not moved:
        db.session.rollback()
        db.session.refresh(contest)
        return False
    db.session.refresh(contest)
    if to == Phase.VOTING:
        poll = voting.open_poll(
            community_id=contest.community_id, poll_type=POLL_TYPE, subject_id=contest.id, secret=contest.secret
        )
        contest.poll_id = poll.id
    elif to == Phase.COUNTING:
        voting.close_poll(poll_of(contest))
    audit.record(actor, "contest.phase", contest, community_id=contest.community_id, old=old.value, new=to.value, by=by)
    emit_after_commit("phase", {"contest_id": contest.id, "phase": to.value}, namespace=NAMESPACE, to=contest.room)
    db.session.commit()
    return True


def sync(contest: Contest, now: datetime | None = None) -> Contest:
    """Follow the dates: move the contest through every phase whose date has passed."""
    now = now or utcnow()
    for _ in ORDER:
        ends = deadline(contest)
        to = NEXT[contest.phase]
        if ends is None or to is None or now < ends or refusal(contest, to) is not None:
            break
        _enter(contest, to, None, by="dates")
    return contest


def advance(user: User, contest: Contest, to, *, now: datetime | None = None) -> Contest:
    """Staff move the contest to its next phase before its date (audited)."""
    actor = visible(user, contest)
    if not permissions.can_manage(actor.member, contest.community_id):
        raise Forbidden()
    try:
        to = Phase(to)
    except ValueError:
        raise DomainError("bad_request", _l("Choose a phase."), field="to") from None
    sync(contest, now)
    problem = refusal(contest, to, by_staff=True)
    if problem is not None:
        raise problem
    if not _enter(contest, to, user, by="staff"):
        raise Conflict("wrong_phase", _l("The contest has just moved on; reload the page."))
    return contest


def poll_of(contest: Contest) -> Poll | None:
    return db.session.get(Poll, contest.poll_id) if contest.poll_id else None


# -- entries ----------------------------------------------------------------------------------------


def idea_choices(user: User, contest: Contest) -> list:
    """The user's own golden ideas in the community that an entry can start from."""
    from app.ideas.models import Idea, IdeaStatus

    return list(
        db.session.scalars(
            select(Idea)
            .where(
                Idea.community_id == contest.community_id,
                Idea.author_id == user.id,
                Idea.hidden_at.is_(None),
                Idea.status.not_in([IdeaStatus.MERGED, IdeaStatus.DECLINED]),
            )
            .order_by(Idea.id.desc())
        )
    )


def _find_entry(contest: Contest, user: User, client_id: str) -> Entry | None:
    return db.session.scalar(
        select(Entry).where(Entry.contest_id == contest.id, Entry.author_id == user.id, Entry.client_id == client_id)
    )


def submit_entry(user: User, contest: Contest, *, client_id, title, summary, budget_fen, idea_id=None) -> Entry:
    """A verified resident enters a proposal with its budget during submission. A retry returns the first."""
    actor = visible(user, contest)
    if not permissions.can_submit(actor.member, contest.community_id):
        raise Forbidden(_l("Only verified residents can enter a proposal."))
    client_id = validation.client_id(client_id)
    existing = _find_entry(contest, user, client_id)
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
    if idea_id is not None and not any(idea.id == idea_id for idea in idea_choices(user, contest)):
        raise DomainError("bad_request", _l("Choose one of your own golden ideas."), field="idea_id")
    rate_limit("post", str(user.id), "RATELIMIT_POST")
    entry = Entry(
        contest_id=contest.id,
        community_id=contest.community_id,
        author_id=user.id,
        building_id=actor.member.building_id,
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
        existing = _find_entry(contest, user, client_id)
        if existing is None:
            raise
        return existing
    db.session.commit()
    return entry


def entry_visible(user: User, entry: Entry) -> Actor:
    return visible(user, entry.contest)


def screen(user: User, entry: Entry, *, eligible, reason) -> Entry:
    """Experts and staff mark an entry eligible or not during screening, with a reason its author reads."""
    contest = entry.contest
    actor = visible(user, contest)
    if not permissions.can_screen(actor.member, contest.community_id):
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
    entry.screened_by_id = user.id
    entry.screened_at = utcnow()
    audit.record(user, "contest.screen", entry, community_id=contest.community_id, status=entry.status.value)
    db.session.commit()
    signals.entry_screened.send(entry, actor=user)
    return entry


# -- voting -----------------------------------------------------------------------------------------


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


def _voter(user: User, contest: Contest) -> Actor:
    actor = visible(user, contest)
    member = actor.member
    if member is not None and member.community_id == contest.community_id and not member.is_verified:
        raise Forbidden(_l("Only verified residents can vote. Wait for the staff to verify you."), code="not_verified")
    if not permissions.can_vote(member, contest.community_id):
        raise Forbidden(_l("Only verified residents can vote."))
    if contest.ballot_unit == BallotUnit.HOUSEHOLD and member.household_id is None:
        raise Forbidden(_l("This contest has one ballot per household, and you have no household on the register."))
    return actor


def vote(user: User, contest: Contest, entry_ids):
    """Cast the member's (or household's) one ballot. A retry with the same entries returns the same
    ballot and receipt; anything else after voting is refused. Nothing is stored when refused."""
    actor = _voter(user, contest)
    sync(contest)
    if contest.phase != Phase.VOTING:
        raise DomainError("wrong_phase", _l("Voting is not open."), status=409)
    choice = parse_choice(contest, entry_ids)
    poll = poll_of(contest)
    try:
        ballot = voting.cast(
            poll,
            voter_key=voter_key(contest, actor.member),
            choice=choice,
            voter_id=user.id,
            building_id=actor.member.building_id,
        )
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
    contest_id = contest.id
    coalesced.request(("turnout", contest_id), lambda: _broadcast_turnout(contest_id))
    return ballot


def _broadcast_turnout(contest_id: int) -> None:
    """The contest's turnout to its room: sent at most a few times a second, with the latest figures."""
    contest = db.session.get(Contest, contest_id)
    if contest is not None:
        socketio.emit("turnout", turnout(contest), namespace=NAMESPACE, to=contest.room)


def my_receipt(user: User, contest: Contest) -> str | None:
    """The tracking code of the member's (or household's) ballot, if it voted."""
    poll = poll_of(contest)
    member = communities.membership_of(user, contest.community_id)
    if poll is None or member is None or not permissions.can_vote(member, contest.community_id):
        return None
    if contest.ballot_unit == BallotUnit.HOUSEHOLD and member.household_id is None:
        return None
    key = voter_key(contest, member)
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


# -- counting, certification, publication -----------------------------------------------------------


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


def can_see_count(user: User, contest: Contest) -> bool:
    """The published result: everyone who may read the contest. The count before publication: staff, once
    voting has closed (they certify it). Never while voting is open."""
    if contest.phase in (Phase.ANNOUNCED, Phase.CLOSED):
        return True
    if contest.phase == Phase.COUNTING:
        return permissions.can_manage(communities.membership_of(user, contest.community_id), contest.community_id)
    return False


def result(user: User, contest: Contest) -> Result | None:
    """The result the user may see now: the published one, or for staff during counting the recount."""
    visible(user, contest)
    sync(contest)
    if not can_see_count(user, contest):
        return None
    return _result(contest)


def _result(contest: Contest) -> Result | None:
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


def certify(user: User, contest: Contest, role) -> Contest:
    """A staff member signs the count as counter or scrutineer; the second signature (another person)
    publishes it, and the contest enters 公示 for at least seven days."""
    actor = visible(user, contest)
    if not permissions.can_manage(actor.member, contest.community_id):
        raise Forbidden(_l("Only community staff count and scrutinise the vote."))
    try:
        role = CertifierRole(role)
    except ValueError:
        raise DomainError("bad_request", _l("Choose counter or scrutineer."), field="role") from None
    sync(contest)
    if contest.phase != Phase.COUNTING:
        raise DomainError("wrong_phase", _l("The count is certified during counting."), status=409)
    poll = poll_of(contest)
    try:
        voting.certify(poll, user.id, role)
    except DomainError:
        db.session.rollback()
        raise
    audit.record(user, "contest.certify", contest, community_id=contest.community_id, role=role.value)
    if poll.state == PollState.PUBLISHED:
        now = utcnow()
        contest.phase = Phase.ANNOUNCED
        if contest.announced_ends < now + MIN_ANNOUNCEMENT:
            contest.announced_ends = end_of_day(last_day(now + MIN_ANNOUNCEMENT))
        audit.record(
            user,
            "contest.phase",
            contest,
            community_id=contest.community_id,
            old="counting",
            new="announced",
            by="publication",
        )
        db.session.flush()
        emit_after_commit("results", result_dict(contest, _result(contest)), namespace=NAMESPACE, to=contest.room)
        emit_after_commit(
            "phase", {"contest_id": contest.id, "phase": "announced"}, namespace=NAMESPACE, to=contest.room
        )
    db.session.commit()
    return contest


# -- objections during 公示 --------------------------------------------------------------------------


def object_to(user: User, contest: Contest, *, client_id, body) -> Objection:
    actor = visible(user, contest)
    if not permissions.can_object(actor.member, contest.community_id):
        raise Forbidden(_l("Only verified members can raise an objection."))
    sync(contest)
    if contest.phase != Phase.ANNOUNCED:
        raise DomainError("wrong_phase", _l("Objections are raised during the 公示 period."), status=409)
    try:
        objection = voting.object_to(poll_of(contest), user.id, client_id=client_id, body=body)
        audit.record(user, "contest.object", contest, community_id=contest.community_id)
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
    return objection


def objections(contest: Contest) -> list[Objection]:
    poll = poll_of(contest)
    return voting.objections(poll) if poll is not None else []


def get_objection(contest: Contest, objection_id) -> Objection:
    objection = db.session.get(Objection, objection_id) if isinstance(objection_id, int) else None
    if objection is None or objection.poll_id != contest.poll_id:
        raise NotFound()
    return objection


def answer_objection(user: User, contest: Contest, objection: Objection, answer) -> Objection:
    actor = visible(user, contest)
    if not permissions.can_manage(actor.member, contest.community_id):
        raise Forbidden(_l("Only community staff answer objections."))
    if objection.poll_id != contest.poll_id:
        raise NotFound()
    try:
        voting.answer_objection(objection, user.id, answer)
        audit.record(user, "contest.answer", contest, community_id=contest.community_id, objection_id=objection.id)
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
    return objection


# -- winners become micro-projects -----------------------------------------------------------------


def grant_winners(user: User, contest: Contest) -> list:
    """After 公示 (closed), staff turn each winning entry into a micro-project granted its budget from the
    contest's fund year, in the author's name, linked both ways. A winner already granted is skipped, and
    a retry grants nothing twice (the project's client id is the entry's). Each grant is its own
    transaction: if the fund runs out, the winners granted so far stay granted and the error says so."""
    from app.communities import access
    from app.microprojects import services as microprojects

    actor = visible(user, contest)
    if not permissions.can_manage(actor.member, contest.community_id):
        raise Forbidden(_l("Only community staff grant the winners."))
    sync(contest)
    if contest.phase != Phase.CLOSED:
        raise DomainError("wrong_phase", _l("Winners are granted once 公示 has ended."), status=409)
    community = db.session.get(Community, contest.community_id)
    projects = []
    for entry in _result(contest).winners:
        if entry.project_id is not None:
            continue
        project = microprojects.create_granted(
            access.viewer(user, community),
            applicant=entry.author,
            title=entry.title,
            purpose=entry.summary if len(entry.summary) >= 10 else f"{entry.summary}（{contest.title}）",
            lines=[(entry.title[:100], 1, entry.budget_fen)],
            granted_fen=entry.budget_fen,
            year=contest.fund_year,
            source_note=str(_l("%(contest)s, winning entry #%(id)d", contest=contest.title, id=entry.id)),
            client_id=f"contest-entry-{entry.id}",
        )
        entry.project_id = project.id
        audit.record(user, "contest.grant", entry, community_id=contest.community_id, project_id=project.id)
        db.session.commit()
        projects.append(project)
    return projects


def entries_from_idea(idea_id: int) -> list[Entry]:
    """The contest entries made from a golden idea (for the idea's page)."""
    return list(db.session.scalars(select(Entry).where(Entry.idea_id == idea_id).order_by(Entry.id)))


def entry_of_project(project_id: int) -> Entry | None:
    """The contest entry a micro-project was granted for, if any (for the project's page)."""
    return db.session.scalar(select(Entry).where(Entry.project_id == project_id))


# -- serialising for the socket ---------------------------------------------------------------------


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


def room_state(user: User, contest: Contest) -> dict:
    visible(user, contest)
    sync(contest)
    state = {"contest": contest_dict(contest), "turnout": turnout(contest)}
    if contest.phase in (Phase.ANNOUNCED, Phase.CLOSED):
        res = _result(contest)
        if res is not None:
            state["results"] = result_dict(contest, res)
    return state
