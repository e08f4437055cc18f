"""Work items (社区工作事项准入): helpers shared by the tests (fixtures in conftest.py)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import func, select

from app.core.clock import local_today
from app.extensions import db
from app.workitems import services
from app.workitems.models import Department, DepartmentOfficer, ReviewRound, WorkItemObjection, WorkItemRequest
from app.workitems.standing import stance
from tests import factories

ANONYMOUS = "anonymous"


def logged_in(app, user, language: str = "en"):
    """A test client logged in as `user` (None: anonymous), asking for `language`."""
    http = app.test_client()
    http.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    if user is not None:
        with http.session_transaction() as session:
            session["_user_id"] = factories.login_token(user)
            session["_fresh"] = True
    return http


def stance_of(world, key: str, district=None):
    return stance(world.users[key], district or world.district)


def this_year() -> int:
    return local_today().year


def fields(**overrides) -> dict:
    """A valid request's fields (the current year's list)."""
    values = {
        "title": f"独居老人探访 {uuid.uuid4().hex[:6]}",
        "duties": "每月上门探访独居老人一次并登记。",
        "basis": "《养老服务条例》第二十一条。",
        "hours_per_month": 6,
        "starts_on": date(this_year(), 12, 31),
        "urgent": False,
        "urgent_reason": "",
    }
    values.update(overrides)
    return values


def make_request(world, key: str = "officer", department=None, *, commit=True, **overrides) -> WorkItemRequest:
    request = services.submit_request(
        stance_of(world, key), department or world.department, client_id=uuid.uuid4().hex, **fields(**overrides)
    )
    if commit:
        db.session.commit()
    return request


def urgent_request(world, **overrides) -> WorkItemRequest:
    return make_request(world, urgent=True, urgent_reason="汛期将至。", **overrides)


def closed_round(world, year: int) -> ReviewRound:
    """The year's round, closed yesterday (made once per district and year)."""
    found = db.session.scalar(
        select(ReviewRound).where(ReviewRound.district_id == world.district.id, ReviewRound.year == year)
    )
    if found is None:
        found = ReviewRound(district_id=world.district.id, year=year, closes_on=local_today() - timedelta(days=1))
        db.session.add(found)
        db.session.commit()
    return found


def round_request(world, yearly: ReviewRound, **overrides) -> WorkItemRequest:
    """A request for the round's year sent before the round closed (stored as it was then: the round being
    closed now, the use case would refuse it)."""
    values = fields(**overrides)
    values["starts_on"] = values["starts_on"].replace(year=yearly.year)
    request = WorkItemRequest(
        district_id=world.district.id,
        department_id=world.department.id,
        requested_by_id=world.users["officer"].id,
        client_id=uuid.uuid4().hex,
        year=yearly.year,
        **values,
    )
    db.session.add(request)
    db.session.commit()
    return request


def admitted_request(world, **overrides) -> WorkItemRequest:
    """An urgent request admitted by the district staff (a round is not needed)."""
    request = urgent_request(world, **overrides)
    services.decide(stance_of(world, "district_staff"), request, "admit", "")
    db.session.commit()
    return request


def make_objection(world, **overrides) -> WorkItemObjection:
    from app.communities import access

    values = {
        "client_id": uuid.uuid4().hex,
        "department_id": world.department.id,
        "what": "要求社区每日上报共享单车照片。",
        "placed_on": local_today(),
        "evidence": "",
    }
    values.update(overrides)
    objection = services.file_objection(access.viewer(world.users["staff"], world.community), **values)
    db.session.commit()
    return objection


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def counts() -> tuple:
    """Every work-item table's row count: what a refused request must leave as it was."""
    return tuple(count(m) for m in (Department, DepartmentOfficer, ReviewRound, WorkItemRequest, WorkItemObjection))
