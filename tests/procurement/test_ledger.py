"""A contract's ledger under any sequence of evaluations and payments (Hypothesis), like the micro-fund's:
a payment before its evaluation, a second payment of a milestone, more than the milestone's amount or more
than is left of the contract: each refused with its code, nothing stored; the sums always hold."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.core.errors import DomainError
from app.extensions import db
from app.procurement import ledger
from app.procurement.models import (
    Application,
    Contract,
    Evaluation,
    Milestone,
    MilestoneStatus,
    Payment,
)
from tests import factories

_world: dict = {}


def _contract(total: int, amounts: list[int]) -> Contract:
    """A contract of `total` fen whose milestones carry `amounts` (their sum may differ from the total: the
    ledger holds to both limits whatever the milestones say)."""
    community = factories.community()
    staff = factories.user()
    org = factories.procure_org(community.street.district)
    call = factories.procure_call(community, factories.procure_item(community), staff)
    application = Application(call_id=call.id, organisation_id=org.id, plan="计划", total_fen=max(total, 1))
    db.session.add(application)
    db.session.flush()
    contract = Contract(
        call_id=call.id,
        application_id=application.id,
        organisation_id=org.id,
        community_id=community.id,
        total_fen=total,
    )
    for i, amount in enumerate(amounts):
        contract.milestones.append(
            Milestone(
                position=i,
                title=f"阶段{i}",
                deliverable="成果",
                due_on=date(2027, 12, 31),
                share_num=1,
                share_den=len(amounts),
                amount_fen=amount,
            )
        )
    db.session.add(contract)
    db.session.commit()
    _world["staff"] = staff
    return contract


def _evaluate(milestone: Milestone) -> None:
    milestone.evaluation = Evaluation(signed_by_id=_world["staff"].id, note="验收合格", evidence_count=1)
    milestone.status = MilestoneStatus.EVALUATED
    db.session.commit()


operations = st.lists(
    st.tuples(st.sampled_from(["evaluate", "pay"]), st.integers(0, 2), st.integers(-10, 6_000)),
    min_size=1,
    max_size=20,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    amounts=st.lists(st.integers(0, 5_000), min_size=3, max_size=3),
    total=st.integers(1, 6_000),
    ops=operations,
)
def test_the_contract_is_never_overpaid(app, amounts, total, ops):
    contract = _contract(total, amounts)
    milestones = contract.milestones
    evaluated = [False] * 3
    paid = [0] * 3
    for kind, index, amount in ops:
        milestone = milestones[index]
        if kind == "evaluate":
            if not evaluated[index] and paid[index] == 0:
                _evaluate(milestone)
                evaluated[index] = True
            continue
        try:
            ledger.pay(milestone, amount)
            db.session.commit()
        except DomainError as err:
            db.session.rollback()
            # refused exactly when the rules say, with the rule's code
            if amount <= 0:
                assert err.code == "bad_amount"
            elif paid[index]:
                assert err.code == "already_paid"
            elif not evaluated[index]:
                assert err.code == "not_evaluated"
            elif amount > amounts[index]:
                assert err.code == "over_milestone"
            else:
                assert err.code == "over_contract"
                assert sum(paid) + amount > total
        else:
            assert amount > 0 and evaluated[index] and not paid[index]
            assert amount <= amounts[index] and sum(paid) + amount <= total
            paid[index] = amount
        db.session.expire_all()
        balance = ledger.balance(contract)
        assert balance.paid == sum(paid) <= total
        payments = db.session.scalars(select(Payment).where(Payment.contract_id == contract.id)).all()
        assert len(payments) == sum(1 for p in paid if p)
        for payment in payments:  # each names its milestone's evaluation, within the milestone's amount
            assert payment.evaluation_id == payment.milestone.evaluation.id
            assert payment.amount_fen <= payment.milestone.amount_fen


def test_the_database_refuses_a_second_payment_of_a_milestone(app):
    from sqlalchemy.exc import IntegrityError

    contract = _contract(10_000, [5_000, 5_000, 0])
    milestone = contract.milestones[0]
    _evaluate(milestone)
    ledger.pay(milestone, 100)
    db.session.commit()
    db.session.add(
        Payment(contract_id=contract.id, milestone_id=milestone.id, evaluation_id=milestone.evaluation.id, amount_fen=1)
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 1
