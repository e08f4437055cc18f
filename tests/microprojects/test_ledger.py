"""The micro-fund's invariants under any sequence of allocations and expenditures."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.errors import DomainError
from app.core.money import parse_yuan
from app.extensions import db
from app.microprojects import ledger
from app.microprojects.models import Fund, LedgerEntry, MicroProject
from tests import factories


@pytest.mark.parametrize(
    ("text", "fen"),
    [("1234.5", 123450), ("¥1,234.50", 123450), ("0.01", 1), ("0", 0), ("￥20", 2000), ("1，000", 100000)],
)
def test_parse_yuan(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("text", ["-1", "abc", "1.234", "", "NaN", "Infinity", "1e12", "99999999999"])
def test_parse_yuan_refuses(text, app):
    with pytest.raises(DomainError):
        parse_yuan(text)


@pytest.mark.parametrize(("fen", "text"), [(123450, "¥1,234.50"), (0, "¥0.00"), (5, "¥0.05"), (-150, "-¥1.50")])
def test_format_yuan(fen, text):
    assert ledger.format_yuan(fen) == text


def _setup(total_fen: int, projects: int):
    community = factories.community()
    applicant = factories.user()
    fund = Fund(community_id=community.id, year=2027, total_fen=total_fen)
    db.session.add(fund)
    db.session.flush()
    made = []
    for n in range(projects):
        project = MicroProject(community_id=community.id, fund_id=fund.id, applicant_id=applicant.id, title=f"项目{n}")
        db.session.add(project)
        made.append(project)
    db.session.commit()
    return fund, made


operations = st.lists(
    st.tuples(st.sampled_from(["allocate", "spend"]), st.integers(0, 3), st.integers(-50, 40_000)),
    min_size=1,
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(total=st.integers(0, 100_000), ops=operations)
def test_the_fund_is_never_overspent(app, total, ops):
    fund, projects = _setup(total, 4)
    expected_allocated = [0] * 4
    expected_spent = [0] * 4
    try:
        for kind, index, amount in ops:
            project = projects[index]
            try:
                if kind == "allocate":
                    ledger.allocate(fund, project, amount, actor_id=None)
                    expected_allocated[index] += amount
                else:
                    ledger.spend(project, amount, actor_id=None)
                    expected_spent[index] += amount
                db.session.commit()
            except DomainError as err:
                db.session.rollback()
                assert err.code in {"bad_amount", "over_fund", "over_allocation"}
                # refused exactly when the model says it must be
                if amount <= 0:
                    assert err.code == "bad_amount"
                elif kind == "allocate":
                    assert sum(expected_allocated) + amount > total
                else:
                    assert expected_spent[index] + amount > expected_allocated[index]
            else:
                assert amount > 0
            state = ledger.balance(fund)
            assert state.allocated == sum(expected_allocated) <= total
            assert state.spent == sum(expected_spent)
            for i, p in enumerate(projects):
                allocated, spent = ledger.project_balance(p)
                assert spent <= allocated == expected_allocated[i]
    finally:
        db.session.rollback()
        db.session.query(LedgerEntry).delete()
        db.session.commit()


def test_spending_needs_an_allocation(app):
    _fund, (project,) = _setup(10_000, 1)
    project.fund_id = None
    with pytest.raises(DomainError) as err:
        ledger.spend(project, 100, actor_id=None)
    assert err.value.code == "not_funded"


def test_the_database_refuses_a_non_positive_amount(app):
    from sqlalchemy.exc import IntegrityError

    fund, (project,) = _setup(10_000, 1)
    db.session.add(LedgerEntry(fund_id=fund.id, project_id=project.id, kind="allocation", amount_fen=0))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
