"""Many communities, one installation: nothing non-public crosses between them."""

from __future__ import annotations

import pytest

from app.communities import access
from app.core.masking import mask_phone, mask_room


def test_mask_phone_and_room():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_room("502") == "5**"
    assert mask_phone("") == mask_room("") == ""


@pytest.mark.parametrize("actor", ["other_staff", "other_resident"])
@pytest.mark.parametrize(
    "path",
    ["/c/cuizhuyuan/members", "/c/cuizhuyuan/verifications", "/c/cuizhuyuan/invites", "/c/cuizhuyuan/roster"],
)
def test_member_of_another_community_sees_nothing_private(client, auth, world, actor, path):
    auth.login(world.users[actor])
    response = client.get(path)
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert "pending_a" not in body and "13900000001" not in body


def test_each_community_sees_only_its_own_members(client, auth, world):
    auth.login(world.users["other_staff"])
    body = client.get("/c/nantang/members").get_data(as_text=True)
    assert "other_resident" in body
    assert "pending_a" not in body and "resident_rep" not in body


def test_public_page_is_public_but_shows_no_members(client, world):
    response = client.get("/c/cuizhuyuan/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "翠竹园社区" in body
    for key in ("resident", "pending_a", "staff"):
        assert world.users[key].phone not in body


def test_street_staff_oversee_their_street_only(client, auth, world):
    assert access.overseen_community_ids(world.users["street_staff"]) == {world.community.id, world.other.id}
    assert access.overseen_community_ids(world.users["district_staff"]) == {
        world.community.id,
        world.other.id,
        world.far.id,
    }
    auth.login(world.users["street_staff"])
    assert client.get("/c/cuizhuyuan/members").status_code == 200
    assert client.get("/c/far/members").status_code == 403
    overview = client.get("/overview").get_data(as_text=True)
    assert "翠竹园社区" in overview and "南塘社区" in overview and "远方社区" not in overview


def test_district_staff_see_every_community_of_the_district(client, auth, world):
    auth.login(world.users["district_staff"])
    assert client.get("/c/far/members").status_code == 200
    overview = client.get("/overview").get_data(as_text=True)
    assert "远方社区" in overview


@pytest.mark.parametrize("actor", ["resident", "staff", "outsider"])
def test_overview_is_for_street_and_district_staff(client, auth, world, actor):
    auth.login(world.users[actor])
    assert client.get("/overview").status_code == 403


def test_phone_and_room_are_masked_except_for_staff_and_self(client, auth, world):
    resident = world.users["resident"]
    full_phone = resident.phone
    auth.login(world.users["street_staff"])
    body = client.get("/c/cuizhuyuan/members").get_data(as_text=True)
    assert full_phone not in body and mask_phone(full_phone) in body
    auth.logout()
    auth.login(world.users["leader_a"])  # a building leader sees their building, masked
    body = client.get("/c/cuizhuyuan/members").get_data(as_text=True)
    assert full_phone not in body and mask_phone(full_phone) in body
    auth.logout()
    auth.login(world.users["staff"])
    body = client.get("/c/cuizhuyuan/members").get_data(as_text=True)
    assert full_phone in body


def test_building_leader_sees_details_of_whom_they_verify(client, auth, world):
    auth.login(world.users["leader_a"])
    body = client.get("/c/cuizhuyuan/verifications").get_data(as_text=True)
    assert world.users["pending_a"].phone in body
    assert world.users["pending_b"].phone not in body
