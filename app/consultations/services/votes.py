"""Votes on a motion: for, against or abstain, once, with a receipt (回执码).

Votes that arrive together are written together (core.batching): `write_votes` is that batch's edge and
owns its transaction (it commits: the one commit in these services, with `submit_vote` ending the caller's
transaction before it waits for the batch)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from app.accounts import sessions
from app.accounts.models import User, UserSession
from app.communities import access
from app.communities.access import Viewer
from app.communities.models import Membership
from app.consultations import permissions
from app.consultations.labels import MOTION_STATE_LABELS
from app.consultations.models import Attendance, Consultation, Motion, MotionState
from app.consultations.services.motions import eligible_attendees, with_tally
from app.consultations.services.shared import NAMESPACE, POLL, as_member, refuse
from app.core import changes
from app.core.batching import GroupCommit
from app.core.errors import DomainError, NotFound
from app.core.models import in_transaction, insert_or_ignore, utcnow
from app.core.realtime import call_after_commit, coalesced
from app.extensions import db, socketio
from app.procedure import engine
from app.procedure.engine import Choice, Refusal
from app.voting import services as voting


@dataclass(frozen=True)
class VoteRequest:
    user_id: int
    motion_id: int
    choice: object  # as submitted: checked when written
    login_id: int | None = None  # sent over a socket: the login it connected with, checked still in force


@dataclass(frozen=True)
class Voted:
    """What the voter is told: the receipt (回执码) of their ballot and the choice it holds."""

    receipt: str
    choice: str


def vote(viewer: Viewer, motion: Motion, choice) -> Voted:
    """Vote for, against or abstain, once; a retry of the same vote returns the same receipt."""
    return submit_vote(viewer.user_id, motion.id, choice)


def submit_vote(user_id: int, motion_id: int, choice, *, login_id: int | None = None) -> Voted:
    """vote() by ids: the user authenticated (and still active: checked with the batch), the motion as sent.
    A vote sent over a socket names the login the socket connected with (`login_id`): ended or expired since,
    the vote is refused (accounts.sessions).

    Votes that arrive together are written together (core.batching): a burst of a thousand votes is a
    few transactions, not a thousand. Any transaction of the session ends first, so that a vote waiting
    for its batch holds no database connection (the batch is the edge here: see the module's docstring).
    """
    if in_transaction():
        db.session.commit()
    return _vote_writer().submit(VoteRequest(user_id, motion_id, choice, login_id))


def _vote_writer() -> GroupCommit:
    extensions = current_app.extensions
    if "yishi_votes" not in extensions:
        extensions.setdefault("yishi_votes", GroupCommit(write_votes, max_batch=current_app.config["VOTE_BATCH_MAX"]))
    return extensions["yishi_votes"]


def write_votes(requests) -> list[Voted | DomainError]:
    """Check and store a batch of votes in one transaction, with the same queries for one vote or five hundred.

    Each request gets its own answer, in order: the receipt, or the refusal a single vote would have got.
    The batch is its own edge: it commits (or rolls back) here.
    """
    try:
        outcomes = _write_votes(requests)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return outcomes


def _write_votes(submitted) -> list[Voted | DomainError]:
    active, live_logins = _voters(submitted)
    # a vote from a login that has ended is refused before anything else (not merged with another's retry)
    ended = [r.login_id is not None and (r.user_id, r.login_id) not in live_logins for r in submitted]
    # a voter's retries in the same batch are one request, checked once and answered alike
    index_of: dict = {}
    for request, refused in zip(submitted, ended, strict=True):
        if not refused:
            index_of.setdefault(_same_request(request), len(index_of))
    requests = [None] * len(index_of)
    for request, refused in zip(submitted, ended, strict=True):
        if not refused:
            requests[index_of[_same_request(request)]] = request
    outcomes = _write_distinct_votes(requests, active) if requests else []
    return [
        _not_authenticated() if refused else outcomes[index_of[_same_request(request)]]
        for request, refused in zip(submitted, ended, strict=True)
    ]


def _not_authenticated() -> DomainError:
    return DomainError("not_authenticated", _l("Please log in to continue."), status=401)


def _voters(requests) -> tuple[dict[int, User], set[tuple[int, int]]]:
    """The voters still active, by id, and which of the logins the votes name are still in force, as
    (user id, login id): one query."""
    login_ids = {r.login_id for r in requests if r.login_id is not None}
    rows = db.session.execute(
        select(User, UserSession.id)
        .outerjoin(
            UserSession,
            and_(UserSession.user_id == User.id, UserSession.id.in_(login_ids), sessions.live()),
        )
        .where(User.id.in_({r.user_id for r in requests}), User.active)
    ).all()
    return {user.id: user for user, _login in rows}, {(user.id, login) for user, login in rows if login is not None}


def _same_request(request: VoteRequest) -> tuple:
    return (request.user_id, request.motion_id, request.choice if isinstance(request.choice, str) else id(request))


def _voter(user: User, member: Membership | None, consultation: Consultation) -> Viewer:
    """The voter as a viewer of the consultation's community: from the batch's memberships, or (not a
    member there: street or district staff, or nobody) by the access rule itself."""
    if member is not None:
        return as_member(member, consultation.community, user=user)
    return access.viewer(user, consultation.community)


def _checked(voter: Viewer, motion: Motion, consultation: Consultation, rules: dict, choice, prior) -> Choice | Voted:
    """Every check a vote makes, in one place: the choice, or the earlier ballot's receipt for a retry of the
    same choice (`prior`: the voter's ballot on this motion, if any). `rules` caches rule sets by consultation."""
    try:
        choice = Choice(choice)
    except ValueError:
        raise DomainError("bad_request", _l("Vote for, against or abstain."), field="choice") from None
    if prior is not None and prior.choice == choice.value:
        return Voted(prior.receipt, prior.choice)
    if consultation.id not in rules:
        rules[consultation.id] = consultation.rule_set.to_rules()
    barred = permissions.refusal_to_vote(voter, consultation)
    refusal = engine.check_vote(
        rules[consultation.id],
        is_chair=permissions.is_chair(voter, consultation),
        eligible=barred is None,
        voting_open=motion.state == MotionState.VOTING,
        already_voted=prior is not None,
        barred=barred or "not_verified",
    )
    if refusal is not None:
        state = (("state", MOTION_STATE_LABELS[motion.state]),)
        raise refuse(Refusal(refusal.code, (*refusal.params, *state)), consultation)
    return choice


def review_vote(viewer: Viewer, motion: Motion, choice) -> Choice | Voted:
    """The review step before a motion vote is cast ("You chose: for. Once sent, it cannot be changed."):
    every check the vote makes, nothing written. A Voted when the viewer already cast this very choice."""
    consultation = motion.consultation
    if not permissions.can_view(viewer, consultation):
        raise NotFound()
    receipt = voting.receipt_for(POLL, motion.id, voting.user_key(viewer.user_id))
    prior = voting.casts_by_receipt([receipt]).get(receipt)
    return _checked(viewer, motion, consultation, {}, choice, prior)


def _write_distinct_votes(requests, active: dict[int, User]) -> list[Voted | DomainError]:
    outcomes: list = [None] * len(requests)
    # each motion with its consultation and rule set, in one query: every round trip waits its turn in a busy loop
    rows = db.session.execute(
        select(Motion, Consultation)
        .join(Consultation, Consultation.id == Motion.consultation_id)
        .where(Motion.id.in_({r.motion_id for r in requests}))
        .options(
            lazyload(Motion.mover),
            lazyload(Motion.seconder),
            joinedload(Consultation.rule_set),
            joinedload(Consultation.community),
        )
    ).all()
    motions = {motion.id: motion for motion, _ in rows}
    consultations = {consultation.id: consultation for _, consultation in rows}
    by_building = any(c.building_id is not None for c in consultations.values())  # needs the voters' households
    members = {
        (m.user_id, m.community_id): m
        for m in db.session.scalars(
            select(Membership)
            .where(
                Membership.user_id.in_({r.user_id for r in requests}),
                Membership.community_id.in_({c.community_id for c in consultations.values()}),
            )
            .options(lazyload(Membership.user), *([selectinload(Membership.household)] if by_building else []))
        )
    }
    polls = voting.find_polls(POLL, motions)
    receipts = [voting.receipt_for(POLL, r.motion_id, voting.user_key(r.user_id)) for r in requests]
    existing = voting.casts_by_receipt(receipts)
    rules: dict[int, engine.Rules] = {}
    to_cast: dict[int, list[tuple[int, voting.CastRequest]]] = {}
    for index, request in enumerate(requests):
        try:
            user = active.get(request.user_id)
            if user is None:
                raise _not_authenticated()
            motion = motions.get(request.motion_id)
            consultation = consultations.get(motion.consultation_id) if motion else None
            if consultation is None:
                raise NotFound()
            voter = _voter(user, members.get((request.user_id, consultation.community_id)), consultation)
            if not permissions.can_view(voter, consultation):
                raise NotFound()
            checked = _checked(voter, motion, consultation, rules, request.choice, existing.get(receipts[index]))
            if isinstance(checked, Voted):  # a retry, even one that arrives after the vote closed: the same receipt
                outcomes[index] = checked
                continue
            choice = checked
            if motion.id not in polls:
                polls[motion.id] = voting.open_poll(
                    community_id=consultation.community_id, poll_type=POLL, subject_id=motion.id
                )
            cast = voting.CastRequest(
                voter_key=voting.user_key(request.user_id), voter_id=request.user_id, choice=choice.value
            )
            to_cast.setdefault(motion.id, []).append((index, cast))
        except DomainError as err:
            outcomes[index] = err
    attended, counted = [], set()  # counted: the attended who may vote, as the live count would find them
    communities = set()  # the attended's communities
    for motion_id, entries in to_cast.items():
        cast = voting.cast_many(polls[motion_id], [c for _, c in entries], existing=existing)
        consultation = consultations[motions[motion_id].consultation_id]
        for (index, request), ballot in zip(entries, cast, strict=True):
            if isinstance(ballot, DomainError):
                outcomes[index] = ballot
            else:
                outcomes[index] = Voted(ballot.receipt, ballot.choice)
                attended.append((consultation.id, request.voter_id))
                communities.add(consultation.community_id)
                if members.get((request.voter_id, consultation.community_id)) is not None and not (
                    consultation.rule_set.chair_neutral and request.voter_id == consultation.chair_id
                ):
                    counted.add((consultation.id, request.voter_id))
    if attended:
        _attend(attended, counted, communities)
    for motion_id in to_cast:
        room = consultations[motions[motion_id].consultation_id].room
        call_after_commit(
            lambda m=motion_id, r=room: coalesced.request(("motion", m), lambda: _broadcast_votes_cast(m, r))
        )
    return outcomes


def _attend(attended: list[tuple[int, int]], counted: set[tuple[int, int]], communities: set[int]) -> None:
    """The voters come into the room (attendance), those not there yet in one statement. The new rows of the
    voters the batch has just found may vote (`counted`: a member, not a neutral chair, whom the vote's own
    checks let vote: what eligible_attendees asks of each) are noted for the live count once committed, so
    that it need not load their memberships again: in a burst every vote brings its voter in. `communities`:
    the consultations' (core.changes: what is kept from their rows, the dashboards' snapshots, goes stale)."""
    table = Attendance.__table__
    new = db.session.execute(
        changes.within(
            insert_or_ignore(table).returning(table.c.id, table.c.consultation_id, table.c.user_id), communities
        ),
        [{"consultation_id": c, "user_id": u, "first_seen_at": utcnow()} for c, u in sorted(set(attended))],
    ).all()
    known: dict[int, set[int]] = {}
    for attendance_id, consultation_id, user_id in new:
        if (consultation_id, user_id) in counted:
            known.setdefault(consultation_id, set()).add(attendance_id)
    if known:
        kept = _known_eligible()
        call_after_commit(lambda: [kept.setdefault(c, set()).update(ids) for c, ids in known.items()])


def _known_eligible() -> dict[int, set[int]]:
    """Attendance rows (by consultation) that a batch of votes found may vote, not yet counted live."""
    return current_app.extensions.setdefault("yishi_live_known", {})


def _broadcast_votes_cast(motion_id: int, room: str) -> None:
    """The motion with how many have voted so far (never how): sent at most a few times a second."""
    motion = db.session.get(Motion, motion_id)
    if motion is None:
        return
    payload = with_tally(motion.consultation, motion, eligible=live_eligible)
    socketio.emit("motion", payload, namespace=NAMESPACE, to=room)


LIVE_ELIGIBLE_REBUILD_SECONDS = 10.0


def live_eligible(consultation: Consultation) -> int:
    """How many may vote, for the live count while the votes come in: kept per process, adding only those who
    came into the room since the last broadcast (every vote brings its voter in), and counted again from the
    start every LIVE_ELIGIBLE_REBUILD_SECONDS, so that a member who may no longer vote drops out within
    seconds. Counting the whole attendance for each broadcast took a tenth of the process in a burst of a
    thousand votes (bench/NOTES.md). The result is counted in full (count_the_vote), never from this."""
    kept = current_app.extensions.setdefault("yishi_live_eligible", {})
    now = time.monotonic()
    after, count, built = kept.get(consultation.id, (0, 0, None))
    if built is None or now - built > LIVE_ELIGIBLE_REBUILD_SECONDS:
        after, count, built = 0, 0, now
    known = _known_eligible().get(consultation.id, set())
    added, after = eligible_attendees(consultation, after, known=frozenset(known))
    known.difference_update([i for i in known if i <= after])  # counted now (or before: a late note)
    # the pair (last attendance row, count up to it) is stored together: two broadcasts counting at once store
    # the same pair, or an older but consistent one
    kept[consultation.id] = (after, count + added, built)
    return count + added
