"""Owners' decision use cases: thresholds, drafting, freezing the roll, named votes online, paper ballots
entered twice and reconciled, closing, certification and publication (公示), objections.

The counting rules (art. 278, 法释〔2009〕7号 arts. 8–9) are `app.voting.tally`'s; this module decides who
is a person on the roll and who votes for them, and keeps online and paper ballots to one per person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.communities import services as communities
from app.communities.models import Building, Community, Household, HouseholdOwner, Role
from app.core import audit, validation
from app.core.clock import local_today
from app.core.errors import Conflict, DomainError, Forbidden, NotFound
from app.core.markup import render_markdown
from app.core.models import utcnow
from app.core.shares import parse_share  # noqa: F401  (callers move to core.shares)
from app.decisions import permissions
from app.decisions.models import (
    POLL_TYPE,
    Choice,
    Decision,
    DecisionRules,
    DecisionState,
    PaperEntry,
    RollEntry,
)
from app.extensions import db
from app.voting import services as voting
from app.voting import tally
from app.voting.models import Ballot, CertifierRole, Objection, Poll, PollState

MAX_PUBLICITY_DAYS = 60
MAX_VOTING_DAYS = 366


def _member(user: User | None, community_id: int):
    return communities.membership_of(user, community_id)


def _require_counter(user: User, community_id: int):
    member = _member(user, community_id)
    if not permissions.can_count(member, community_id):
        raise Forbidden(_l("Only the owners' committee and community staff run and count owners' decisions."))
    return member


def _choice(value) -> Choice:
    try:
        return Choice(value)
    except ValueError:
        raise DomainError("bad_choice", _l("Choose agree, oppose or abstain."), field="choice") from None


# -- stricter thresholds ----------------------------------------------------------------------------


def check_not_laxer(thresholds: tally.Thresholds) -> None:
    """Refuse thresholds laxer than the law's least demanding ones (≥ 2/3 taking part; more than half agreeing)."""
    law = tally.legal_thresholds(1)  # the general rule; items 6–8 only ask more, which stricter_of keeps
    if thresholds.participation < law.participation:
        raise DomainError(
            "laxer_than_law",
            _l("Participation cannot be set below the law's 2/3 of the area and of the owners."),
            field="participation",
        )
    if thresholds.approval < law.approval or (thresholds.approval == law.approval and thresholds.approval_inclusive):
        raise DomainError(
            "laxer_than_law",
            _l("Approval cannot be laxer than the law's: more than half of those taking part (exactly half fails)."),
            field="approval",
        )


def rules_of(community_id: int) -> DecisionRules | None:
    return db.session.scalar(select(DecisionRules).where(DecisionRules.community_id == community_id))


def set_rules(
    user: User, community: Community, *, participation: Fraction | None, approval: Fraction | None, inclusive: bool
) -> DecisionRules | None:
    """The owners' committee or staff record the community's own, stricter thresholds (or clear them)."""
    _require_counter(user, community.id)
    rules = rules_of(community.id)
    if participation is None and approval is None:
        if rules is not None:
            db.session.delete(rules)
            audit.record(user, "decision_rules.clear", community, community_id=community.id)
            db.session.commit()
        return None
    law = tally.legal_thresholds(1)
    thresholds = tally.Thresholds(
        participation=participation if participation is not None else law.participation,
        approval=approval if approval is not None else law.approval,
        approval_inclusive=bool(inclusive) if approval is not None else law.approval_inclusive,
    )
    check_not_laxer(thresholds)
    if rules is None:
        rules = DecisionRules(community_id=community.id)
        db.session.add(rules)
    rules.set_stricter(thresholds)
    rules.updated_by_id = user.id
    audit.record(
        user,
        "decision_rules.set",
        community,
        community_id=community.id,
        participation=str(thresholds.participation),
        approval=str(thresholds.approval),
        inclusive=thresholds.approval_inclusive,
    )
    db.session.commit()
    return rules


