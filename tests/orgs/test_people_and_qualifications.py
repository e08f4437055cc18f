"""Qualifications (with expiry) and the people who act for an organisation: its agents only, per role."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.orgs import permissions, queries, services
from app.orgs.models import OrgAgent, Qualification
from tests.orgs import logged_in, registry


def _qualifications(org) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Qualification).where(Qualification.organisation_id == org.id)
    )


def test_an_agent_adds_a_qualification_once_and_a_past_expiry_shows_expired(app, world):
    reg = registry(world)
    client = logged_in(app, reg.users["agent"])
    data = {
        "client_id": "q-1",
        "name": "民办非企业单位登记证书",
        "number": "苏民证字第001号",
        "expires_on": "2020-06-30",
    }
    assert client.post(f"/orgs/{reg.org.id}/qualifications", data=data).status_code == 302
    assert client.post(f"/orgs/{reg.org.id}/qualifications", data=data).status_code == 302  # a double tap
    assert _qualifications(reg.org) == 2  # the factory's one and this one
    page = client.get(f"/orgs/{reg.org.id}").get_data(as_text=True)
    expired = '<strong class="org-expired">Expired on <time class="whole" datetime="2020-06-30">2020-06-30</time>'
    assert f"{expired}</strong>" in page
    assert 'Valid until <time class="whole" datetime="2099-12-31">2099-12-31</time>' in page
    # still qualified today through its other, valid qualification
    db.session.expire_all()
    assert reg.org.qualified_on(date.today())


def test_expired_in_chinese_says_so_in_words(app, world):
    reg = registry(world)
    reg.users["other_agent"].locale = "zh_CN"
    db.session.commit()
    client = logged_in(app, reg.users["other_agent"], language="zh-CN")
    data = {"client_id": "q-2", "name": "等级评估 3A", "expires_on": "2026-06-30"}
    assert client.post(f"/orgs/{reg.other.id}/qualifications", data=data).status_code == 302
    page = client.get(f"/orgs/{reg.other.id}").get_data(as_text=True)
    assert "已过期" in page


@pytest.mark.parametrize("expires_on", ["31/12/2027", "2027-13-01", "明年", ""])
def test_a_bad_expiry_is_refused_with_the_format(app, world, expires_on):
    reg = registry(world)
    client = logged_in(app, reg.users["agent"])
    data = {"client_id": "q-bad", "name": "等级评估 4A", "expires_on": expires_on}
    response = client.post(f"/orgs/{reg.org.id}/qualifications", data=data)
    assert response.status_code == 400
    assert "year-month-day" in response.get_data(as_text=True)
    assert _qualifications(reg.org) == 1


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("other_agent", 403),
        ("resident", 403),
        ("staff", 403),
        ("street_staff", 403),
        ("district_staff", 403),
        ("far_street_staff", 403),
    ],
)
def test_only_its_agents_add_and_remove_qualifications(app, world, key, status):
    reg = registry(world)
    client = logged_in(app, reg.users[key])
    data = {"client_id": f"q-{key}", "name": "等级评估 5A", "expires_on": "2030-01-01"}
    assert client.post(f"/orgs/{reg.org.id}/qualifications", data=data).status_code == status
    first = reg.org.qualifications[0].id
    assert client.post(f"/orgs/{reg.org.id}/qualifications/{first}/remove").status_code == status
    assert _qualifications(reg.org) == 1


def test_an_agent_removes_a_qualification_of_their_own_organisation_only(app, world):
    reg = registry(world)
    other_q = services.add_qualification(
        permissions.viewer_of(reg.users["other_agent"]),
        reg.other,
        client_id="x",
        name="等级评估 3A",
        expires_on=date(2030, 1, 1),
    )
    db.session.commit()
    client = logged_in(app, reg.users["agent"])
    # another organisation's qualification through one's own organisation's URL
    assert client.post(f"/orgs/{reg.org.id}/qualifications/{other_q.id}/remove").status_code == 404
    assert _qualifications(reg.other) == 1
    mine = reg.org.qualifications[0].id
    assert client.post(f"/orgs/{reg.org.id}/qualifications/{mine}/remove").status_code == 302
    assert _qualifications(reg.org) == 0
    db.session.expire_all()
    assert not reg.org.qualified_on(date.today())


def test_agents_add_another_by_phone_and_never_remove_the_last(app, world):
    reg = registry(world)
    client = logged_in(app, reg.users["agent"])
    owner = world.users["owner"]
    assert client.post(f"/orgs/{reg.org.id}/agents", data={"phone": f"+86 {owner.phone}"}).status_code == 302
    assert client.post(f"/orgs/{reg.org.id}/agents", data={"phone": owner.phone}).status_code == 302  # once
    db.session.expire_all()
    assert sorted(a.user_id for a in reg.org.agents) == sorted([reg.users["agent"].id, owner.id])
    assert [o.id for o in queries.orgs_of(owner)] == [reg.org.id]
    mine = next(a for a in reg.org.agents if a.user_id == reg.users["agent"].id)
    assert client.post(f"/orgs/{reg.org.id}/agents/{mine.id}/remove").status_code == 302  # themselves
    db.session.expire_all()
    last = reg.org.agents[0]
    assert last.user_id == owner.id
    response = logged_in(app, owner).post(f"/orgs/{reg.org.id}/agents/{last.id}/remove")
    assert response.status_code == 409
    assert "at least one agent" in response.get_data(as_text=True)
    assert (
        db.session.scalar(select(func.count()).select_from(OrgAgent).where(OrgAgent.organisation_id == reg.org.id)) == 1
    )
    # the removed agent no longer acts for it
    assert (
        logged_in(app, reg.users["agent"]).post(f"/orgs/{reg.org.id}/agents", data={"phone": "13900000001"}).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("phone", "message"),
    [("12345", "11-digit mobile number"), ("13999999999", "ask them to register first"), ("", "11-digit")],
)
def test_a_phone_that_names_nobody_is_refused(app, world, phone, message):
    reg = registry(world)
    response = logged_in(app, reg.users["agent"]).post(f"/orgs/{reg.org.id}/agents", data={"phone": phone})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert len(reg.org.agents) == 1


@pytest.mark.parametrize("key", ["other_agent", "resident", "staff", "street_staff", "district_staff"])
def test_only_its_agents_add_or_remove_agents(app, world, key):
    reg = registry(world)
    client = logged_in(app, reg.users[key])
    assert client.post(f"/orgs/{reg.org.id}/agents", data={"phone": world.users["owner"].phone}).status_code == 403
    agent = reg.org.agents[0]
    assert client.post(f"/orgs/{reg.org.id}/agents/{agent.id}/remove").status_code == 403
    db.session.expire_all()
    assert [a.user_id for a in reg.org.agents] == [reg.users["agent"].id]


def test_the_queries_others_use(world):
    reg = registry(world)
    district = world.community.street.district
    names = [o.name for o in queries.verified_orgs(district)]
    assert set(names) == {reg.org.name, reg.other.name} and names == sorted(names)
    assert reg.pending.name not in names
    assert [o.id for o in queries.orgs_of(reg.users["pending_agent"])] == [reg.pending.id]
    assert queries.orgs_of(world.users["resident"]) == []
