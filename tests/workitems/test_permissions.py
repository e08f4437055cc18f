"""Every work-item page and action, allowed and denied, for each role it concerns: department officer (own
department / another department), district staff (this district / another), street staff (of the community's
street / of another street), community staff, resident, an outsider and an anonymous visitor.

Anyone with no tie to the district gets 404 for its pages (they learn nothing); those tied to it but not
allowed get 403 for district pages, and 404 for a request that is not admitted (the department's business) or
a community's objection they may not see. A denied request stores nothing."""

from __future__ import annotations

import uuid

import pytest

from app.extensions import db
from app.workitems.models import DepartmentOfficer, RequestStatus, WorkItemObjection, WorkItemRequest
from tests.workitems import (
    ANONYMOUS,
    admitted_request,
    closed_round,
    counts,
    fields,
    logged_in,
    make_objection,
    make_request,
    round_request,
    this_year,
    urgent_request,
)

KEYS = [
    "officer",
    "officer_b",
    "district_staff",
    "other_district_staff",
    "street_staff",
    "far_street_staff",
    "staff",
    "resident",
    "outsider",
    ANONYMOUS,
]
UNTIED = {"other_district_staff", "outsider"}  # no tie to the district: 404
TIED = set(KEYS) - UNTIED - {ANONYMOUS}


def expected(key: str, allowed: set[str], ok: int, *, hidden: set[str] = frozenset()) -> int:
    """`ok` if allowed; 302 to the login for a visitor; 404 for those without a tie or in `hidden`; else 403."""
    if key == ANONYMOUS:
        return 302
    if key in allowed:
        return ok
    return 404 if key in UNTIED or key in hidden else 403


def client(app, world, key):
    return logged_in(app, None if key == ANONYMOUS else world.users[key])


def check(response, key, status):
    assert response.status_code == status, (key, response.status_code)
    if key == ANONYMOUS:
        assert "/account/login" in response.headers["Location"]


# -- the district's pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_entry(app, world, key):
    response = client(app, world, key).get("/workitems")
    status = 302 if key in TIED or key in {"other_district_staff", ANONYMOUS} else 404
    check(response, key, status)
    if key in TIED:
        assert response.headers["Location"].endswith(f"/d/{world.district.id}/workitems")
    if key == "other_district_staff":
        assert response.headers["Location"].endswith(f"/d/{world.other_district.id}/workitems")


@pytest.mark.parametrize("key", KEYS)
def test_hub(app, world, key):
    response = client(app, world, key).get(f"/d/{world.district.id}/workitems")
    check(response, key, expected(key, TIED, 200))
    if response.status_code == 200:
        html = response.get_data(as_text=True)
        assert (f"/d/{world.district.id}/workitems/rounds" in html) == (key == "district_staff")
        assert (f"/workitems/departments/{world.department.id}" in html) == (key in {"officer", "district_staff"})
        assert (f"/c/{world.community.slug}/workitems/objections" in html) == (key == "staff")


@pytest.mark.parametrize("key", KEYS)
def test_departments_page_and_create(app, world, key):
    http = client(app, world, key)
    check(http.get(f"/d/{world.district.id}/workitems/departments"), key, expected(key, {"district_staff"}, 200))
    before = counts()
    name = f"区卫健委{uuid.uuid4().hex[:4]}"
    response = http.post(f"/d/{world.district.id}/workitems/departments", data={"name": name})
    check(response, key, expected(key, {"district_staff"}, 302))
    if key != "district_staff":
        assert counts() == before


@pytest.mark.parametrize("key", KEYS)
def test_department_page(app, world, key):
    response = client(app, world, key).get(f"/workitems/departments/{world.department.id}")
    check(response, key, expected(key, {"district_staff", "officer"}, 200))
    if response.status_code == 200:
        html = response.get_data(as_text=True)
        assert ("/requests/new" in html) == (key == "officer")
        assert ('name="phone"' in html) == (key == "district_staff")


@pytest.mark.parametrize("key", KEYS)
def test_name_and_remove_officer(app, world, key):
    from tests import factories

    newcomer = factories.user(phone=f"136{uuid.uuid4().int % 10**8:08d}")
    db.session.commit()
    before = counts()
    http = client(app, world, key)
    response = http.post(f"/workitems/departments/{world.department.id}/officers", data={"phone": newcomer.phone})
    check(response, key, expected(key, {"district_staff"}, 302))
    named = db.session.query(DepartmentOfficer).filter_by(user_id=newcomer.id).one_or_none()
    if key != "district_staff":
        assert named is None and counts() == before
        named = DepartmentOfficer(department_id=world.department.id, user_id=newcomer.id)
        db.session.add(named)
        db.session.commit()
    before = counts()
    response = http.post(f"/workitems/officers/{named.id}/remove")
    check(response, key, expected(key, {"district_staff"}, 302))
    assert (counts() == before) == (key != "district_staff")