def thresholds_for(decision: Decision) -> tally.Thresholds:
    """The thresholds a decision is counted against: the law's for its matter, or the community's if stricter
    (frozen into the decision when voting opened; until then, the community's current ones)."""
    stricter = decision.stricter
    if decision.state == DecisionState.DRAFT:
        rules = rules_of(decision.community_id)
        stricter = rules.stricter if rules is not None else None
    return tally.legal_thresholds(decision.matter).stricter_of(stricter)


# -- drafting ---------------------------------------------------------------------------------------


def get(decision_id) -> Decision:
    decision = db.session.get(Decision, decision_id) if isinstance(decision_id, int) else None
    if decision is None:
        raise NotFound()
    return decision


def visible(user: User, decision: Decision):
    """The reader's membership (None for an overseer); NotFound for anyone else, and for a draft unless a counter."""
    member = _member(user, decision.community_id)
    oversees = decision.community_id in communities.overseen_community_ids(user)
    if not permissions.can_view(member, decision.community_id, oversees=oversees):
        raise NotFound()
    if decision.state == DecisionState.DRAFT and not permissions.can_count(member, decision.community_id):
        raise NotFound()
    return member


def decisions_of(user: User, community: Community) -> list[Decision]:
    """A community's decisions, newest first; drafts only for counters."""
    query = select(Decision).where(Decision.community_id == community.id).order_by(Decision.id.desc())
    if not permissions.can_count(_member(user, community.id), community.id):
        query = query.where(Decision.state != DecisionState.DRAFT)
    return list(db.session.scalars(query))


def _fields(matter, title, body, starts_on, ends_on, publicity_days) -> dict:
    if not isinstance(matter, int) or matter not in tally.MATTERS:
        raise DomainError("bad_matter", _l("Choose one of the matters of art. 278 (items 1 to 9)."), field="matter")
    title = (title or "").strip()
    if not 4 <= len(title) <= 100:
        raise DomainError("bad_request", _l("Give a title of 4 to 100 characters."), field="title")
    body = (body or "").strip()
    if not 10 <= len(body) <= 20000:
        raise DomainError("bad_request", _l("Write the text put to the owners (10 to 20000 characters)."), field="body")
    if not isinstance(starts_on, date) or not isinstance(ends_on, date):
        raise DomainError("bad_dates", _l("Give the first and the last day of voting."), field="voting_starts_on")
    if ends_on < starts_on:
        raise DomainError("bad_dates", _l("The last day of voting cannot be before the first."), field="voting_ends_on")
    if (ends_on - starts_on).days > MAX_VOTING_DAYS:
        raise DomainError("bad_dates", _l("Voting can last at most a year."), field="voting_ends_on")
    if not isinstance(publicity_days, int) or not 1 <= publicity_days <= MAX_PUBLICITY_DAYS:
        raise DomainError("bad_request", _l("The 公示 period is 1 to 60 days."), field="publicity_days")
    return {
        "matter": matter,
        "title": title,
        "body": body,
        "body_html": render_markdown(body),
        "voting_starts_on": starts_on,
        "voting_ends_on": ends_on,
        "publicity_days": publicity_days,
    }


def create(
    user: User,
    community: Community,
    *,
    client_id: str,
    matter: int,
    title: str,
    body: str,
    starts_on: date,
    ends_on: date,
    publicity_days: int,
) -> Decision:
    """Draft a decision on one art. 278 matter (idempotent on client_id)."""
    _require_counter(user, community.id)
    client_id = validation.client_id(client_id)
    existing = db.session.scalar(
        select(Decision).where(
            Decision.community_id == community.id, Decision.created_by_id == user.id, Decision.client_id == client_id
        )
    )
    if existing is not None:
        return existing
    values = _fields(matter, title, body, starts_on, ends_on, publicity_days)
    decision = Decision(community_id=community.id, created_by_id=user.id, client_id=client_id, **values)
    try:
        with db.session.begin_nested():
            db.session.add(decision)
    except IntegrityError:
        db.session.rollback()
        existing = db.session.scalar(
            select(Decision).where(
                Decision.community_id == community.id,
                Decision.created_by_id == user.id,
                Decision.client_id == client_id,
            )
        )
        if existing is None:
            raise
        return existing
    db.session.flush()
    audit.record(user, "decision.create", decision, community_id=community.id, matter=matter)
    db.session.commit()
    return decision


