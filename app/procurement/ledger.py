"""A contract's ledger: payments, each naming the evaluation of its milestone.

Invariants, each enforced in the one transaction of a payment, under a lock of the contract's row
(concurrent payments on PostgreSQL queue behind each other):
- a milestone is paid only once it is evaluated (evidence, residents' satisfaction, a sign-off);
- a milestone is paid once, never more than its amount;
- the contract is never paid more than its total.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core import audit, validation
from app.core.errors import DomainError, Forbidden
from app.core.money import format_yuan
from app.extensions import db
from app.procurement import permissions, signals
from app.procurement.models import Contract, Milestone, MilestoneStatus, Payment


@dataclass(frozen=True)
class Balance:
    total: int
    paid: int

    @property
    def left(self) -> int:
        return self.total - self.paid


def paid(contract: Contract) -> int:
    query = select(func.coalesce(func.sum(Payment.amount_fen), 0)).where(Payment.contract_id == contract.id)
    return int(db.session.scalar(query))


def balance(contract: Contract) -> Balance:
    return Balance(total=contract.total_fen, paid=paid(contract))


def _locked(contract: Contract) -> Contract:
    return db.session.scalar(select(Contract).where(Contract.id == contract.id).with_for_update(of=Contract))


def pay(milestone: Milestone, amount_fen, *, actor=None, note="") -> Payment:
    """Record a payment of `milestone` (the rules above; each refusal says which, and stores nothing)."""
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise DomainError("bad_amount", _l("A payment is more than 0 yuan."), field="amount")
    note = validation.text(note or "", field="note", low=0, high=300, message=_l("A note is at most 300 characters."))
    contract = _locked(milestone.contract)
    db.session.refresh(milestone)
    if milestone.status == MilestoneStatus.PAID or db.session.scalar(
        select(Payment.id).where(Payment.milestone_id == milestone.id)
    ):
        raise DomainError("already_paid", _l("This milestone has already been paid."), field="amount")
    if milestone.status != MilestoneStatus.EVALUATED or milestone.evaluation is None:
        raise DomainError(
            "not_evaluated", _l("This milestone is not evaluated yet: it cannot be paid."), field="amount"
        )
    if amount_fen > milestone.amount_fen:
        raise DomainError(
            "over_milestone",
            _l("The milestone's amount is %(amount)s: pay no more.", amount=format_yuan(milestone.amount_fen)),
            field="amount",
        )
    left = contract.total_fen - paid(contract)
    if amount_fen > left:
        raise DomainError(
            "over_contract",
            _l("Only %(left)s of the contract is left to pay.", left=format_yuan(left)),
            field="amount",
        )
    payment = Payment(
        contract_id=contract.id,
        milestone_id=milestone.id,
        evaluation_id=milestone.evaluation.id,
        amount_fen=amount_fen,
        note=note,
        paid_by_id=actor.id if actor is not None else None,
    )
    db.session.add(payment)
    milestone.status = MilestoneStatus.PAID
    db.session.flush()
    return payment


def release(party, milestone: Milestone, amount_fen, *, note="") -> Payment:
    """Staff release a milestone's payment."""
    if not permissions.can_pay(party, milestone.contract):
        raise Forbidden(_l("Only the call's staff release payments."))
    payment = pay(milestone, amount_fen, actor=party.user, note=note)
    audit.record(party.user, "procurement.pay", payment, community_id=milestone.contract.community_id)
    db.session.flush()
    signals.payment_released.send(payment, milestone=milestone)
    return payment