# -- requests ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_new_request(app, world, key):
    http = client(app, world, key)
    url = f"/workitems/departments/{world.department.id}/requests/new"
    check(http.get(url), key, expected(key, {"officer"}, 200))
    before = counts()
    data = {**fields(), "client_id": uuid.uuid4().hex}
    data["starts_on"] = data["starts_on"].isoformat()
    data.pop("urgent")
    response = http.post(url, data=data)
    check(response, key, expected(key, {"officer"}, 302))
    if key == "officer":
        stored = db.session.query(WorkItemRequest).filter_by(client_id=data["client_id"]).one()
        assert stored.requested_by_id == world.users["officer"].id and stored.status == RequestStatus.PENDING
    else:
        assert counts() == before


PRIVATE = {"officer_b", "street_staff", "far_street_staff", "staff", "resident"}  # may not see a pending request


@pytest.mark.parametrize("key", KEYS)
def test_show_pending_request(app, world, key):
    request = urgent_request(world)  # decided from its own page
    response = client(app, world, key).get(f"/workitems/requests/{request.id}")
    check(response, key, expected(key, {"officer", "district_staff"}, 200, hidden=PRIVATE))
    if response.status_code == 200:
        html = response.get_data(as_text=True)
        assert (f"/workitems/requests/{request.id}/edit" in html) == (key == "officer")
        assert (f"/workitems/requests/{request.id}/decide" in html) == (key == "district_staff")


@pytest.mark.parametrize("key", KEYS)
def test_show_admitted_request(app, world, key):
    request = admitted_request(world)
    response = client(app, world, key).get(f"/workitems/requests/{request.id}")
    check(response, key, expected(key, TIED, 200))
    if response.status_code == 200:
        assert f"/workitems/requests/{request.id}/edit" not in response.get_data(as_text=True)


@pytest.mark.parametrize("key", KEYS)
def test_edit_request(app, world, key):
    request = make_request(world)
    http = client(app, world, key)
    url = f"/workitems/requests/{request.id}/edit"
    allowed = {"officer"}
    check(http.get(url), key, expected(key, allowed, 200, hidden=PRIVATE))
    data = {**fields(title="改过的标题"), "client_id": request.client_id}
    data["starts_on"] = data["starts_on"].isoformat()
    data.pop("urgent")
    check(http.post(url, data=data), key, expected(key, allowed, 302, hidden=PRIVATE))
    db.session.expire_all()
    assert (request.title == "改过的标题") == (key == "officer")


@pytest.mark.parametrize("key", KEYS)
def test_withdraw_request(app, world, key):
    request = make_request(world)
    response = client(app, world, key).post(f"/workitems/requests/{request.id}/withdraw")
    check(response, key, expected(key, {"officer"}, 302, hidden=PRIVATE))
    db.session.expire_all()
    assert (request.status == RequestStatus.WITHDRAWN) == (key == "officer")


@pytest.mark.parametrize("key", KEYS)
def test_decide_urgent_request(app, world, key):
    request = urgent_request(world)
    response = client(app, world, key).post(
        f"/workitems/requests/{request.id}/decide", data={"decision": "refuse", "reason": "不属于社区职责。"}
    )
    check(response, key, expected(key, {"district_staff"}, 302, hidden=PRIVATE))
    db.session.expire_all()
    assert (request.status == RequestStatus.REFUSED) == (key == "district_staff")
    if key == "district_staff":
        assert request.decision_reason == "不属于社区职责。" and request.round_id is None


# -- rounds ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_rounds_page_and_open(app, world, key):
    http = client(app, world, key)
    check(http.get(f"/d/{world.district.id}/workitems/rounds"), key, expected(key, {"district_staff"}, 200))
    year = this_year() + 1 + KEYS.index(key) % 4  # each case its own year (a district has one round a year)
    before = counts()
    response = http.post(
        f"/d/{world.district.id}/workitems/rounds", data={"year": str(year), "closes_on": f"{year - 1}-12-15"}
    )
    if key == "district_staff" and response.status_code != 302:
        raise AssertionError(response.get_data(as_text=True))
    check(response, key, expected(key, {"district_staff"}, 302))
    assert (counts() == before) == (key != "district_staff")