def update(
    user: User,
    decision: Decision,
    *,
    matter: int,
    title: str,
    body: str,
    starts_on: date,
    ends_on: date,
    publicity_days: int,
) -> Decision:
    """Revise a draft; once voting opens, the text and the roll are fixed."""
    _require_counter(user, decision.community_id)
    if decision.state != DecisionState.DRAFT:
        raise DomainError("wrong_phase", _l("Voting has opened: the decision can no longer be changed."), status=409)
    for name, value in _fields(matter, title, body, starts_on, ends_on, publicity_days).items():
        setattr(decision, name, value)
    audit.record(user, "decision.update", decision, community_id=decision.community_id)
    db.session.commit()
    return decision


# -- the roll of owners -----------------------------------------------------------------------------


def unit_voter(household: Household) -> HouseholdOwner | None:
    """Who votes for a unit: its designated representative, or its only owner (None if neither)."""
    representative = household.representative
    if representative is not None:
        return representative
    return household.owners[0] if len(household.owners) == 1 else None


def person_key(owner: HouseholdOwner, phone_users: dict[str, int]) -> str:
    """One person on the roll: their account if linked (or an account linked under the same phone on another
    unit), else their phone, else this owner row. ≤ 40 characters."""
    if owner.user_id is not None:
        return f"user:{owner.user_id}"
    if owner.phone and owner.phone in phone_users:
        return f"user:{phone_users[owner.phone]}"
    if owner.phone:
        return f"phone:{owner.phone}"
    return f"owner:{owner.id}"


@dataclass(frozen=True)
class DraftRoll:
    entries: list[RollEntry]
    area: int
    heads: int


def draft_roll(community_id: int) -> DraftRoll:
    """The roll as the household register makes it now (not stored): one entry per person, per 法释〔2009〕7号."""
    households = list(
        db.session.scalars(
            select(Household)
            .join(Building, Building.id == Household.building_id)
            .where(Household.community_id == community_id)
            .options(selectinload(Household.owners))
            .order_by(Building.sort_order, Building.id, Household.unit, Household.room, Household.id)
        )
    )
    building_names = dict(
        db.session.execute(select(Building.id, Building.name).where(Building.community_id == community_id)).all()
    )
    phone_users: dict[str, int] = {}
    for household in households:
        for owner in household.owners:
            if owner.user_id is not None and owner.phone:
                phone_users.setdefault(owner.phone, owner.user_id)
    units, voters, by_id = [], {}, {}
    for household in households:
        by_id[household.id] = household
        voter = None if household.developer_unsold else unit_voter(household)
        who = None
        if voter is not None:
            key = person_key(voter, phone_users)
            who = (key, voter.id, voter.user_id or phone_users.get(voter.phone or ""))
            voters.setdefault(key, voter)
        units.append(
            tally.Unit(
                household_id=household.id,
                area=household.area_centi_m2,
                developer_unsold=household.developer_unsold,
                voter=who,
                building_id=household.building_id,
            )
        )
    entries = []
    for person in tally.build_roll(units):
        voter = voters.get(person.key)
        entries.append(
            RollEntry(
                key=person.key,
                name=voter.name if voter is not None else "",
                phone=voter.phone if voter is not None else None,
                household_ids=list(person.household_ids),
                households=[
                    [building_names.get(by_id[h].building_id, ""), by_id[h].unit, by_id[h].room]
                    for h in person.household_ids
                ],
                area=person.area,
                heads=person.heads,
                owner_id=person.owner_id,
                voter_user_id=person.user_id,
                building_id=person.building_id,
                developer=person.key == tally.DEVELOPER_KEY,
            )
        )
    return DraftRoll(entries=entries, area=sum(e.area for e in entries), heads=sum(e.heads for e in entries))


