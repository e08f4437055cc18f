"""Named votes online and paper ballots entered twice and reconciled: one ballot per person on the roll."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.communities.access import Viewer
from app.communities.models import HouseholdOwner
from app.core import audit, validation
from app.core.clock import local_today
from app.core.errors import Conflict, DomainError, Forbidden, NotFound
from app.decisions import permissions
from app.decisions.models import POLL_TYPE, Choice, Decision, DecisionState, PaperEntry, Proxy, RollEntry
from app.decisions.services.common import parse_choice, poll_of, require_counter
from app.decisions.services.roll import roll_of
from app.extensions import db
from app.voting import services as voting
from app.voting.models import Ballot, Poll


def lock(entry: RollEntry) -> RollEntry:
    """Take the roll entry's row for this transaction: one person's online vote and paper entries serialise."""
    return db.session.scalar(
        select(RollEntry).where(RollEntry.id == entry.id).with_for_update().execution_options(populate_existing=True)
    )


def ballot_of(decision: Decision, entry: RollEntry) -> Ballot | None:
    return db.session.scalar(
        select(Ballot).where(
            Ballot.poll_type == POLL_TYPE, Ballot.poll_id == decision.id, Ballot.voter_key == entry.voter_key
        )
    )


def voter_entry(user: User | None, decision: Decision) -> RollEntry | None:
    """The roll entry this user votes for: theirs by account, or by the owner row linked to them since the roll
    was frozen (an owner verified after voting opened)."""
    if user is None or getattr(user, "id", None) is None or decision.state == DecisionState.DRAFT:
        return None
    entry = db.session.scalar(
        select(RollEntry).where(RollEntry.decision_id == decision.id, RollEntry.voter_user_id == user.id)
    )
    if entry is not None:
        return entry
    return db.session.scalar(
        select(RollEntry)
        .join(HouseholdOwner, HouseholdOwner.id == RollEntry.owner_id)
        .where(RollEntry.decision_id == decision.id, HouseholdOwner.user_id == user.id)
        .order_by(RollEntry.id)
    )


def open_poll_of(decision: Decision) -> Poll:
    poll = poll_of(decision)
    if decision.state != DecisionState.VOTING or poll is None:
        raise DomainError("wrong_phase", _l("Voting on this decision is not open."), status=409)
    return poll


def _pending_paper(entry: RollEntry) -> list[PaperEntry]:
    return list(
        db.session.scalars(
            select(PaperEntry)
            .where(PaperEntry.roll_entry_id == entry.id, PaperEntry.counted.is_(False))
            .order_by(PaperEntry.id)
        )
    )


def entry_of_voter(viewer: Viewer, decision: Decision) -> RollEntry:
    """The roll entry the viewer votes for; NotFound or Forbidden (saying why) otherwise."""
    if decision.community_id != viewer.community_id:
        raise NotFound()
    if not viewer.is_verified:
        raise Forbidden(_l("Only verified owners on this decision's roll vote."))
    entry = voter_entry(viewer.user, decision) if permissions.is_owner(viewer) else None
    if entry is None:
        if decision.state == DecisionState.DRAFT:
            raise NotFound()
        raise Forbidden(
            _l("You are not on this decision's roll of owners (a co-owned unit votes through its representative).")
        )
    return entry


def check_voting_period(decision: Decision) -> None:
    if local_today() > decision.voting_ends_on:
        raise DomainError(
            "voting_ended",
            _l(
                "Online voting ended on %(date)s. Paper ballots handed in by then are still being entered.",
                date=decision.voting_ends_on.isoformat(),
            ),
            status=409,
        )


def review_vote(viewer: Viewer, decision: Decision, choice) -> Choice:
    """The review step before a vote that cannot be changed: every check `vote` makes, nothing cast. Returns
    the parsed choice, for the page that asks "You chose: agree. Send it?"."""
    entry = entry_of_voter(viewer, decision)
    choice = parse_choice(choice)
    open_poll_of(decision)
    if ballot_of(decision, entry) is None:
        check_voting_period(decision)
        _refuse_if_proxy(entry)
    return choice


def vote(viewer: Viewer, decision: Decision, choice) -> Ballot:
    """An owner on the roll votes by name: 同意, 反对 or 弃权. A retry returns the same ballot and receipt."""
    entry = entry_of_voter(viewer, decision)
    choice = parse_choice(choice)
    open_poll_of(decision)
    entry = lock(entry)
    if ballot_of(decision, entry) is None:
        _refuse_if_proxy(entry)
    return cast_for(decision, entry, choice, voter_id=viewer.user_id)


def active_proxy(entry: RollEntry) -> Proxy | None:
    """The roll entry's proxy, if one is appointed and not revoked."""
    return db.session.scalar(select(Proxy).where(Proxy.roll_entry_id == entry.id, Proxy.revoked_at.is_(None)))


