"""services.create_granted: a project granted outright (a winning proposal-contest entry), approved with its
budget and its allocation from the year's fund in one transaction; refused cleanly, nothing left behind."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.errors import DomainError
from app.extensions import db
from app.microprojects import ledger, services
from app.microprojects.models import BudgetLine, EntryKind, LedgerEntry, MicroProject, ProjectEvent, ProjectStatus
from tests.microprojects import acting, edge

YEAR = 2027
LINES = [("活动室书架", 2, 45_000), ("儿童绘本", 100, 3_550)]  # ¥4,450.00
PURPOSE = "社区提案大赛获奖项目：周末儿童阅读角，服务6-12岁儿童。"
NOTE = "2027年社区提案大赛 第12号提案"


def _rows() -> tuple:
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (MicroProject, BudgetLine, LedgerEntry, ProjectEvent)
    )


def _fund(world, total=10_000_00):
    return edge(services.set_fund, acting(world.users["staff"], world.community), YEAR, total)


def _grant(world, actor="staff", applicant="social_org", **kw):
    args = {
        "title": "周末儿童阅读角",
        "purpose": PURPOSE,
        "lines": LINES,
        "granted_fen": 4_000_00,
        "year": YEAR,
        "source_note": NOTE,
    }
    args.update(kw)
    return edge(
        services.create_granted, acting(world.users[actor], world.community), applicant=world.users[applicant], **args
    )


def test_a_granted_project_is_approved_with_its_allocation(app, world):
    fund = _fund(world)
    project = _grant(world)
    db.session.expire_all()
    project = db.session.get(MicroProject, project.id)
    assert project.status == ProjectStatus.APPROVED
    assert project.applicant_id == world.users["social_org"].id
    assert project.fund_id == fund.id and project.granted_fen == 4_000_00
    assert [(line.item, line.quantity, line.unit_price_fen) for line in project.lines] == LINES
    assert project.budget_fen == 4_450_00
    assert ledger.project_balance(project) == (4_000_00, 0)
    assert ledger.balance(fund).allocated == 4_000_00
    (event,) = services.history(project)
    assert (event.from_status, event.to_status, event.comment) == (None, ProjectStatus.APPROVED, NOTE)
    (entry,) = db.session.scalars(select(LedgerEntry)).all()
    assert entry.kind == EntryKind.ALLOCATION and entry.actor_id == world.users["staff"].id


def test_the_applicant_then_starts_and_spends(app, world):
    _fund(world)
    project = _grant(world)
    edge(services.move, acting(world.users["social_org"], project), project, ProjectStatus.IN_PROGRESS)
    edge(services.spend, acting(world.users["social_org"], project), project, 500_00, "书架", client_id="r1")
    assert ledger.project_balance(project) == (4_000_00, 500_00)


def test_more_than_the_fund_can_cover_leaves_nothing(app, world):
    fund = _fund(world, total=5_000_00)
    _grant(world, granted_fen=3_000_00)
    before = _rows()
    with pytest.raises(DomainError) as err:
        _grant(world, title="第二个项目", granted_fen=2_000_01)  # ¥0.01 more than is left
    assert err.value.code == "over_fund" and err.value.status_code == 409
    assert "¥2,000.00" in str(err.value.message)
    assert _rows() == before
    assert ledger.balance(fund).allocated == 3_000_00
    assert db.session.scalar(select(MicroProject).where(MicroProject.title == "第二个项目")) is None
    _grant(world, title="第二个项目", granted_fen=2_000_00)  # exactly what is left fits
    assert ledger.balance(fund).allocated == 5_000_00


def test_without_a_fund_for_the_year_nothing_is_made(app, world):
    before = _rows()
    with pytest.raises(DomainError) as err:
        _grant(world)
    assert err.value.code == "no_fund" and err.value.status_code == 409
    assert _rows() == before


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"lines": []}, "bad_request"),
        ({"lines": [("书架", 0, 100)]}, "bad_request"),
        ({"lines": [("书架", 1, -1)]}, "bad_amount"),
        ({"granted_fen": 0}, "bad_amount"),
        ({"granted_fen": -5}, "bad_amount"),
        ({"granted_fen": "100"}, "bad_amount"),
        ({"granted_fen": True}, "bad_amount"),
        ({"year": "2027"}, "bad_request"),
        ({"title": "x"}, "bad_request"),
        ({"purpose": "短"}, "bad_request"),
        ({"source_note": "x" * 1001}, "bad_request"),
        ({"client_id": ""}, "bad_request"),
    ],
)
def test_bad_input_leaves_nothing(app, world, overrides, code):
    _fund(world)
    before = _rows()
    with pytest.raises(DomainError) as err:
        _grant(world, **overrides)
    assert err.value.code == code and err.value.status_code == 400
    assert _rows() == before


@pytest.mark.parametrize("actor", ["staff", "street_staff", "district_staff"])
def test_community_staff_and_its_overseers_grant(app, world, actor):
    _fund(world)
    assert _grant(world, actor=actor).status == ProjectStatus.APPROVED


@pytest.mark.parametrize(
    "actor",
    [
        "resident",
        "owner",
        "social_org",
        "property_manager",
        "owners_committee",
        "expert",
        "unverified",
        "other_staff",
        "other_resident",
        "outsider",
    ],
)
def test_nobody_else_grants(app, world, actor):
    _fund(world)
    before = _rows()
    with pytest.raises(DomainError) as err:
        _grant(world, actor=actor)
    assert err.value.status_code == 403
    assert _rows() == before


@pytest.mark.parametrize("applicant", ["resident", "owner", "social_org"])
def test_residents_and_social_organisations_receive_grants(app, world, applicant):
    _fund(world)
    assert _grant(world, applicant=applicant).applicant_id == world.users[applicant].id


@pytest.mark.parametrize("applicant", ["property_manager", "expert", "unverified", "other_resident", "outsider"])
def test_only_those_who_may_apply_receive_grants(app, world, applicant):
    _fund(world)
    before = _rows()
    with pytest.raises(DomainError) as err:
        _grant(world, applicant=applicant)
    assert err.value.code == "applicant_cannot_apply" and err.value.status_code == 409
    assert _rows() == before


def test_a_retry_with_the_same_client_id_grants_once(app, world):
    fund = _fund(world)
    first = _grant(world, client_id="contest-3-entry-12")
    again = _grant(world, client_id="contest-3-entry-12")
    assert again.id == first.id
    assert ledger.balance(fund).allocated == 4_000_00
    assert _rows() == (1, 2, 1, 1)