@pytest.mark.parametrize("key", KEYS)
def test_round_page_decides_its_requests(app, world, key):
    yearly = closed_round(world, this_year() - 1)
    request = round_request(world, yearly)
    http = client(app, world, key)
    response = http.get(f"/workitems/rounds/{yearly.id}")
    check(response, key, expected(key, {"district_staff"}, 200))
    if response.status_code == 200:
        html = response.get_data(as_text=True)
        assert request.title in html and f"/workitems/requests/{request.id}/decide" in html
    response = http.post(f"/workitems/requests/{request.id}/decide", data={"decision": "admit", "reason": ""})
    check(response, key, expected(key, {"district_staff"}, 302, hidden=PRIVATE))
    db.session.expire_all()
    assert (request.status == RequestStatus.ADMITTED) == (key == "district_staff")
    if key == "district_staff":
        assert request.round_id == yearly.id
        assert response.headers["Location"].endswith(f"/workitems/rounds/{yearly.id}#request-{request.id}")


# -- the admitted list -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_admitted_list_print_and_exports(app, world, key):
    item = admitted_request(world)
    refused = urgent_request(world)
    refused.status = RequestStatus.REFUSED
    db.session.commit()
    http = client(app, world, key)
    base = f"/d/{world.district.id}/workitems/{this_year()}"
    for url in (base, f"{base}/print", f"{base}/export.csv", f"{base}/export.xlsx"):
        response = http.get(url)
        check(response, key, expected(key, TIED, 200))
        if response.status_code == 200 and not url.endswith("xlsx"):
            body = response.get_data().decode("utf-8-sig")
            assert item.title in body and refused.title not in body


# -- objections --------------------------------------------------------------------------------------

OVER_COMMUNITY = {"staff", "street_staff", "district_staff"}  # see the community's objections


@pytest.mark.parametrize("key", KEYS)
def test_community_objections(app, world, key):
    make_objection(world, what="每日上报共享单车照片（列表）")
    http = client(app, world, key)
    url = f"/c/{world.community.slug}/workitems/objections"
    not_seeing = {"officer", "officer_b", "far_street_staff"}  # not members, not over the community: 404
    response = http.get(url)
    check(response, key, expected(key, OVER_COMMUNITY, 200, hidden=not_seeing))
    if response.status_code == 200:
        html = response.get_data(as_text=True)
        assert "每日上报共享单车照片（列表）" in html
        assert ('name="what"' in html) == (key == "staff")
    before = counts()
    data = {
        "client_id": uuid.uuid4().hex,
        "department_id": str(world.department.id),
        "what": "要求社区代收垃圾分类督导费。",
        "placed_on": fields()["starts_on"].replace(month=1, day=5).isoformat(),
    }
    response = http.post(url, data=data)
    check(response, key, expected(key, {"staff"}, 302, hidden=not_seeing))
    if key == "staff":
        assert db.session.query(WorkItemObjection).filter_by(client_id=data["client_id"]).one().reporter_id == (
            world.users["staff"].id
        )
    else:
        assert counts() == before


@pytest.mark.parametrize("key", KEYS)
def test_show_and_answer_objection(app, world, key):
    objection = make_objection(world)
    http = client(app, world, key)
    hidden = {"officer", "officer_b", "far_street_staff", "resident"}
    response = http.get(f"/workitems/objections/{objection.id}")
    check(response, key, expected(key, OVER_COMMUNITY, 200, hidden=hidden))
    if response.status_code == 200:
        assert ('name="answer"' in response.get_data(as_text=True)) == (key == "district_staff")
    response = http.post(f"/workitems/objections/{objection.id}/answer", data={"answer": "已通知该部门停止派发。"})
    check(response, key, expected(key, {"district_staff"}, 302, hidden=hidden))
    db.session.expire_all()
    assert (objection.answer == "已通知该部门停止派发。") == (key == "district_staff")


@pytest.mark.parametrize("key", KEYS)
def test_district_objections(app, world, key):
    make_objection(world, what="社区代收费用（区级列表）")
    response = client(app, world, key).get(f"/d/{world.district.id}/workitems/objections")
    allowed = {"district_staff", "street_staff", "far_street_staff"}
    check(response, key, expected(key, allowed, 200))
    if response.status_code == 200:
        html = response.get_data(as_text=True)
        # street staff of another street see no objection of a community not theirs
        assert ("社区代收费用（区级列表）" in html) == (key != "far_street_staff")