def _refuse_if_proxy(entry: RollEntry) -> None:
    """While an owner's proxy holds their vote, the owner does not vote as well (one vote per unit)."""
    if active_proxy(entry) is not None:
        raise Conflict(
            "proxy_appointed",
            _l("You have appointed a proxy to vote for you. Revoke the appointment first to vote yourself."),
        )


_REFUSALS = {
    False: {
        "paper_counted": _l("Your paper ballot has been counted; you cannot vote online as well."),
        "paper_pending": _l(
            "Your paper ballot has been handed in and is being entered; you cannot vote online as well."
        ),
    },
    True: {
        "paper_counted": _l("This owner's paper ballot has been counted; it cannot be voted again by proxy."),
        "paper_pending": _l("This owner's paper ballot is being entered; it cannot be voted again by proxy."),
    },
}


def cast_for(decision: Decision, entry: RollEntry, choice: Choice, *, voter_id, by_proxy: bool = False) -> Ballot:
    """The one online path into the poll for a roll entry, by the owner or by their proxy (`by_proxy`: in the
    owner's name, marked in the chain). The entry's row is taken first; a retry returns the same ballot."""
    poll = open_poll_of(decision)
    entry = lock(entry)
    existing = ballot_of(decision, entry)
    if existing is None:
        check_voting_period(decision)
    if existing is not None:
        if existing.entered_by_id is not None:
            raise Conflict("paper_counted", _REFUSALS[by_proxy]["paper_counted"])
        if existing.choice != choice.value:
            raise Conflict("already_voted", voting.ALREADY_VOTED)
        return existing
    if _pending_paper(entry):
        raise Conflict("paper_pending", _REFUSALS[by_proxy]["paper_pending"])
    ballot = voting.cast(
        poll,
        voter_key=entry.voter_key,
        choice=choice.value,
        voter_id=voter_id,
        building_id=entry.building_id,
        weight_area=entry.area,
        weight_heads=entry.heads,
        by_proxy=by_proxy,
    )
    db.session.flush()
    return ballot


# -- paper ballots ----------------------------------------------------------------------------------


@dataclass
class PaperState:
    """One roll entry's paper entries and where they stand."""

    entry: RollEntry
    papers: list[PaperEntry]
    ballot: Ballot | None

    @property
    def status(self) -> str:
        if self.ballot is not None:
            return "counted"
        open_papers = [p for p in self.papers if not p.counted]
        if len(open_papers) >= 2:
            return "disputed"
        return "pending" if open_papers else "none"


def paper_entry(decision: Decision, roll_entry_id) -> RollEntry:
    entry = db.session.get(RollEntry, roll_entry_id) if isinstance(roll_entry_id, int) else None
    if entry is None or entry.decision_id != decision.id:
        raise DomainError("bad_roll_entry", _l("Choose an owner on this decision's roll."), field="roll_entry")
    return entry


def enter_paper(viewer: Viewer, decision: Decision, *, roll_entry_id, choice, client_id) -> PaperState:
    """A counter enters one paper ballot. It counts when a second, different counter enters the same choice;
    different choices are flagged for reconciliation (a third entry, or a correction, settles them)."""
    require_counter(viewer, decision)
    open_poll_of(decision)
    choice = parse_choice(choice)
    client_id = validation.client_id(client_id)
    entry = lock(paper_entry(decision, roll_entry_id))
    mine = db.session.scalar(
        select(PaperEntry).where(PaperEntry.roll_entry_id == entry.id, PaperEntry.counter_id == viewer.user_id)
    )
    if mine is not None:
        if mine.client_id == client_id:
            return paper_state(decision, entry)  # a retry
        raise Conflict(
            "same_counter",
            _l("You have entered this owner's paper ballot already; a second, different counter must enter it."),
        )
    existing = ballot_of(decision, entry)
    if existing is not None:
        if existing.entered_by_id is None:
            raise Conflict("voted_online", _l("This owner has voted online; a paper ballot for them cannot count."))
        raise Conflict("paper_counted", _l("This owner's paper ballot has been counted already."))
    paper = PaperEntry(
        decision_id=decision.id, roll_entry_id=entry.id, counter_id=viewer.user_id, client_id=client_id, choice=choice
    )
    try:
        with db.session.begin_nested():
            db.session.add(paper)
    except IntegrityError:
        raise Conflict(
            "same_counter",
            _l("You have entered this owner's paper ballot already; a second, different counter must enter it."),
        ) from None
    audit.record(
        viewer.user,
        "decision.paper_entry",
        decision,
        community_id=decision.community_id,
        roll_entry=entry.id,
        choice=choice,
    )
    _reconcile(decision, entry, viewer.user)  # a refusal here: the edge rolls the entry back with it
    db.session.flush()
    return paper_state(decision, entry)


