"""Joining with an invite code, waiting for verification, and the errors on the way."""

from __future__ import annotations

from sqlalchemy import func, select

from app.communities.models import Membership, MembershipStatus, Relation
from app.extensions import db
from tests import factories


def memberships() -> int:
    return db.session.scalar(select(func.count()).select_from(Membership))


def _newcomer(auth):
    user = factories.user(name="新居民")
    db.session.commit()
    auth.login(user)
    return user


def test_join_with_code_then_household_then_pending(client, auth, world):
    user = _newcomer(auth)
    factories.invite(world.community, code="CZY2026A")
    db.session.commit()
    response = client.post("/join", data={"code": " czy2026a "})
    assert response.status_code == 302 and response.headers["Location"].endswith("/join/CZY2026A")
    page = client.get("/join/CZY2026A")
    assert page.status_code == 200 and "1栋" in page.get_data(as_text=True)
    response = client.post(
        "/join/CZY2026A",
        data={"building_id": world.building_a.id, "unit": "1", "room": "101", "relation": "tenant"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/c/cuizhuyuan/")
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert membership.status == MembershipStatus.PENDING
    assert membership.household_id == world.households["a101"].id
    assert membership.relation == Relation.TENANT
    home = client.get("/c/cuizhuyuan/").get_data(as_text=True)
    assert "Waiting for verification" in home


def test_qr_link_goes_straight_to_household_step(client, auth, world):
    _newcomer(auth)
    factories.invite(world.community, world.building_b, code="CZY2DONG")
    db.session.commit()
    response = client.get("/join?code=CZY2DONG")
    assert response.status_code == 302 and response.headers["Location"].endswith("/join/CZY2DONG")
    page = client.get("/join/CZY2DONG").get_data(as_text=True)
    assert "2栋" in page and "1栋" not in page  # a building's code offers only that building


def test_wrong_invite_code(client, auth, world):
    _newcomer(auth)
    response = client.post("/join", data={"code": "NOPE1234"})
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)
    assert "NOPE1234" in response.get_data(as_text=True)  # kept in the field
    before = memberships()
    assert client.get("/join/NOPE1234").status_code == 302
    assert memberships() == before


def test_inactive_invite_code(client, auth, world):
    _newcomer(auth)
    invite = factories.invite(world.community, code="OLDCODE1")
    invite.active = False
    db.session.commit()
    assert client.post("/join", data={"code": "OLDCODE1"}).status_code == 400


def test_household_not_on_roster(client, auth, world):
    _newcomer(auth)
    factories.invite(world.community, code="CZY2026A")
    db.session.commit()
    before = memberships()
    response = client.post(
        "/join/CZY2026A", data={"building_id": world.building_a.id, "unit": "9", "room": "999", "relation": "owner"}
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "not on the community" in body and "999" in body
    assert memberships() == before


def test_building_code_refuses_another_building(client, auth, world):
    _newcomer(auth)
    factories.invite(world.community, world.building_b, code="CZY2DONG")
    db.session.commit()
    before = memberships()
    response = client.post(
        "/join/CZY2DONG", data={"building_id": world.building_a.id, "unit": "1", "room": "101", "relation": "owner"}
    )
    assert response.status_code == 400
    assert memberships() == before


def test_missing_fields(client, auth, world):
    _newcomer(auth)
    factories.invite(world.community, code="CZY2026A")
    db.session.commit()
    before = memberships()
    response = client.post("/join/CZY2026A", data={"building_id": world.building_a.id})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Enter your room number" in body and "Say how you live" in body
    assert memberships() == before


def test_oversized_fields_are_refused(client, auth, world):
    _newcomer(auth)
    factories.invite(world.community, code="CZY2026A")
    db.session.commit()
    response = client.post(
        "/join/CZY2026A",
        data={"building_id": world.building_a.id, "unit": "1" * 500, "room": "1" * 5000, "relation": "owner"},
    )
    assert response.status_code == 400
    assert client.post("/join", data={"code": "X" * 5000}).status_code == 400


def test_join_without_household_for_people_who_work_here(client, auth, world):
    user = _newcomer(auth)
    factories.invite(world.community, code="CZY2026A")
    db.session.commit()
    response = client.post("/join/CZY2026A", data={"no_household": "y"})
    assert response.status_code == 302
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert membership.household_id is None and membership.status == MembershipStatus.PENDING


def test_joining_twice_keeps_one_membership(client, auth, world):
    _newcomer(auth)
    factories.invite(world.community, code="CZY2026A")
    db.session.commit()
    data = {"building_id": world.building_a.id, "unit": "1", "room": "101", "relation": "owner"}
    client.post("/join/CZY2026A", data=data)
    before = memberships()
    response = client.post("/join/CZY2026A", data=data)  # the phone retried
    assert response.status_code == 302
    assert memberships() == before


def test_rejected_member_may_apply_again(client, auth, world):
    auth.login(world.users["pending_a"])
    membership = world.memberships["pending_a"]
    membership.status = MembershipStatus.REJECTED
    membership.review_note = "房号不对"
    factories.invite(world.community, code="CZY2026A")
    db.session.commit()
    home = client.get("/c/cuizhuyuan/").get_data(as_text=True)
    assert "房号不对" in home
    response = client.post(
        "/join/CZY2026A", data={"building_id": world.building_b.id, "unit": "1", "room": "101", "relation": "tenant"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    again = db.session.get(Membership, membership.id)
    assert again.status == MembershipStatus.PENDING and again.household_id == world.households["b101"].id


def test_join_needs_login(client, world):
    response = client.get("/join?code=CZY2026A")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_pending_member_sees_status_but_no_staff_links(client, auth, world):
    auth.login(world.users["unverified"])
    body = client.get("/c/cuizhuyuan/").get_data(as_text=True)
    assert "Waiting for verification" in body
    assert "/c/cuizhuyuan/verifications" not in body
