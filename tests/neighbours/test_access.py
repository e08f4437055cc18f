"""Who sees and does what in a neighbourhood group, per role, allowed and denied: the group's page for everyone
who may see the community, its board for members, leaders and staff (404 for the rest), leaders of another
group refused."""

from __future__ import annotations

import pytest

from app.consultations.models import Consultation
from app.extensions import db
from app.neighbours.models import GroupConsultation, GroupMember, HelpPost, NeighbourGroup
from tests import factories
from tests.neighbours import count, login, make_post

NOBODY = None  # anonymous


def as_(client, world, role):
    if role is not NOBODY:
        login(client, world.users[role])


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("resident", 200),
        ("owners_committee", 200),
        ("leader_b", 200),
        ("staff", 200),
        ("street_staff", 200),
        ("pending_a", 200),
        ("other_staff", 404),
        ("outsider", 404),
        (NOBODY, 302),
    ],
)
def test_the_groups_and_a_groups_page_are_for_whoever_sees_the_community(client, world, groups, role, status):
    as_(client, world, role)
    assert client.get("/c/cuizhuyuan/groups").status_code == status
    page = client.get(f"/groups/{groups.a.id}")
    assert page.status_code == status
    if status == 200:
        assert "1栋睦邻互助会" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("resident", True),  # a member
        ("leader_a", True),  # the building leader of 1栋
        ("group_leader", True),  # a resident group leader living in 1栋
        ("staff", True),
        ("owners_committee", False),  # a resident of 2栋
        ("leader_b", False),  # the leader of another group
        ("resident_rep", False),  # a resident representative of 2栋
        ("street_staff", False),
        ("pending_a", False),
    ],
)
def test_the_board_and_its_posts_only_for_members_leaders_and_staff(client, world, groups, role, sees):
    item = make_post(world, groups.a, title="周四陪我去医院复查")
    login(client, world.users[role])
    page = client.get(f"/groups/{groups.a.id}").get_data(as_text=True)
    assert ("周四陪我去医院复查" in page) is sees
    assert client.get(f"/help/{item.id}").status_code == (200 if sees else 404)


@pytest.mark.parametrize("role", ["outsider", "other_staff"])
def test_a_post_is_not_found_for_strangers(client, world, groups, role):
    item = make_post(world, groups.a)
    login(client, world.users[role])
    assert client.get(f"/help/{item.id}").status_code == 404
    assert client.post(f"/help/{item.id}/take").status_code == 404
    assert db.session.get(HelpPost, item.id).state == "posted"


def test_anonymous_visitors_are_sent_to_log_in(client, world, groups):
    item = make_post(world, groups.a)
    for url in (f"/help/{item.id}", f"/groups/{groups.a.id}/summary", f"/groups/{groups.a.id}/help/new"):
        assert client.get(url).status_code == 302
    assert client.post(f"/help/{item.id}/take").status_code == 302
    assert db.session.get(HelpPost, item.id).state == "posted"


def post_form(**data):
    return {
        "client_id": "c-1",
        "kind": "request",
        "category": "parcels",
        "title": "帮忙取一下快递",
        "body": "放在菜鸟驿站。",
        **data,
    }


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("resident", 302),
        ("leader_a", 302),
        ("group_leader", 302),
        ("staff", 403),  # sees the board, is no member: staff moderate, neighbours post
        ("leader_b", 404),
        ("owners_committee", 404),
        ("street_staff", 404),
        ("pending_a", 404),
        ("outsider", 404),
        (NOBODY, 302),
    ],
)
def test_members_and_leaders_post_on_the_board(client, world, groups, role, status):
    as_(client, world, role)
    assert client.post(f"/groups/{groups.a.id}/help/new", data=post_form()).status_code == status
    assert count(HelpPost) == (1 if status == 302 and role is not NOBODY else 0)


@pytest.mark.parametrize(
    ("role", "status", "joined"),
    [
        ("leader_a", 302, True),  # lives in 1栋
        ("group_leader", 302, True),
        ("owners_committee", 403, False),  # lives in 2栋
        ("leader_b", 403, False),
        ("pending_a", 403, False),  # not verified
        ("staff", 403, False),  # no home in 1栋
        ("street_staff", 403, False),
        ("outsider", 404, False),
        (NOBODY, 302, False),
    ],
)
def test_residents_of_the_groups_buildings_join(client, world, groups, role, status, joined):
    as_(client, world, role)
    assert client.post(f"/groups/{groups.a.id}/join").status_code == status
    assert client.post(f"/groups/{groups.a.id}/join").status_code == status  # a second tap: one row
    expected = 3 if joined else 2
    assert count(GroupMember, group_id=groups.a.id) == expected


