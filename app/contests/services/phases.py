"""Creating a contest and its phase machine: the phase follows the dates (each date ends its phase, and
any use case that touches a contest first moves it on: `sync`); staff may move it on by hand, one phase
at a time (audited)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.communities.access import Viewer
from app.contests import permissions, signals
from app.contests.labels import PHASE_LABELS
from app.contests.models import BallotUnit, Contest, Entry, EntryStatus, Phase
from app.contests.services.common import (
    MAX_CHOICES,
    MAX_WINNERS,
    NAMESPACE,
    NEXT,
    ORDER,
    POLL_TYPE,
    check_visible,
    eligible_entries,
    poll_of,
    whole,
)
from app.core import audit, validation
from app.core.errors import Conflict, DomainError, Forbidden
from app.core.models import utcnow
from app.core.realtime import emit_after_commit
from app.extensions import db
from app.voting import services as voting


def listing(viewer: Viewer) -> list[Contest]:
    """The community's contests, newest first, each moved on to the phase its dates say."""
    if not permissions.can_view(viewer):
        raise Forbidden()
    contests = list(
        db.session.scalars(
            select(Contest).where(Contest.community_id == viewer.community_id).order_by(Contest.id.desc())
        )
    )
    for contest in contests:
        sync(contest)
    return contests


def _existing(viewer: Viewer, client_id: str) -> Contest | None:
    return db.session.scalar(
        select(Contest).where(
            Contest.community_id == viewer.community_id,
            Contest.created_by_id == viewer.user_id,
            Contest.client_id == client_id,
        )
    )


def _check_dates(dates: list, now: datetime) -> None:
    if not all(isinstance(d, datetime) and d.tzinfo is not None for d in dates):
        raise DomainError("bad_request", _l("Give the date each phase ends."), field="submission_ends")
    if dates[0] <= now:
        raise DomainError("bad_dates", _l("The submission phase must end in the future."), field="submission_ends")
    for field, earlier, later in zip(
        ("screening_ends", "voting_ends", "announced_ends"), dates[:-1], dates[1:], strict=True
    ):
        if later <= earlier:
            raise DomainError("bad_dates", _l("Each phase must end after the one before it."), field=field)


def create(
    viewer: Viewer,
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
    admits_organisations: bool = False,
    requires_guidance: bool = False,
    now: datetime | None = None,
) -> Contest:
    """Staff create a contest in the viewer's community, in its submission phase. A retry (same client_id)
    returns the first one."""
    if not permissions.can_manage(viewer):
        raise Forbidden(_l("Only community staff can create a contest."))
    client_id = validation.client_id(client_id)
    existing = _existing(viewer, client_id)
    if existing is not None:
        return existing
    title = validation.text(title, field="title", low=2, high=100, message=_l("Give a title of 2 to 100 characters."))
    description = (description or "").strip() if isinstance(description, str) else ""
    if len(description) > 5000:
        raise DomainError("bad_request", _l("The description is at most 5000 characters."), field="description")
    max_choices = whole(
        max_choices,
        field="max_choices",
        low=1,
        high=MAX_CHOICES,
        message=_l("A ballot may choose 1 to %(n)d entries.", n=MAX_CHOICES),
    )
    winner_count = whole(
        winner_count,
        field="winner_count",
        low=1,
        high=MAX_WINNERS,
        message=_l("Choose 1 to %(n)d winners.", n=MAX_WINNERS),
    )
    fund_year = whole(fund_year, field="fund_year", low=2000, high=2100, message=_l("Choose a year."))
    try:
        ballot_unit = BallotUnit(ballot_unit)
    except ValueError:
        raise DomainError("bad_request", _l("Choose who gets a ballot."), field="ballot_unit") from None
    _check_dates([submission_ends, screening_ends, voting_ends, announced_ends], now or utcnow())
    contest = Contest(
        community_id=viewer.community_id,
        created_by_id=viewer.user_id,
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
        admits_organisations=bool(admits_organisations),
        requires_guidance=bool(requires_guidance),
    )
    try:
        with db.session.begin_nested():
            db.session.add(contest)
    except IntegrityError:
        existing = _existing(viewer, client_id)
        if existing is None:
            raise
        return existing
    audit.record(viewer.user, "contest.create", contest, community_id=viewer.community_id, title=title)
    db.session.flush()
    return contest


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


def _enter(contest: Contest, to: Phase, actor, *, by: str) -> bool:
    """Move one phase on, with its effects on the poll, if no one else has just done it (then the row
    already holds the phase someone else moved it to, which the refresh reads)."""
    old = contest.phase
    moved = db.session.execute(
        update(Contest).where(Contest.id == contest.id, Contest.phase == old).values(phase=to)
    ).rowcount
    db.session.refresh(contest)
    if not moved:
        return False
    if to == Phase.VOTING:
        poll = voting.open_poll(
            community_id=contest.community_id, poll_type=POLL_TYPE, subject_id=contest.id, secret=contest.secret
        )
        contest.poll_id = poll.id
    elif to == Phase.COUNTING:
        voting.close_poll(poll_of(contest))
    audit.record(actor, "contest.phase", contest, community_id=contest.community_id, old=old.value, new=to.value, by=by)
    emit_after_commit("phase", {"contest_id": contest.id, "phase": to.value}, namespace=NAMESPACE, to=contest.room)
    db.session.flush()
    if to == Phase.VOTING:
        signals.voting_opened.send(contest, actor=actor)  # the residents who may vote are told
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


def advance(viewer: Viewer, contest: Contest, to, *, now: datetime | None = None) -> Contest:
    """Staff move the contest to its next phase before its date (audited)."""
    check_visible(viewer, contest)
    if not permissions.can_manage(viewer):
        raise Forbidden()
    try:
        to = Phase(to)
    except ValueError:
        raise DomainError("bad_request", _l("Choose a phase."), field="to") from None
    sync(contest, now)
    problem = refusal(contest, to, by_staff=True)
    if problem is not None:
        raise problem
    if not _enter(contest, to, viewer.user, by="staff"):
        raise Conflict("wrong_phase", _l("The contest has just moved on; reload the page."))
    return contest