def correct_paper(viewer: Viewer, decision: Decision, paper_id, choice) -> PaperState:
    """A counter corrects their own entry of a ballot not yet counted (after rechecking the paper with the other
    counter); if it now agrees with another counter's entry, the ballot counts. The first reading is kept."""
    require_counter(viewer, decision)
    open_poll_of(decision)
    choice = parse_choice(choice)
    paper = db.session.get(PaperEntry, paper_id) if isinstance(paper_id, int) else None
    if paper is None or paper.decision_id != decision.id:
        raise NotFound()
    if paper.counter_id != viewer.user_id:
        raise Forbidden(_l("Only the counter who made an entry corrects it."))
    entry = lock(paper.roll_entry)
    db.session.refresh(paper)
    if paper.counted:
        raise Conflict("paper_counted", _l("This owner's paper ballot has been counted already."))
    if paper.choice != choice:
        if paper.corrected_from is None:
            paper.corrected_from = paper.choice
        paper.choice = choice
        audit.record(
            viewer.user,
            "decision.paper_correct",
            decision,
            community_id=decision.community_id,
            roll_entry=entry.id,
            choice=choice,
        )
        db.session.flush()
        _reconcile(decision, entry, viewer.user)
    db.session.flush()
    return paper_state(decision, entry)


def _reconcile(decision: Decision, entry: RollEntry, counter: User) -> Ballot | None:
    """Cast the ballot once two different counters' open entries agree (entries are one per counter)."""
    papers = _pending_paper(entry)
    by_choice: dict[Choice, list[PaperEntry]] = {}
    for paper in papers:
        by_choice.setdefault(Choice(paper.choice), []).append(paper)
    agreed = next((c for c, same in by_choice.items() if len({p.counter_id for p in same}) >= 2), None)
    if agreed is None:
        return None
    ballot = voting.cast(
        open_poll_of(decision),
        voter_key=entry.voter_key,
        choice=agreed.value,
        voter_id=None,
        building_id=entry.building_id,
        weight_area=entry.area,
        weight_heads=entry.heads,
        entered_by_id=counter.id,
    )
    for paper in papers:
        paper.counted = True
    db.session.flush()
    return ballot


def paper_state(decision: Decision, entry: RollEntry) -> PaperState:
    papers = list(
        db.session.scalars(select(PaperEntry).where(PaperEntry.roll_entry_id == entry.id).order_by(PaperEntry.id))
    )
    return PaperState(entry=entry, papers=papers, ballot=ballot_of(decision, entry))


def paper_queue(decision: Decision) -> list[PaperState]:
    """Every roll entry with paper entries, those waiting (a second entry, a reconciliation) first."""
    papers = list(
        db.session.scalars(select(PaperEntry).where(PaperEntry.decision_id == decision.id).order_by(PaperEntry.id))
    )
    if not papers:
        return []
    entries = {e.id: e for e in roll_of(decision)}
    ballots = {
        b.voter_key: b
        for b in db.session.scalars(select(Ballot).where(Ballot.poll_type == POLL_TYPE, Ballot.poll_id == decision.id))
    }
    grouped: dict[int, list[PaperEntry]] = {}
    for paper in papers:
        grouped.setdefault(paper.roll_entry_id, []).append(paper)
    states = [
        PaperState(entry=entries[rid], papers=items, ballot=ballots.get(entries[rid].voter_key))
        for rid, items in grouped.items()
    ]
    order = {"disputed": 0, "pending": 1, "counted": 2, "none": 3}
    return sorted(states, key=lambda s: (order[s.status], s.entry.id))


def unsettled_paper(decision: Decision) -> int:
    return sum(1 for state in paper_queue(decision) if state.status in ("pending", "disputed"))