def roll_of(decision: Decision) -> list[RollEntry]:
    return list(
        db.session.scalars(select(RollEntry).where(RollEntry.decision_id == decision.id).order_by(RollEntry.id))
    )


def poll_of(decision: Decision) -> Poll | None:
    return voting.find_poll(POLL_TYPE, decision.id)


def open_voting(user: User, decision: Decision) -> Decision:
    """Freeze the roll from the household register and the thresholds from the community's rules, and open
    the poll: its chain head at opening is shown to the counters."""
    _require_counter(user, decision.community_id)
    if decision.state != DecisionState.DRAFT:
        raise DomainError("wrong_phase", _l("Voting on this decision has opened already."), status=409)
    roll = draft_roll(decision.community_id)
    if not roll.entries:
        raise DomainError(
            "empty_roll", _l("The household register has no units yet: import it before opening a vote."), status=409
        )
    for entry in roll.entries:
        entry.decision_id = decision.id
        db.session.add(entry)
    rules = rules_of(decision.community_id)
    decision.set_stricter(rules.stricter if rules is not None else None)
    decision.roll_area, decision.roll_heads = roll.area, roll.heads
    decision.state = DecisionState.VOTING
    decision.opened_at = utcnow()
    voting.open_poll(community_id=decision.community_id, poll_type=POLL_TYPE, subject_id=decision.id, secret=False)
    audit.record(
        user, "decision.open", decision, community_id=decision.community_id, roll_area=roll.area, roll_heads=roll.heads
    )
    db.session.commit()
    return decision


def _lock(entry: RollEntry) -> RollEntry:
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


def _open_poll(decision: Decision) -> Poll:
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


def vote(user: User, decision: Decision, choice) -> Ballot:
    """An owner on the roll votes by name: 同意, 反对 or 弃权. A retry returns the same ballot and receipt."""
    member = _member(user, decision.community_id)
    if member is None or not member.is_verified:
        raise Forbidden(_l("Only verified owners on this decision's roll vote."))
    entry = voter_entry(user, decision) if member.has_role(Role.OWNER) else None
    if entry is None:
        if decision.state == DecisionState.DRAFT:
            raise NotFound()
        raise Forbidden(
            _l("You are not on this decision's roll of owners (a co-owned unit votes through its representative).")
        )
    choice = _choice(choice)
    poll = _open_poll(decision)
    entry = _lock(entry)
    existing = ballot_of(decision, entry)
    if existing is None and local_today() > decision.voting_ends_on:
        raise DomainError(
            "voting_ended",
            _l(
                "Online voting ended on %(date)s. Paper ballots handed in by then are still being entered.",
                date=decision.voting_ends_on.isoformat(),
            ),
            status=409,
        )
    if existing is not None:
        if existing.entered_by_id is not None:
            raise Conflict("paper_counted", _l("Your paper ballot has been counted; you cannot vote online as well."))
        if existing.choice != choice.value:
            raise Conflict("already_voted", voting.ALREADY_VOTED)
        return existing
    if _pending_paper(entry):
        raise Conflict(
            "paper_pending",
            _l("Your paper ballot has been handed in and is being entered; you cannot vote online as well."),
        )
    ballot = voting.cast(
        poll,
        voter_key=entry.voter_key,
        choice=choice.value,
        voter_id=user.id,
        building_id=entry.building_id,
        weight_area=entry.area,
        weight_heads=entry.heads,
    )
    db.session.commit()
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


def enter_paper(counter: User, decision: Decision, *, roll_entry_id, choice, client_id) -> PaperState:
    """A counter enters one paper ballot. It counts when a second, different counter enters the same choice;
    different choices are flagged for reconciliation (a third entry, or a correction, settles them)."""
    _require_counter(counter, decision.community_id)
    _open_poll(decision)
    choice = _choice(choice)
    client_id = validation.client_id(client_id)
    entry = _lock(paper_entry(decision, roll_entry_id))
    mine = db.session.scalar(
        select(PaperEntry).where(PaperEntry.roll_entry_id == entry.id, PaperEntry.counter_id == counter.id)
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
        decision_id=decision.id, roll_entry_id=entry.id, counter_id=counter.id, client_id=client_id, choice=choice
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
        counter,
        "decision.paper_entry",
        decision,
        community_id=decision.community_id,
        roll_entry=entry.id,
        choice=choice,
    )
    try:
        _reconcile(decision, entry, counter)
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    return paper_state(decision, entry)


