"""The ledger on PostgreSQL: the contract's row is locked FOR UPDATE (only the contract's own table: its eager
joins may not be locked there), and the demo's paid milestone loads."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import demo
from app.core.errors import DomainError
from app.extensions import db
from app.procurement import ledger
from app.procurement.models import Contract, MilestoneStatus, Payment
from tests.services.conftest import pg_app, pg_schema, pg_url  # noqa: F401  (fixtures)

pytestmark = pytest.mark.postgres


def test_the_demo_contract_on_postgres(pg_app):  # noqa: F811
    demo.load("demo-password-1")
    db.session.commit()
    contract = db.session.scalar(select(Contract))
    paid, pending = contract.milestones
    assert paid.status == MilestoneStatus.PAID and pending.status == MilestoneStatus.PENDING
    assert ledger.balance(contract).paid == paid.amount_fen
    with pytest.raises(DomainError) as err:
        ledger.pay(paid, 1)
    assert err.value.code == "already_paid"
    db.session.rollback()
    with pytest.raises(DomainError) as err:
        ledger.pay(pending, 1)
    assert err.value.code == "not_evaluated"
    db.session.rollback()
    assert len(db.session.scalars(select(Payment)).all()) == 1
