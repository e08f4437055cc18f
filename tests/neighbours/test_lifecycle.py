"""A group edited (staff: name, description, buildings; its leaders: name and description) and dissolved (staff,
with a reason): per role, allowed and denied; a building in another group refused with a message; after the
dissolution the board is read-only history, its open posts closed with the reason, its members told, its
buildings free again and its yearly summary still there. A refusal stores nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.clock import local_today
from app.extensions import db
from app.neighbours import services
from app.neighbours.models import GroupMember, HelpPost, HelpState, NeighbourGroup
from app.notifications.models import Notification
from tests import factories
from tests.neighbours import login, make_post, viewer
from tests.objections.conftest import far_street_staff  # noqa: F401  (street staff of another street)

NOBODY = None
EDITORS = {"staff", "leader_a", "group_leader"}  # staff; the building leader of 1栋; a group leader living there
SEE_NOT = {"other_staff", "outsider", "far_street_staff"}
ROLES = [
    "resident",
    "owner",
    "leader_a",
    "group_leader",
    "leader_b",
    "resident_rep",
    "owners_committee",
    "property_manager",
    "staff",
    "pending_a",
    "street_staff",
    "district_staff",
    "other_staff",
    "outsider",
    "far_street_staff",
]


def expected(role, allowed: set[str], ok: int) -> int:
    if role in SEE_NOT:
        return 404
    return ok if role in allowed else 403


def fresh(group) -> NeighbourGroup:
    db.session.expire_all()
    return db.session.get(NeighbourGroup, group.id)


def edit(client, group, **data):
    form = {"name": group.name, "description": "", **data}
    return client.post(f"/groups/{group.id}/edit", data=form)


@pytest.mark.usefixtures("far_street_staff")
@pytest.mark.parametrize("role", ROLES)
def test_who_edits_a_group(client, world, groups, role):
    login(client, world.users[role])
    assert client.get(f"/groups/{groups.a.id}/edit").status_code == expected(role, EDITORS, 200)
    buildings = [str(world.building_a.id)]  # as the staff's form posts them (a leader's are not read)
    response = edit(client, groups.a, name="1栋邻里互助会", description="借工具、代取快递", buildings=buildings)
    assert response.status_code == expected(role, EDITORS, 302)
    group = fresh(groups.a)
    if role in EDITORS:
        assert (group.name, group.description) == ("1栋邻里互助会", "借工具、代取快递")
    else:
        assert (group.name, group.description) == ("1栋睦邻互助会", "")


def test_a_visitor_is_sent_to_log_in(client, groups):
    assert client.get(f"/groups/{groups.a.id}/edit").status_code == 302
    assert client.post(f"/groups/{groups.a.id}/dissolve", data={"dissolve-reason": "x"}).status_code == 302


def test_only_staff_see_and_change_the_buildings(client, world, groups):
    third = factories.building(world.community, "3栋")
    db.session.commit()
    login(client, world.users["leader_a"])
    assert "3栋" not in client.get(f"/groups/{groups.a.id}/edit").get_data(as_text=True)
    edit(client, groups.a, buildings=[str(world.building_a.id), str(third.id)])  # ignored: not theirs to change
    assert fresh(groups.a).building_ids == {world.building_a.id}
    login(client, world.users["staff"])
    page = client.get(f"/groups/{groups.a.id}/edit").get_data(as_text=True)
    assert "3栋" in page and "2栋" not in page  # 2栋 is in another group
    assert edit(client, groups.a, buildings=[str(third.id)]).status_code == 302
    assert fresh(groups.a).building_ids == {third.id}
    assert edit(client, groups.a, buildings=[str(world.building_a.id), str(third.id)]).status_code == 302
    assert fresh(groups.a).building_ids == {world.building_a.id, third.id}


def test_a_building_in_another_group_is_refused_with_its_name(client, world, groups):
    login(client, world.users["staff"])
    response = edit(client, groups.a, name="新名字", buildings=[str(world.building_a.id), str(world.building_b.id)])
    assert response.status_code == 409
    assert "These buildings have a neighbourhood group already: 2栋." in response.get_data(as_text=True)
    group = fresh(groups.a)
    assert group.building_ids == {world.building_a.id} and group.name == "1栋睦邻互助会"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"buildings": []}, "Choose the buildings of this community the group covers."),
        ({"buildings": ["99999"]}, "Choose the buildings of this community the group covers."),
        ({"name": "2栋睦邻互助会"}, "A group of this community has this name already."),
        ({"name": "名\x00字"}, "control character"),
        ({"name": "名" * 61}, ""),
    ],
)
def test_bad_edits_are_refused_with_a_message_and_change_nothing(client, world, groups, data, message):
    login(client, world.users["staff"])
    form = {"buildings": [str(world.building_a.id)], **data}
    response = edit(client, groups.a, **form)
    assert response.status_code in (400, 409)
    assert message in response.get_data(as_text=True)
    group = fresh(groups.a)
    assert group.name == "1栋睦邻互助会" and group.building_ids == {world.building_a.id}


@pytest.mark.usefixtures("far_street_staff")
@pytest.mark.parametrize("role", ROLES)
def test_only_staff_dissolve_a_group(client, world, groups, role):
    login(client, world.users[role])
    response = client.post(f"/groups/{groups.a.id}/dissolve", data={"dissolve-reason": "楼栋合并管理"})
    assert response.status_code == expected(role, {"staff"}, 302)
    assert fresh(groups.a).is_dissolved is (role == "staff")


@pytest.mark.parametrize("reason", ["", " ", "长" * 201, "a\x00b"])
def test_a_dissolution_needs_a_reason(client, world, groups, reason):
    item = make_post(world, groups.a)
    login(client, world.users["staff"])
    assert client.post(f"/groups/{groups.a.id}/dissolve", data={"dissolve-reason": reason}).status_code == 400
    assert not fresh(groups.a).is_dissolved
    assert db.session.get(HelpPost, item.id).state == HelpState.POSTED


def _kinds(user) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)))


def test_dissolving_closes_open_posts_tells_members_and_keeps_the_record(client, world, groups):
    waiting = make_post(world, groups.a, "resident", title="借一把梯子")
    taken = make_post(world, groups.a, "owner", title="代取快递")
    services.take(viewer(world, "leader_a"), taken)
    done = make_post(world, groups.a, "resident", title="陪同就医")
    services.take(viewer(world, "owner"), done)
    services.mark_done(viewer(world, "owner"), done)
    db.session.commit()
    login(client, world.users["staff"])
    assert client.post(f"/groups/{groups.a.id}/dissolve", data={"dissolve-reason": "楼栋合并管理"}).status_code == 302

    db.session.expire_all()
    for item in (waiting, taken):
        closed = db.session.get(HelpPost, item.id)
        assert closed.state == HelpState.WITHDRAWN and closed.closed_reason == "楼栋合并管理"
    assert db.session.get(HelpPost, done.id).state == HelpState.DONE
    for key in ("resident", "owner", "leader_a"):  # the members, and the neighbour who had taken a post
        assert "group_dissolved" in _kinds(world.users[key])
    assert "group_dissolved" not in _kinds(world.users["staff"])
    group = fresh(groups.a)
    assert group.building_ids == set() and group.dissolved_reason == "楼栋合并管理"

    summary = services.summary(group, local_today().year)
    assert summary.total == 3 and summary.helped == 1 and summary.members == 2

    login(client, world.users["resident"])  # a member still reads the board's history
    page = client.get(f"/groups/{groups.a.id}?closed=1").get_data(as_text=True)
    assert "楼栋合并管理" in page and "借一把梯子" in page
    assert "Closed when the group was dissolved: 楼栋合并管理" in client.get(f"/help/{waiting.id}").get_data(
        as_text=True
    )
    assert client.get(f"/groups/{groups.a.id}/summary").status_code == 200
    assert "Dissolved" in client.get("/c/cuizhuyuan/groups").get_data(as_text=True)


def test_a_dissolved_groups_board_is_read_only(client, world, groups):
    done = make_post(world, groups.a, "resident", title="陪同就医")
    services.take(viewer(world, "owner"), done)
    services.mark_done(viewer(world, "owner"), done)
    services.dissolve(viewer(world, "staff"), groups.a, "楼栋合并管理")
    db.session.commit()
    login(client, world.users["resident"])
    refused = client.post(
        f"/groups/{groups.a.id}/help/new",
        data={"client_id": "p-9", "kind": "request", "category": "tools", "title": "借电钻"},
    )
    assert refused.status_code == 409 and "This group has been dissolved" in refused.get_data(as_text=True)
    thanks = client.post(f"/help/{done.id}/thank", data={"note": "谢谢"})
    assert thanks.status_code == 409 and "This group has been dissolved" in thanks.get_data(as_text=True)
    assert db.session.get(HelpPost, done.id).state == HelpState.DONE
    login(client, world.users["leader_a"])  # lives in 1栋, not a member
    assert client.post(f"/groups/{groups.a.id}/join").status_code == 302
    assert db.session.scalar(select(GroupMember.id).where(GroupMember.user_id == world.users["leader_a"].id)) is None
    for key in ("staff", "leader_a"):
        login(client, world.users[key])
        assert client.get(f"/groups/{groups.a.id}/moderation").status_code == 403
        assert client.get(f"/groups/{groups.a.id}/edit").status_code == 403
        assert client.post(f"/groups/{groups.a.id}/dissolve", data={"dissolve-reason": "再次"}).status_code == 403
    assert db.session.scalar(select(HelpPost.id).where(HelpPost.title == "借电钻")) is None


def test_the_services_say_why_a_dissolved_group_refuses(world, groups):
    from app.core.errors import DomainError

    services.dissolve(viewer(world, "staff"), groups.a, "楼栋合并管理")
    for attempt in (
        lambda: services.post(
            viewer(world, "resident"),
            groups.a,
            client_id="x",
            kind="request",
            category="tools",
            title="借电钻",
            body="",
        ),
        lambda: services.update(viewer(world, "staff"), groups.a, name="新名", description=""),
        lambda: services.dissolve(viewer(world, "staff"), groups.a, "再次"),
    ):
        with pytest.raises(DomainError) as refused:
            attempt()
        assert refused.value.code == "dissolved" and refused.value.status_code == 409


def test_a_freed_building_can_have_a_new_group(client, world, groups):
    services.dissolve(viewer(world, "staff"), groups.a, "楼栋合并管理")
    db.session.commit()
    login(client, world.users["staff"])
    response = client.post(
        "/c/cuizhuyuan/groups/new",
        data={"client_id": "g-2", "name": "1栋新互助会", "buildings": [str(world.building_a.id)]},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(NeighbourGroup).where(NeighbourGroup.name == "1栋新互助会")).building_ids == {
        world.building_a.id
    }


def test_the_home_asks_nothing_more_of_a_dissolved_groups_board(world, groups):
    from app.neighbours import queries

    done = make_post(world, groups.a, "resident", title="陪同就医")
    services.take(viewer(world, "owner"), done)
    services.mark_done(viewer(world, "owner"), done)
    db.session.commit()
    assert [p.id for p in queries.needs(viewer(world, "resident")).to_thank] == [done.id]
    services.dissolve(viewer(world, "staff"), groups.a, "楼栋合并管理")
    db.session.commit()
    assert queries.needs(viewer(world, "resident")).to_thank == []