def correct_paper(counter: User, decision: Decision, paper_id, choice) -> PaperState:
    """A counter corrects their own entry of a ballot not yet counted (after rechecking the paper with the other
    counter); if it now agrees with another counter's entry, the ballot counts. The first reading is kept."""
    _require_counter(counter, decision.community_id)
    _open_poll(decision)
    choice = _choice(choice)
    paper = db.session.get(PaperEntry, paper_id) if isinstance(paper_id, int) else None
    if paper is None or paper.decision_id != decision.id:
        raise NotFound()
    if paper.counter_id != counter.id:
        raise Forbidden(_l("Only the counter who made an entry corrects it."))
    entry = _lock(paper.roll_entry)
    db.session.refresh(paper)
    if paper.counted:
        raise Conflict("paper_counted", _l("This owner's paper ballot has been counted already."))
    if paper.choice != choice:
        if paper.corrected_from is None:
            paper.corrected_from = paper.choice
        paper.choice = choice
        audit.record(
            counter,
            "decision.paper_correct",
            decision,
            community_id=decision.community_id,
            roll_entry=entry.id,
            choice=choice,
        )
        db.session.flush()
        _reconcile(decision, entry, counter)
    db.session.commit()
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
        _open_poll(decision),
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


# -- closing, certifying, publishing ----------------------------------------------------------------


def close_voting(user: User, decision: Decision) -> Decision:
    """Stop voting: the chain head at the close is recorded; every paper ballot must be settled first."""
    _require_counter(user, decision.community_id)
    poll = _open_poll(decision)
    waiting = unsettled_paper(decision)
    if waiting:
        raise Conflict(
            "unsettled_paper",
            _l(
                "%(n)d paper ballots still wait for a second entry or a reconciliation: settle them before closing.",
                n=waiting,
            ),
        )
    voting.close_poll(poll)
    decision.state = DecisionState.COUNTING
    decision.closed_at = utcnow()
    audit.record(user, "decision.close", decision, community_id=decision.community_id, head=poll.closed_head)
    db.session.commit()
    return decision


def certify(user: User, decision: Decision, role) -> Decision:
    """Sign the count as counter (计票人) or scrutineer (监票人); two different people. With both, the result is
    published and frozen, and the 公示 period for objections starts."""
    _require_counter(user, decision.community_id)
    try:
        role = CertifierRole(role)
    except ValueError:
        raise DomainError("bad_role", _l("Sign as counter or as scrutineer."), field="role") from None
    if decision.state == DecisionState.ANNOUNCED:
        raise Conflict("already_published", _l("This result is published and can no longer change."))
    if decision.state != DecisionState.COUNTING:
        raise DomainError("wrong_phase", _l("Close the vote before certifying the count."), status=409)
    poll = poll_of(decision)
    try:
        voting.certify(poll, user.id, role)
    except DomainError:
        db.session.rollback()  # a signature refused after it was flushed leaves nothing behind
        raise
    audit.record(user, "decision.certify", decision, community_id=decision.community_id, role=role.value)
    if poll.state == PollState.PUBLISHED:
        decision.state = DecisionState.ANNOUNCED
        decision.published_at = poll.published_at
        decision.objections_until = poll.published_at + timedelta(days=decision.publicity_days)
        decision.passed = outcome(decision).verdict.passed
    db.session.commit()
    return decision


# -- the result -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildingCount:
    building_id: int | None
    name: str
    area: dict[str, int]
    heads: dict[str, int]


@dataclass(frozen=True)
class Outcome:
    """A decision's count and verdict: from the published result once certified, else a provisional recount."""

    published: bool
    area: dict[str, int]  # per choice, 0.01 m²
    heads: dict[str, int]
    voted_area: int
    voted_heads: int
    verdict: tally.Verdict
    by_building: list[BuildingCount]