def test_a_member_leaves(client, world, groups):
    login(client, world.users["owner"])
    assert client.post(f"/groups/{groups.a.id}/leave").status_code == 302
    assert count(GroupMember, group_id=groups.a.id) == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("leader_a", 200),
        ("group_leader", 200),
        ("staff", 200),
        ("resident", 403),
        ("leader_b", 403),
        ("resident_rep", 403),
        ("street_staff", 403),
        ("outsider", 404),
        (NOBODY, 302),
    ],
)
def test_moderation_and_convening_pages_for_the_groups_leaders_and_staff(client, world, groups, role, status):
    as_(client, world, role)
    assert client.get(f"/groups/{groups.a.id}/moderation").status_code == status
    assert client.get(f"/groups/{groups.a.id}/consultations/new").status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("leader_a", 302),
        ("group_leader", 302),
        ("staff", 302),
        ("resident", 403),
        ("leader_b", 403),
        ("street_staff", 403),
        ("outsider", 404),
        (NOBODY, 302),
    ],
)
def test_the_groups_consultation_is_drafted_for_its_building_on_the_simple_rules(client, world, groups, role, status):
    as_(client, world, role)
    data = {"title": "楼道大扫除定在哪个周末", "background": "纸箱堆在楼道。", "building_id": world.building_a.id}
    assert client.post(f"/groups/{groups.a.id}/consultations/new", data=data).status_code == status
    made = status == 302 and role is not NOBODY
    assert count(GroupConsultation, group_id=groups.a.id) == (1 if made else 0)
    if made:
        consultation = db.session.query(Consultation).one()
        assert consultation.building_id == world.building_a.id
        assert consultation.parties == ["residents"]
        assert consultation.rule_set.name == "简易规则"
        assert consultation.chair_id == world.users[role].id


def test_a_consultation_for_a_building_outside_the_group_is_refused_and_nothing_stored(client, world, groups):
    login(client, world.users["staff"])
    data = {"title": "楼道大扫除", "background": "", "building_id": world.building_b.id}
    response = client.post(f"/groups/{groups.a.id}/consultations/new", data=data)
    assert response.status_code == 400
    assert "Choose one of the group's buildings." in response.get_data(as_text=True)
    assert count(Consultation) == 0 and count(GroupConsultation) == 0


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("resident", 200),
        ("owners_committee", 200),
        ("street_staff", 200),
        ("outsider", 404),
        ("other_staff", 404),
        (NOBODY, 302),
    ],
)
def test_the_yearly_summary_is_for_whoever_sees_the_community(client, world, groups, role, status):
    as_(client, world, role)
    assert client.get(f"/groups/{groups.a.id}/summary").status_code == status
    assert client.get(f"/groups/{groups.a.id}/summary?year=1999").status_code == status  # an odd year: this one


def group_form(building, **data):
    return {"client_id": "g-1", "name": "3栋睦邻互助会", "description": "", "buildings": [building.id], **data}


@pytest.mark.parametrize(
    ("role", "status"),
    [("staff", 302), ("resident", 403), ("street_staff", 403), ("outsider", 404), (NOBODY, 302)],
)
def test_staff_set_up_a_group_for_a_building_without_one(client, world, groups, role, status):
    third = factories.building(world.community, "3栋")
    db.session.commit()
    as_(client, world, role)
    assert client.post("/c/cuizhuyuan/groups/new", data=group_form(third)).status_code == status
    assert client.post("/c/cuizhuyuan/groups/new", data=group_form(third)).status_code == status  # the same form
    assert count(NeighbourGroup) == (3 if status == 302 and role is not NOBODY else 2)


def test_a_building_leader_sets_up_a_group_only_for_their_building(client, world):
    login(client, world.users["leader_a"])
    assert client.post("/c/cuizhuyuan/groups/new", data=group_form(world.building_b)).status_code == 403
    assert count(NeighbourGroup) == 0
    assert client.post("/c/cuizhuyuan/groups/new", data=group_form(world.building_a)).status_code == 302
    assert count(NeighbourGroup) == 1


def test_a_building_in_a_group_already_is_refused_with_its_name(client, world, groups):
    login(client, world.users["staff"])
    response = client.post("/c/cuizhuyuan/groups/new", data=group_form(world.building_a, client_id="g-2"))
    assert response.status_code == 409
    assert "These buildings have a neighbourhood group already: 1栋." in response.get_data(as_text=True)
    assert count(NeighbourGroup) == 2


def test_a_group_needs_a_building_of_this_community(client, world):
    other_building = factories.building(world.other, "9栋")
    db.session.commit()
    login(client, world.users["staff"])
    for buildings in ([], [other_building.id], ["x"]):
        response = client.post("/c/cuizhuyuan/groups/new", data=group_form(world.building_a, buildings=buildings))
        assert response.status_code == 400
    assert count(NeighbourGroup) == 0


def test_the_groups_page_names_its_leaders(client, world, groups):
    login(client, world.users["resident"])
    page = client.get(f"/groups/{groups.a.id}").get_data(as_text=True)
    line = next(line for line in page.splitlines() if "Led by:" in line)
    assert "leader_a" in line and "group_leader" in line  # 1栋's building leader, a group leader living there
    assert "leader_b" not in line and "resident_rep" not in line  # 2栋's
