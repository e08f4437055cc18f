"""Micro-project applications, review with allocation, expenditures and ratings (service level)."""

from __future__ import annotations

import itertools
import uuid

import pytest

from app.communities import access
from app.core.errors import DomainError
from app.extensions import db
from app.microprojects import ledger, permissions, services
from app.microprojects.models import MicroProject, ProjectEvent, ProjectStatus, Rating
from tests.microprojects import acting, edge

LINES = [("活动室书架", 2, 45_000), ("儿童绘本", 100, 3_550)]  # 2 × ¥450.00 + 100 × ¥35.50 = ¥4,450.00


def _apply(world, key="resident"):
    return edge(
        services.save_application,
        acting(world.users[key], world.community),
        title="周末儿童阅读角",
        purpose="为社区儿童提供周末阅读空间，志愿者值班。",
        lines=LINES,
        client_id=uuid.uuid4().hex,
    )


def _to(world, project, status, **kw):
    actor = world.users["staff"] if status not in (ProjectStatus.SUBMITTED,) else world.users["resident"]
    return edge(services.move, acting(actor, project), project, status, kw.pop("comment", "好"), **kw)


def _approved(world, granted=4_450_00):
    edge(services.set_fund, acting(world.users["staff"], world.community), 2027, 10_000_00)
    project = _apply(world)
    _to(world, project, ProjectStatus.SUBMITTED)
    _to(world, project, ProjectStatus.UNDER_REVIEW)
    _to(world, project, ProjectStatus.APPROVED, granted_fen=granted, year=2027)
    return project


def test_budget_totals_are_computed_in_fen(app, world):
    project = _apply(world)
    assert [line.total_fen for line in project.lines] == [90_000, 355_000]
    assert project.budget_fen == 445_000


@pytest.mark.parametrize(
    "lines",
    [[], [("书架", 0, 100)], [("书架", 1, -5)], [("书架", "two", 100)], [("", 1, 100)], [("书" * 101, 1, 1)]],
)
def test_bad_budget_lines_store_nothing(app, world, lines):
    with pytest.raises(DomainError):
        edge(
            services.save_application,
            acting(world.users["resident"], world.community),
            title="标题",
            purpose="x" * 20,
            lines=lines,
            client_id=uuid.uuid4().hex,
        )
    db.session.rollback()
    assert db.session.query(MicroProject).count() == 0


@pytest.mark.parametrize("key", ["resident", "owner", "social_org"])
def test_residents_and_social_organisations_apply(app, world, key):
    assert _apply(world, key).status == ProjectStatus.DRAFT


@pytest.mark.parametrize(
    "key", ["unverified", "property_manager", "expert", "other_resident", "street_staff", "outsider"]
)
def test_others_cannot_apply(app, world, key):
    with pytest.raises(DomainError) as err:
        _apply(world, key)
    assert err.value.status_code == 403


def test_approval_allocates_from_the_fund(app, world):
    project = _approved(world)
    assert project.status == ProjectStatus.APPROVED and project.granted_fen == 4_450_00
    fund = services.fund_for(world.community, 2027)
    assert ledger.balance(fund).allocated == 4_450_00


def test_an_approval_that_would_overspend_changes_nothing(app, world):
    edge(services.set_fund, acting(world.users["staff"], world.community), 2027, 1_000_00)
    project = _apply(world)
    _to(world, project, ProjectStatus.SUBMITTED)
    _to(world, project, ProjectStatus.UNDER_REVIEW)
    with pytest.raises(DomainError) as err:
        _to(world, project, ProjectStatus.APPROVED, granted_fen=4_450_00, year=2027)
    assert err.value.code == "over_fund"
    db.session.expire_all()
    project = db.session.get(MicroProject, project.id)
    assert project.status == ProjectStatus.UNDER_REVIEW and project.granted_fen == 0 and project.fund_id is None
    assert db.session.query(ProjectEvent).filter_by(to_status=ProjectStatus.APPROVED).count() == 0


def test_the_fund_total_cannot_drop_below_the_allocations(app, world):
    _approved(world)
    with pytest.raises(DomainError) as err:
        edge(services.set_fund, acting(world.users["staff"], world.community), 2027, 1_000_00)
    assert err.value.code == "over_fund"


