"""The read side in services: the list (visibility and ratings) in a constant number of queries, a
project's history and ledger, and the fund's balances in one pass."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db
from app.microprojects import ledger, services
from app.microprojects.models import ProjectStatus
from tests.microprojects import acting, edge
from tests.microprojects.test_routes import YEAR, advance, apply, as_, funded

S = ProjectStatus


@contextmanager
def counted():
    """The number of SQL statements run inside the block."""
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _projects(world, n: int):
    made = []
    for i in range(n):
        project = apply(world, title=f"项目{i}")
        if i % 2:
            advance(world, project, S.SUBMITTED)
        made.append(project)
    return made


def _listing_queries(world, key="owner") -> int:
    db.session.expire_all()
    user, community = world.users[key], world.community
    with counted() as statements:
        items = services.listing(acting(user, community))
        for item in items:
            _ = [line.total_fen for line in item.project.lines]
    return len(statements), items


def test_the_list_takes_the_same_queries_for_2_or_12_projects(app, world):
    _projects(world, 2)
    few, items = _listing_queries(world)
    assert len(items) == 1  # the owner sees the submitted one, not the resident's draft
    _projects(world, 10)
    many, items = _listing_queries(world)
    assert len(items) == 6
    assert many == few <= 8  # membership, offices, the projects with their ratings, their lines


def test_the_route_list_is_constant_too(app, world):
    http = as_(app, world, "staff")
    _projects(world, 2)
    with counted() as few:
        assert http.get("/c/cuizhuyuan/projects").status_code == 200
    _projects(world, 10)
    with counted() as many:
        assert http.get("/c/cuizhuyuan/projects").status_code == 200
    assert len(many) == len(few)


def test_who_sees_which_drafts_on_the_list(app, world):
    mine = apply(world, "resident", title="居民草稿")
    theirs = apply(world, "social_org", title="社会组织草稿")
    edge(
        services.move,
        acting(world.users["owner"], apply(world, "owner", title="已提交")),
        apply(world, "owner", title="已提交"),
        S.SUBMITTED,
    )

    def titles(key):
        return {item.project.title for item in services.listing(acting(world.users[key], world.community))}

    assert titles("resident") == {"居民草稿", "已提交"}
    assert titles("social_org") == {"社会组织草稿", "已提交"}
    assert titles("staff") == {"居民草稿", "社会组织草稿", "已提交"}
    assert titles("street_staff") == {"已提交"}
    assert mine.id != theirs.id


def test_the_list_carries_rating_counts_and_sums(app, world):
    funded(world)
    project = advance(world, apply(world), S.SUBMITTED, S.UNDER_REVIEW, S.APPROVED, S.IN_PROGRESS, S.COMPLETED)
    edge(services.rate, acting(world.users["resident"], project), project, 5)
    edge(services.rate, acting(world.users["owner"], project), project, 4)
    (item,) = [i for i in services.listing(acting(world.users["owner"], world.community)) if i.project.id == project.id]
    assert (item.rating_count, item.rating_total) == (2, 9)


def test_history_and_ledger_of_a_project(app, world):
    funded(world)
    project = advance(world, apply(world), S.SUBMITTED, S.UNDER_REVIEW, S.APPROVED, S.IN_PROGRESS)
    edge(services.spend, acting(world.users["resident"], project), project, 600_00, "书架", client_id=uuid.uuid4().hex)
    assert [e.to_status for e in services.history(project)] == [
        S.SUBMITTED,
        S.UNDER_REVIEW,
        S.APPROVED,
        S.IN_PROGRESS,
    ]
    rows = services.ledger_of(project=project)
    assert [(r.kind, r.amount_fen, r.project, r.recorded_by) for r in rows] == [
        ("allocation", 4_450_00, "周末儿童阅读角", "staff"),
        ("expenditure", 600_00, "周末儿童阅读角", "resident"),
    ]
    assert services.ledger_of() == []


def test_fund_balances_agree_with_the_ledger(app, world):
    fund = funded(world, total_fen=20_000_00)
    a = advance(world, apply(world, title="项目甲"), S.SUBMITTED, S.UNDER_REVIEW, S.APPROVED, S.IN_PROGRESS)
    b = advance(world, apply(world, title="项目乙"), S.SUBMITTED, S.UNDER_REVIEW, S.APPROVED, granted_fen=3_000_00)
    edge(services.spend, acting(world.users["resident"], a), a, 1_000_00, "x", client_id=uuid.uuid4().hex)
    assert fund.total_fen  # loaded before counting
    with counted() as statements:
        balance, per_project = services.fund_balances(fund)
    assert len(statements) <= 2
    assert balance == ledger.balance(fund)
    assert (balance.total, balance.allocated, balance.spent) == (20_000_00, 7_450_00, 1_000_00)
    assert [(p.project.id, p.allocated, p.spent) for p in per_project] == [
        (a.id, *ledger.project_balance(a)),
        (b.id, *ledger.project_balance(b)),
    ]
    assert services.fund_year(a) == YEAR
