"""Registering, listing, verifying and suspending organisations, per role, allowed and denied."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.notifications.models import Notification
from app.orgs.models import OrgAgent, Organisation, OrgStatus
from tests.orgs import logged_in, registry

VALID = "91350100M000100Y43"


def _form(world, **changes):
    data = {
        "name": "梅山助老服务社",
        "registration_number": VALID,
        "kind": "social_service",
        "service_areas": ["elderly", "disabled"],
        "description": "为社区老人提供助餐、助浴服务。",
        "district_id": str(world.community.street.district_id),
        "street_id": str(world.community.street_id),
    }
    data.update(changes)
    return data


def _count(**filters) -> int:
    query = select(func.count()).select_from(Organisation)
    for name, value in filters.items():
        query = query.where(getattr(Organisation, name) == value)
    return db.session.scalar(query)


def test_a_signed_in_user_registers_and_becomes_its_first_agent(app, world):
    client = logged_in(app, world.users["resident"])
    assert client.get("/orgs/new").status_code == 200
    response = client.post("/orgs/new", data=_form(world, registration_number="9135 0100 m000100y43"))
    assert response.status_code == 302
    org = db.session.scalar(select(Organisation).where(Organisation.registration_number == VALID))
    assert org.status == OrgStatus.PENDING and org.street_id == world.community.street_id
    assert org.service_areas == ["elderly", "disabled"]
    assert [a.user_id for a in org.agents] == [world.users["resident"].id]
    # a double-tapped form returns the same organisation
    again = client.post("/orgs/new", data=_form(world))
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/orgs/{org.id}")
    assert _count(registration_number=VALID) == 1


def test_anonymous_is_sent_to_log_in(app, world):
    reg = registry(world)
    client = logged_in(app, None)
    for path in ("/orgs", "/orgs/new", f"/orgs/{reg.org.id}", f"/orgs/{reg.org.id}/showcase"):
        response = client.get(path)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert client.post("/orgs/new", data=_form(world)).status_code == 302
    assert _count(registration_number=VALID) == 0


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("91350100M000100Y4", "has 18 characters"),
        ("91350100M000100Y44", "last character does not match"),
        ("9135010OM000100Y43", "never I, O, Z, S or V"),
        ("", "Enter the 18-character code."),
    ],
)
def test_a_bad_credit_code_is_refused_with_what_is_wrong(app, world, number, message):
    client = logged_in(app, world.users["resident"])
    response = client.post("/orgs/new", data=_form(world, registration_number=number))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count() == 0


def test_a_bad_credit_code_is_explained_in_chinese(app, world):
    client = logged_in(app, world.users["resident"], language="zh-CN")
    world.users["resident"].locale = "zh_CN"
    db.session.commit()
    page = client.post("/orgs/new", data=_form(world, registration_number="91350100M000100Y44")).get_data(as_text=True)
    assert "统一社会信用代码" in page and "校验" in page


def test_a_code_registered_before_is_refused_to_someone_else(app, world):
    reg = registry(world)
    client = logged_in(app, world.users["owner"])
    response = client.post("/orgs/new", data=_form(world, registration_number=reg.org.registration_number))
    assert response.status_code == 409
    assert "registered already" in response.get_data(as_text=True)
    assert _count(registration_number=reg.org.registration_number) == 1
    assert not reg.org.is_agent(world.users["owner"].id)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "x"}, "Give the full name"),
        ({"kind": "company"}, "Choose the kind of organisation."),
        ({"service_areas": []}, "Choose at least one service area"),
        ({"service_areas": ["elderly", "casino"]}, "Choose at least one service area"),
        ({"district_id": "999999"}, "Choose the district."),
        ({"district_id": "abc"}, "Choose the district."),
    ],
)
def test_other_bad_input_stores_nothing(app, world, changes, message):
    client = logged_in(app, world.users["resident"])
    response = client.post("/orgs/new", data=_form(world, **changes))
    assert 400 <= response.status_code < 500
    assert message in response.get_data(as_text=True)
    assert _count() == 0


def test_a_street_of_another_district_is_refused(app, world):
    from tests import factories

    elsewhere = factories.street(factories.district("秦淮区"), "夫子庙街道")
    db.session.commit()
    client = logged_in(app, world.users["resident"])
    response = client.post("/orgs/new", data=_form(world, street_id=str(elsewhere.id)))
    assert response.status_code == 400
    assert "Choose a street of the district" in response.get_data(as_text=True)
    assert _count() == 0


LIST_SEES_PENDING = {
    "pending_agent": True,
    "street_staff": True,
    "district_staff": True,
    "far_street_staff": False,
    "agent": False,
    "other_agent": False,
    "resident": False,
    "staff": False,
    "outsider": False,
}


@pytest.mark.parametrize(("key", "sees_pending"), sorted(LIST_SEES_PENDING.items()))
def test_the_list_shows_verified_ones_to_all_and_pending_ones_to_few(app, world, key, sees_pending):
    reg = registry(world)
    client = logged_in(app, reg.users[key])
    page = client.get("/orgs").get_data(as_text=True)
    assert reg.org.name in page and reg.other.name in page
    assert 'Valid until <time class="whole" datetime="2099-12-31">2099-12-31</time>' in page
    assert (reg.pending.name in page) is sees_pending
    assert reg.users["agent"].phone not in page  # no personal data in the list
    pending_page = client.get(f"/orgs/{reg.pending.id}")
    assert pending_page.status_code == (200 if sees_pending else 404)


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("street_staff", 302),
        ("district_staff", 302),
        ("far_street_staff", 404),
        ("pending_agent", 403),
        ("staff", 404),
        ("resident", 404),
        ("agent", 404),
    ],
)
def test_who_verifies(app, world, key, status):
    reg = registry(world)
    response = logged_in(app, reg.users[key]).post(f"/orgs/{reg.pending.id}/verify")
    assert response.status_code == status
    db.session.expire_all()
    assert (reg.pending.status == OrgStatus.VERIFIED) is (status == 302)
    told = db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.user_id == reg.users["pending_agent"].id)
    )
    assert told == (1 if status == 302 else 0)


def test_an_organisation_without_street_is_verified_by_the_district_only(app, world):
    from tests import factories

    agent = factories.user()
    org = factories.organisation(world.community.street.district, agent, status="pending")
    db.session.commit()
    assert logged_in(app, world.users["street_staff"]).post(f"/orgs/{org.id}/verify").status_code == 404
    assert logged_in(app, world.users["district_staff"]).post(f"/orgs/{org.id}/verify").status_code == 302


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("street_staff", 302),
        ("district_staff", 302),
        ("far_street_staff", 403),
        ("agent", 403),
        ("other_agent", 403),
        ("staff", 403),
        ("resident", 403),
    ],
)
def test_who_suspends_a_verified_one_and_the_agents_hear_why(app, world, key, status):
    reg = registry(world)
    response = logged_in(app, reg.users[key]).post(f"/orgs/{reg.org.id}/suspend", data={"reason": "年检未通过"})
    assert response.status_code == status
    db.session.expire_all()
    suspended = status == 302
    assert (reg.org.status == OrgStatus.SUSPENDED) is suspended
    notes = list(db.session.scalars(select(Notification).where(Notification.user_id == reg.users["agent"].id)))
    assert len(notes) == (1 if suspended else 0)
    if suspended:
        assert "年检未通过" in notes[0].text and reg.org.status_reason == "年检未通过"
        page = logged_in(app, reg.users["agent"]).get(f"/orgs/{reg.org.id}").get_data(as_text=True)
        assert "Suspended" in page and "年检未通过" in page


def test_a_suspension_needs_a_reason(app, world):
    reg = registry(world)
    response = logged_in(app, reg.users["street_staff"]).post(f"/orgs/{reg.org.id}/suspend", data={"reason": " "})
    assert response.status_code == 400
    db.session.expire_all()
    assert reg.org.status == OrgStatus.VERIFIED
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_a_suspended_organisation_is_verified_again(app, world):
    reg = registry(world)
    staff = logged_in(app, reg.users["district_staff"])
    assert staff.post(f"/orgs/{reg.org.id}/suspend", data={"reason": "材料过期"}).status_code == 302
    assert logged_in(app, reg.users["resident"]).get(f"/orgs/{reg.org.id}").status_code == 404
    assert staff.post(f"/orgs/{reg.org.id}/verify").status_code == 302
    db.session.expire_all()
    assert reg.org.status == OrgStatus.VERIFIED and reg.org.status_reason == ""
    assert logged_in(app, reg.users["resident"]).get(f"/orgs/{reg.org.id}").status_code == 200


@pytest.mark.parametrize(
    ("key", "sees_agents"),
    [("agent", True), ("street_staff", True), ("district_staff", True), ("other_agent", False), ("resident", False)],
)
def test_the_page_shows_agents_only_to_agents_and_staff(app, world, key, sees_agents):
    reg = registry(world)
    page = logged_in(app, reg.users[key]).get(f"/orgs/{reg.org.id}").get_data(as_text=True)
    assert reg.org.registration_number in page
    assert (reg.users["agent"].phone in page) is sees_agents


def test_an_agent_edits_their_own_organisation_not_another(app, world):
    reg = registry(world)
    client = logged_in(app, reg.users["agent"])
    data = {"kind": "association", "service_areas": ["youth"], "description": "青少年课后服务"}
    assert client.post(f"/orgs/{reg.org.id}/edit", data=data).status_code == 302
    assert client.get(f"/orgs/{reg.other.id}/edit").status_code == 403
    assert client.post(f"/orgs/{reg.other.id}/edit", data=data).status_code == 403
    db.session.expire_all()
    assert reg.org.kind.value == "association" and reg.org.service_areas == ["youth"]
    assert reg.other.kind.value == "social_service" and reg.other.description == ""


@pytest.mark.parametrize("key", ["resident", "street_staff", "district_staff", "staff", "other_agent"])
def test_only_agents_edit(app, world, key):
    reg = registry(world)
    response = logged_in(app, reg.users[key]).post(
        f"/orgs/{reg.org.id}/edit", data={"kind": "association", "service_areas": ["youth"]}
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert reg.org.kind.value == "social_service"


def test_the_page_reads_in_chinese(app, world):
    reg = registry(world)
    reg.users["agent"].locale = "zh_CN"
    db.session.commit()
    page = logged_in(app, reg.users["agent"], language="zh-CN").get(f"/orgs/{reg.org.id}").get_data(as_text=True)
    assert '资质有效至 <time class="whole" datetime="2099-12-31">2099-12-31</time>' in page and "已认证" in page


def test_agent_count_in_the_registry_is_unchanged_by_a_refusal(app, world):
    reg = registry(world)
    before = db.session.scalar(select(func.count()).select_from(OrgAgent))
    logged_in(app, reg.users["resident"]).post(f"/orgs/{reg.org.id}/agents", data={"phone": "13900000002"})
    assert db.session.scalar(select(func.count()).select_from(OrgAgent)) == before
