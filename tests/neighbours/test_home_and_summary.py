"""What the home page asks of a resident (someone took your request, a thank-you to say, neighbours asking for
help in your group, reports to review), the yearly summary, the notifications' Chinese, and the demo's group."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import demo
from app.core.clock import local_today
from app.extensions import db
from app.flows import group_consultations
from app.neighbours import queries, services
from app.neighbours.models import HelpPost, HelpState, NeighbourGroup
from app.notifications.models import Notification
from tests import factories
from tests.neighbours import login, make_post, viewer


def home(client, user) -> str:
    login(client, user)
    return client.get("/c/cuizhuyuan/").get_data(as_text=True)


def test_home_tells_the_author_who_took_their_request_then_asks_for_a_thank_you(client, world, groups):
    item = make_post(world, groups.a, "resident", title="周四陪我去医院")
    assert "周四陪我去医院" not in home(client, world.users["resident"])
    services.take(viewer(world, "owner"), item)
    db.session.commit()
    page = home(client, world.users["resident"])
    assert "owner will help you: “周四陪我去医院”" in page
    services.mark_done(viewer(world, "owner"), item)
    db.session.commit()
    assert "Say thank you for “周四陪我去医院”" in home(client, world.users["resident"])
    services.thank(viewer(world, "resident"), item)
    db.session.commit()
    assert "周四陪我去医院" not in home(client, world.users["resident"])


def test_home_tells_members_and_leaders_a_neighbour_is_asking_for_help(client, world, groups):
    make_post(world, groups.a, "resident")
    make_post(world, groups.a, "resident", title="帮忙取快递", category="parcels")
    text = "2 neighbours in your group are asking for help"
    assert text in home(client, world.users["owner"])  # a member
    assert text in home(client, world.users["leader_a"])  # a leader
    assert "asking for help" not in home(client, world.users["resident"])  # their own requests
    assert "asking for help" not in home(client, world.users["leader_b"])  # another group's leader
    assert "asking for help" not in home(client, world.users["owners_committee"])  # another group's member


def test_home_tells_the_groups_leaders_of_reports(client, world, groups):
    item = make_post(world, groups.a, "resident")
    services.report(viewer(world, "owner"), item, "广告")
    db.session.commit()
    assert "1 report to review" in home(client, world.users["leader_a"])
    assert "report to review" not in home(client, world.users["leader_b"])


def test_the_notification_reaches_a_chinese_reader_in_chinese(world, groups):
    world.users["resident"].locale = "zh_CN"
    item = make_post(world, groups.a, "resident", title="帮忙取快递")
    services.take(viewer(world, "owner"), item)
    db.session.commit()
    text = db.session.scalar(select(Notification.text).where(Notification.user_id == world.users["resident"].id))
    assert text == "owner 愿意帮您：“帮忙取快递”。"


def test_the_summary_counts_the_years_help_by_kind_and_state(client, world, groups):
    posted = make_post(world, groups.a, "resident", category="escort")
    thanked = make_post(world, groups.a, "resident", category="tools", title="借梯子")
    withdrawn = make_post(world, groups.a, "owner", category="tools", title="借电钻", kind="offer")
    make_post(world, groups.b, "owners_committee", category="tools", title="另一个互助会的")
    services.take(viewer(world, "owner"), thanked)
    services.mark_done(viewer(world, "owner"), thanked)
    services.thank(viewer(world, "resident"), thanked)
    services.withdraw(viewer(world, "owner"), withdrawn)
    db.session.commit()
    summary = services.summary(groups.a, local_today().year)
    assert summary.total == 3 and summary.helped == 1 and summary.members == 2
    assert summary.counts["tools"][HelpState.THANKED] == 1
    assert summary.counts["tools"][HelpState.WITHDRAWN] == 1
    assert summary.counts[posted.category][HelpState.POSTED] == 1
    assert services.summary(groups.a, local_today().year - 1).total == 0
    login(client, world.users["street_staff"])
    page = client.get(f"/groups/{groups.a.id}/summary").get_data(as_text=True)
    assert "1 times neighbours helped, of 3 requests and offers." in page
    assert "借梯子" not in page  # counts only: no post, no name


def test_the_summary_lists_the_groups_consultations(client, world, groups):
    consultation = group_consultations.convene(
        viewer(world, "leader_a"), groups.a, title="楼道大扫除", background="", building_id=world.building_a.id
    )
    db.session.commit()
    login(client, world.users["resident"])
    page = client.get(f"/groups/{groups.a.id}/summary").get_data(as_text=True)
    assert "楼道大扫除" in page and f"/consultations/{consultation.id}" in page
    assert "楼道大扫除" in client.get(f"/groups/{groups.a.id}").get_data(as_text=True)


def test_the_demo_has_a_group_for_building_1_with_a_post_in_every_state(app):
    assert demo.load("demo-password-1")
    db.session.commit()
    group = db.session.scalar(select(NeighbourGroup))
    assert [b.building.name for b in group.buildings] == ["1栋"]
    states = {p.state for p in db.session.scalars(select(HelpPost).where(HelpPost.group_id == group.id))}
    assert states == set(HelpState)
    assert len(queries.consultations(group)) == 1


@pytest.mark.parametrize("phone", ["13800000001", "13800000003", "13800000008", "13800000011"])
def test_the_demo_groups_pages_open_for_its_people(app, client, phone):
    demo.load("demo-password-1")
    db.session.commit()
    group = db.session.scalar(select(NeighbourGroup))
    user = db.session.scalar(select(factories.User).where(factories.User.phone == phone))
    login(client, user)
    for url in (f"/groups/{group.id}", f"/groups/{group.id}/summary", "/c/cuizhuyuan/groups", "/c/cuizhuyuan/"):
        assert client.get(url).status_code == 200, url
    for item in db.session.scalars(select(HelpPost)):
        assert client.get(f"/help/{item.id}").status_code in (200, 404)
