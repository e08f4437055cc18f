"""Leaders moderate within their group with the moderation kernel (report, auto-hide, hide, restore, mute, lock);
a leader of another building's group is refused (404 where they cannot see, 403 otherwise)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.moderation.models import ModerationAction, Mute, Report
from app.neighbours import services
from app.neighbours.models import HelpPost, NeighbourGroup
from tests import factories
from tests.neighbours import count, login, make_post, viewer


def hidden(item) -> bool:
    db.session.expire_all()
    return db.session.get(HelpPost, item.id).is_hidden


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("leader_a", 302),
        ("group_leader", 302),
        ("staff", 302),
        ("owner", 403),  # a member reports, does not hide
        ("leader_b", 404),  # another group's leader does not see the post
        ("street_staff", 404),
        ("outsider", 404),
    ],
)
def test_the_groups_leaders_and_staff_hide_a_post_with_a_reason(client, world, groups, role, status):
    item = make_post(world, groups.a, "resident")
    login(client, world.users[role])
    assert client.post(f"/help/{item.id}/hide", data={"reason": "与互助无关"}).status_code == status
    assert hidden(item) is (status == 302)
    if status == 302:
        entry = db.session.scalar(select(ModerationAction))
        assert (entry.action, entry.room, entry.reason) == ("hide", groups.a.room, "与互助无关")


def test_a_hidden_post_is_seen_by_its_author_and_moderators_only_and_can_be_restored(client, world, groups):
    item = make_post(world, groups.a, "resident")
    services.hide(viewer(world, "leader_a"), item, "与互助无关")
    db.session.commit()
    for role, status in [("owner", 404), ("resident", 200), ("leader_a", 200), ("staff", 200)]:
        login(client, world.users[role])
        assert client.get(f"/help/{item.id}").status_code == status, role
    login(client, world.users["owner"])
    assert client.post(f"/help/{item.id}/take").status_code == 404
    login(client, world.users["resident"])
    assert client.post(f"/help/{item.id}/restore").status_code == 403
    login(client, world.users["group_leader"])
    assert client.post(f"/help/{item.id}/restore").status_code == 302
    assert not hidden(item)


def test_a_hide_without_a_reason_is_refused_and_nothing_changes(client, world, groups):
    item = make_post(world, groups.a, "resident")
    login(client, world.users["leader_a"])
    assert client.post(f"/help/{item.id}/hide", data={"reason": ""}).status_code == 400
    assert not hidden(item) and count(ModerationAction) == 0


def test_reports_from_three_members_hide_a_post_until_a_leader_looks(client, world, groups):
    for key in ("leader_a", "group_leader"):
        services.join(viewer(world, key), groups.a)
    db.session.commit()
    item = make_post(world, groups.a, "resident")
    for n, key in enumerate(("owner", "leader_a", "group_leader"), start=1):
        login(client, world.users[key])
        assert client.post(f"/help/{item.id}/report", data={"reason": "广告"}).status_code == 302
        assert client.post(f"/help/{item.id}/report", data={"reason": "广告"}).status_code == 302  # once each
        assert count(Report) == n
    assert hidden(item)
    assert db.session.scalar(select(ModerationAction.action)) == "auto_hide"


@pytest.mark.parametrize(("role", "status"), [("resident", 403), ("leader_b", 404), ("street_staff", 404)])
def test_who_may_not_report(client, world, groups, role, status):
    item = make_post(world, groups.a, "resident")  # the author does not report their own post
    login(client, world.users[role])
    assert client.post(f"/help/{item.id}/report", data={"reason": "广告"}).status_code == status
    assert count(Report) == 0


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("leader_a", 302),
        ("staff", 302),
        ("resident", 403),
        ("leader_b", 403),
        ("resident_rep", 403),
        ("street_staff", 403),
        ("outsider", 404),
    ],
)
def test_the_groups_leaders_mute_a_member_on_its_board(client, world, groups, role, status):
    login(client, world.users[role])
    data = {"user_id": world.users["owner"].id, "minutes": 60, "reason": "刷屏"}
    assert client.post(f"/groups/{groups.a.id}/mute", data=data).status_code == status
    assert count(Mute) == (1 if status == 302 else 0)


def test_a_muted_member_neither_posts_nor_takes(client, world, groups):
    item = make_post(world, groups.a, "resident")
    services.mute(viewer(world, "leader_a"), groups.a, world.users["owner"].id, 60, "刷屏")
    db.session.commit()
    login(client, world.users["owner"])
    data = {"client_id": "m-1", "kind": "request", "category": "other", "title": "再发一条"}
    response = client.post(f"/groups/{groups.a.id}/help/new", data=data)
    assert response.status_code == 403
    assert client.post(f"/help/{item.id}/take").status_code == 403
    assert count(HelpPost) == 1


def test_muting_someone_outside_the_community_or_oneself_is_refused(client, world, groups):
    login(client, world.users["leader_a"])
    cases = [
        (world.users["outsider"].id, 404),
        (world.users["leader_a"].id, 400),
        (2**40, 400),
        (world.users["leader_b"].id, 400),  # in the community, not in this group: nothing to mute here
    ]
    for user_id, status in cases:
        data = {"user_id": user_id, "minutes": 60, "reason": "刷屏"}
        assert client.post(f"/groups/{groups.a.id}/mute", data=data).status_code == status
    assert count(Mute) == 0


@pytest.mark.parametrize(
    ("role", "status"),
    [("leader_a", 302), ("staff", 302), ("resident", 403), ("leader_b", 403), ("street_staff", 403), ("outsider", 404)],
)
def test_the_groups_leaders_lock_the_board(client, world, groups, role, status):
    login(client, world.users[role])
    assert client.post(f"/groups/{groups.a.id}/lock", data={"reason": "争吵太多，冷静一下"}).status_code == status
    db.session.expire_all()
    assert db.session.get(NeighbourGroup, groups.a.id).locked is (status == 302)


def test_a_locked_board_takes_posts_from_leaders_only_until_unlocked(client, world, groups):
    services.set_locked(viewer(world, "leader_a"), groups.a, True, "冷静一下")
    db.session.commit()
    data = {"client_id": "l-1", "kind": "offer", "category": "other", "title": "通知：周六大扫除"}
    login(client, world.users["resident"])
    assert client.post(f"/groups/{groups.a.id}/help/new", data=data).status_code == 403
    login(client, world.users["leader_a"])
    assert client.post(f"/groups/{groups.a.id}/help/new", data=data).status_code == 302
    assert client.post(f"/groups/{groups.a.id}/lock", data={"reason": ""}).status_code == 400  # a lock needs one
    assert client.post(f"/groups/{groups.a.id}/unlock", data={"reason": ""}).status_code == 302
    login(client, world.users["resident"])
    assert client.post(f"/groups/{groups.a.id}/help/new", data={**data, "client_id": "l-2"}).status_code == 302
    actions = list(db.session.scalars(select(ModerationAction.action).order_by(ModerationAction.id)))
    assert actions == ["lock", "unlock"]


def test_a_leader_of_a_building_in_two_communities_moderates_only_here(client, world, groups):
    """A leader's roles are per community: another community's building leader gets nothing here."""
    other_leader = factories.user()
    factories.membership(other_leader, world.other, *(), led_building=None)
    db.session.commit()
    login(client, other_leader)
    assert client.get(f"/groups/{groups.a.id}/moderation").status_code == 404
