"""The micro-fund's invariants, enforced in one transaction each:

- allocations never exceed the fund's total;
- a project's expenditures never exceed what was allocated to it.

The fund row (or the project row) is locked FOR UPDATE before the sums are read,
so concurrent approvals on PostgreSQL queue behind each other and only those
that fit succeed. SQLite serialises writers anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core.errors import DomainError
from app.core.money import format_yuan
from app.extensions import db
from app.microprojects.models import EntryKind, Fund, LedgerEntry, MicroProject


@dataclass(frozen=True)
class FundBalance:
    total: int
    allocated: int
    spent: int

    @property
    def unallocated(self) -> int:
        return self.total - self.allocated


def _sum(kind: EntryKind, **where) -> int:
    query = select(func.coalesce(func.sum(LedgerEntry.amount_fen), 0)).where(LedgerEntry.kind == kind)
    for column, value in where.items():
        query = query.where(getattr(LedgerEntry, column) == value)
    return int(db.session.scalar(query))


def balance(fund: Fund) -> FundBalance:
    return FundBalance(
        total=fund.total_fen,
        allocated=_sum(EntryKind.ALLOCATION, fund_id=fund.id),
        spent=_sum(EntryKind.EXPENDITURE, fund_id=fund.id),
    )


def project_balance(project: MicroProject) -> tuple[int, int]:
    """(allocated, spent) for one project."""
    return _sum(EntryKind.ALLOCATION, project_id=project.id), _sum(EntryKind.EXPENDITURE, project_id=project.id)


def _locked_fund(fund_id: int) -> Fund:
    return db.session.scalar(select(Fund).where(Fund.id == fund_id).with_for_update())


def allocate(
    fund: Fund, project: MicroProject, amount_fen: int, *, actor_id: int | None, note: str = ""
) -> LedgerEntry:
    """Set money aside for a project, if the fund has it. The caller commits."""
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        raise DomainError("bad_amount", _l("The amount must be more than zero."), field="amount")
    locked = _locked_fund(fund.id)
    available = locked.total_fen - _sum(EntryKind.ALLOCATION, fund_id=fund.id)
    if amount_fen > available:
        raise DomainError(
            "over_fund",
            _l(
                "The fund has %(available)s left to allocate; %(amount)s is more than that.",
                available=format_yuan(available),
                amount=format_yuan(amount_fen),
            ),
            field="amount",
            status=409,
        )
    entry = LedgerEntry(
        fund_id=fund.id,
        project_id=project.id,
        kind=EntryKind.ALLOCATION,
        amount_fen=amount_fen,
        actor_id=actor_id,
        note=note[:200],
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def spend(
    project: MicroProject,
    amount_fen: int,
    *,
    actor_id: int | None,
    note: str = "",
    receipt_photo_id: int | None = None,
    client_id: str | None = None,
) -> LedgerEntry:
    """Record an expenditure, if the project's allocation covers it. The caller commits."""
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        raise DomainError("bad_amount", _l("The amount must be more than zero."), field="amount")
    if project.fund_id is None:
        raise DomainError("not_funded", _l("This project has no allocation yet."), status=409)
    _locked_fund(project.fund_id)  # one lock for everything that moves this fund's money
    allocated, spent = project_balance(project)
    if spent + amount_fen > allocated:
        raise DomainError(
            "over_allocation",
            _l(
                "The project has %(left)s left of its allocation; %(amount)s is more than that.",
                left=format_yuan(allocated - spent),
                amount=format_yuan(amount_fen),
            ),
            field="amount",
            status=409,
        )
    entry = LedgerEntry(
        fund_id=project.fund_id,
        project_id=project.id,
        kind=EntryKind.EXPENDITURE,
        amount_fen=amount_fen,
        actor_id=actor_id,
        note=note[:200],
        receipt_photo_id=receipt_photo_id,
        client_id=client_id,
    )
    db.session.add(entry)
    db.session.flush()
    return entry