def outcome(decision: Decision) -> Outcome | None:
    """None while the decision is a draft."""
    poll = poll_of(decision)
    if poll is None:
        return None
    published = voting.published_result(poll)
    counted = published if published is not None else voting.count(poll).as_dict()
    area = {c.value: int(counted["area"].get(c.value, 0)) for c in Choice}
    heads = {c.value: int(counted["heads"].get(c.value, 0)) for c in Choice}
    verdict = tally.art278_verdict(
        matter=decision.matter,
        roll_area=decision.roll_area,
        roll_heads=decision.roll_heads,
        voted_area=int(counted["area_total"]),
        voted_heads=int(counted["heads_total"]),
        agree_area=area[Choice.AGREE.value],
        agree_heads=heads[Choice.AGREE.value],
        stricter=decision.stricter,
    )
    return Outcome(
        published=published is not None,
        area=area,
        heads=heads,
        voted_area=int(counted["area_total"]),
        voted_heads=int(counted["heads_total"]),
        verdict=verdict,
        by_building=_by_building(decision, poll),
    )


def _by_building(decision: Decision, poll: Poll) -> list[BuildingCount]:
    """Area and headcount per choice per building, from the stored ballots (the chain covers both)."""
    names = dict(
        db.session.execute(
            select(Building.id, Building.name)
            .where(Building.community_id == decision.community_id)
            .order_by(Building.sort_order, Building.id)
        ).all()
    )
    area: dict[int | None, dict[str, int]] = {}
    heads: dict[int | None, dict[str, int]] = {}
    for record in voting.records(poll):
        a = area.setdefault(record.building_id, {c.value: 0 for c in Choice})
        h = heads.setdefault(record.building_id, {c.value: 0 for c in Choice})
        a[record.choice] = a.get(record.choice, 0) + record.weight_area
        h[record.choice] = h.get(record.choice, 0) + record.weight_heads
    ordered = [b for b in names if b in area] + [b for b in area if b not in names]
    return [BuildingCount(b, names.get(b, ""), area[b], heads[b]) for b in ordered]


def turnout(decision: Decision) -> tuple[int, int]:
    """(area, heads) that have voted so far: who took part, without what they chose."""
    poll = poll_of(decision)
    if poll is None:
        return 0, 0
    keys = voting.voters(poll)
    taken = [e for e in roll_of(decision) if e.voter_key in keys]
    return sum(e.area for e in taken), sum(e.heads for e in taken)


# -- objections during 公示 --------------------------------------------------------------------------


def object_to(user: User, decision: Decision, *, client_id: str, body: str) -> Objection:
    """A verified owner objects to the published result during the 公示 period (idempotent on client_id)."""
    member = visible(user, decision)
    if not permissions.can_object(member, decision.community_id):
        raise Forbidden(_l("Owners of this community raise objections to an owners' decision."))
    if not decision.objections_open:
        raise DomainError("wrong_phase", _l("Objections are taken only during the 公示 period."), status=409)
    objection = voting.object_to(poll_of(decision), user.id, client_id=client_id, body=body)
    audit.record(user, "decision.object", decision, community_id=decision.community_id)
    db.session.commit()
    return objection


def answer_objection(user: User, decision: Decision, objection_id, answer: str) -> Objection:
    """Counters answer an objection; the answer is shown beside it."""
    _require_counter(user, decision.community_id)
    poll = poll_of(decision)
    objection = db.session.get(Objection, objection_id) if isinstance(objection_id, int) else None
    if objection is None or poll is None or objection.poll_id != poll.id:
        raise NotFound()
    voting.answer_objection(objection, user.id, answer)
    audit.record(user, "decision.answer", decision, community_id=decision.community_id, objection=objection.id)
    db.session.commit()
    return objection


def objections_of(decision: Decision) -> list[Objection]:
    poll = poll_of(decision)
    return voting.objections(poll) if poll is not None else []