def test_every_transition_allowed_or_refused(app, world):
    """Walk every (from, to) pair with staff: allowed moves succeed, every other one is refused."""
    edge(services.set_fund, acting(world.users["staff"], world.community), 2027, 100_000_00)
    allowed = {(a, b) for a, tos in services.STAFF_MOVES.items() for b in tos}
    for source, target in itertools.product(ProjectStatus, ProjectStatus):
        project = _apply(world)
        project.status = source
        if source in (ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED):
            project.fund_id = services.fund_for(world.community, 2027).id
        db.session.commit()
        kwargs = {"granted_fen": 100, "year": 2027} if target == ProjectStatus.APPROVED else {}
        if (source, target) in allowed:
            edge(services.move, acting(world.users["staff"], project), project, target, "理由", **kwargs)
            assert project.status == target
        else:
            with pytest.raises(DomainError) as err:
                edge(services.move, acting(world.users["staff"], project), project, target, "理由", **kwargs)
            assert err.value.code == "wrong_status", (source, target)
            db.session.expire_all()
            assert db.session.get(MicroProject, project.id).status == source


def test_changes_requested_and_rejected_need_a_reason(app, world):
    project = _apply(world)
    _to(world, project, ProjectStatus.SUBMITTED)
    _to(world, project, ProjectStatus.UNDER_REVIEW)
    for status in (ProjectStatus.CHANGES_REQUESTED, ProjectStatus.REJECTED):
        with pytest.raises(DomainError) as err:
            edge(services.move, acting(world.users["staff"], project), project, status, "  ")
        assert err.value.code == "reason_required"


def test_expenditures_stay_within_the_allocation(app, world):
    project = _approved(world, granted=1_000_00)
    _to(world, project, ProjectStatus.IN_PROGRESS)
    edge(
        services.spend,
        acting(world.users["resident"], project),
        project,
        600_00,
        "书架发票",
        client_id=uuid.uuid4().hex,
    )
    with pytest.raises(DomainError) as err:
        edge(
            services.spend,
            acting(world.users["resident"], project),
            project,
            500_00,
            "绘本发票",
            client_id=uuid.uuid4().hex,
        )
    assert err.value.code == "over_allocation"
    assert ledger.project_balance(project) == (1_000_00, 600_00)
    with pytest.raises(DomainError) as err:
        edge(
            services.spend,
            acting(world.users["owner"], project),
            project,
            100,
            "不是申请人",
            client_id=uuid.uuid4().hex,
        )
    assert err.value.status_code == 403


def test_ratings_once_per_household_after_completion(app, world):
    project = _approved(world)
    with pytest.raises(DomainError) as err:
        edge(services.rate, acting(world.users["resident"], project), project, 5)
    assert err.value.code == "wrong_status"
    _to(world, project, ProjectStatus.IN_PROGRESS)
    _to(world, project, ProjectStatus.COMPLETED)
    edge(services.rate, acting(world.users["resident"], project), project, 5, "孩子们很喜欢")
    assert edge(services.rate, acting(world.users["resident"], project), project, 5).score == 5  # a retry
    # leader_a lives in the same household (1栋 1-101) as resident: one rating per household
    with pytest.raises(DomainError) as err:
        edge(services.rate, acting(world.users["leader_a"], project), project, 3)
    assert err.value.code == "already_rated"
    edge(services.rate, acting(world.users["owner"], project), project, 4)
    assert services.rating_summary(project) == (2, 9)
    for bad in (0, 6, "5", True):
        with pytest.raises(DomainError):
            edge(services.rate, acting(world.users["leader_b"], project), project, bad)
    with pytest.raises(DomainError) as err:
        edge(services.rate, acting(world.users["property_manager"], project), project, 5)
    assert err.value.status_code == 403
    assert db.session.query(Rating).count() == 2


def test_another_communitys_project_is_not_found(app, world):
    project = _apply(world)
    _to(world, project, ProjectStatus.SUBMITTED)
    with pytest.raises(DomainError) as err:
        access.load(MicroProject, project.id, world.users["other_staff"], can=permissions.can_view)
    assert err.value.status_code == 404
