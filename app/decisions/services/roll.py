"""The roll of owners: made from the household register (one entry per person, per 法释〔2009〕7号) and
frozen when voting opens."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.communities.access import Viewer
from app.communities.models import Building, Household, HouseholdOwner
from app.core import audit
from app.core.errors import DomainError
from app.core.models import utcnow
from app.decisions import signals
from app.decisions.models import POLL_TYPE, Decision, DecisionState, RollEntry
from app.decisions.services.common import require_counter
from app.decisions.services.rules import rules_of
from app.extensions import db
from app.voting import services as voting
from app.voting import tally


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


def open_voting(viewer: Viewer, decision: Decision) -> Decision:
    """Freeze the roll from the household register and the thresholds from the community's rules, and open
    the poll: its chain head at opening is shown to the counters."""
    require_counter(viewer, decision)
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
        viewer.user,
        "decision.open",
        decision,
        community_id=decision.community_id,
        roll_area=roll.area,
        roll_heads=roll.heads,
    )
    db.session.flush()
    signals.voting_opened.send(decision, roll=roll.entries, actor=viewer.user)  # each owner on the roll is told
    return decision
