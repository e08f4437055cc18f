"""Notices: who posts where, who sees what, read receipts per household, reach per channel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.core import sms
from app.core.clock import local_today
from app.core.models import utcnow
from app.extensions import db
from app.notices import queries
from app.notices.models import Notice, NoticeRead
from app.notifications import delivery
from app.notifications.models import Delivery, Notification
from tests import factories

NOON = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)  # 12:00 Beijing: no quiet hours


@pytest.fixture(autouse=True)
def daytime(monkeypatch):
    monkeypatch.setattr(delivery, "utcnow", lambda: NOON)


def login(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = factories.login_token(user)
        session["_fresh"] = True


def post(client, slug="cuizhuyuan", **data):
    form = {
        "client_id": data.pop("client_id", "c-1"),
        "title": "周六上午停水",
        "body": "因管道检修，周六8:00-12:00停水。",
    }
    return client.post(f"/c/{slug}/notices/new", data={**form, **data})


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("role", ["staff", "owners_committee", "property_manager", "leader_a"])
def test_staff_committee_manager_and_leaders_may_open_the_form(client, world, role):
    login(client, world.users[role])
    assert client.get("/c/cuizhuyuan/notices/new").status_code == 200


@pytest.mark.parametrize(
    ("role", "status"),
    [("resident", 403), ("expert", 403), ("street_staff", 403), ("other_staff", 404), ("outsider", 404)],
)
def test_others_may_not_post(client, world, role, status):
    login(client, world.users[role])
    assert client.get("/c/cuizhuyuan/notices/new").status_code == status
    assert post(client).status_code == status
    assert count(Notice) == 0


def test_a_notice_to_the_community_reaches_every_verified_member_once(client, world):
    login(client, world.users["staff"])
    response = post(client, pinned="y")
    assert response.status_code == 302
    assert post(client).status_code == 302  # the same form again: one notice
    [notice] = db.session.scalars(select(Notice))
    notified = set(db.session.scalars(select(Notification.user_id).where(Notification.key == notice.notification_key)))
    verified = {
        u.id
        for k, u in world.users.items()
        if k
        not in {
            "staff",
            "pending_a",
            "pending_b",
            "unverified",
            "other_staff",
            "other_resident",
            "street_staff",
            "district_staff",
            "outsider",
        }
    }
    assert notified == verified
    assert count(Delivery) == 0  # information: in the app only, by default


def test_a_building_leader_posts_to_their_building_only(client, world):
    login(client, world.users["leader_a"])
    refused = post(client, scope=str(world.building_b.id))
    assert refused.status_code == 400 and b"only to the buildings you lead" in refused.data
    assert post(client, scope="", client_id="c-2").status_code == 400  # the whole community: not theirs
    assert post(client, scope=str(world.other.buildings[0].id), client_id="c-3").status_code == 400
    assert count(Notice) == 0 and count(Notification) == 0
    assert post(client, scope=str(world.building_a.id), client_id="c-4").status_code == 302
    assert count(Notice) == 1
    users = set(db.session.scalars(select(Notification.user_id)))
    assert world.users["resident"].id in users and world.users["resident_rep"].id not in users  # 2栋


def test_urgent_notices_are_staff_only_and_texted_at_once(client, world):
    login(client, world.users["owners_committee"])
    assert post(client, urgent="y").status_code == 403
    assert count(Notice) == 0
    login(client, world.users["staff"])
    assert post(client, urgent="y", client_id="c-9").status_code == 302
    resident = world.users["resident"]
    assert [m.template for m in sms.backend().recent() if m.phone == resident.phone] == ["notify_info"]


def test_bad_input_is_refused_with_a_message_and_stores_nothing(client, world):
    login(client, world.users["staff"])
    assert post(client, title="x" * 10_000).status_code == 400
    assert post(client, body="").status_code == 400
    assert post(client, scope="99999").status_code == 400
    assert post(client, scope="abc").status_code == 400
    past = (local_today() - timedelta(days=1)).isoformat()
    response = post(client, expires_on=past)
    assert response.status_code == 400 and b"between today and a year" in response.data
    assert count(Notice) == 0


def _notice(client, world, **data):
    login(client, world.users["staff"])
    assert post(client, **data).status_code == 302
    return db.session.scalars(select(Notice).order_by(Notice.id.desc())).first()


def test_reading_marks_the_household_and_the_author_sees_the_reach(client, world):
    notice = _notice(client, world, scope=str(world.building_a.id))
    for key in ("resident", "leader_a"):  # two people of 1-101: one household
        login(client, world.users[key])
        page = client.get(f"/notices/{notice.id}")
        assert page.status_code == 200 and "停水".encode() in page.data
        assert b"households have read it" not in page.data or key == "leader_a"
    login(client, world.users["owner"])
    client.get(f"/notices/{notice.id}")
    reach = queries.reach(notice)
    assert (reach.households, reach.read) == (2, 2)  # 1栋 has 1-101 and 1-102
    assert count(NoticeRead) == 3
    login(client, world.users["staff"])
    assert b"2 of 2 households have read it." in client.get(f"/notices/{notice.id}").data


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("resident_rep", 404),
        ("other_resident", 404),
        ("outsider", 404),
        ("resident", 200),
        ("street_staff", 200),
        ("property_manager", 200),
    ],
)
def test_a_building_notice_is_seen_in_its_building(client, world, role, status):
    notice = _notice(client, world, scope=str(world.building_a.id))
    login(client, world.users[role])
    assert client.get(f"/notices/{notice.id}").status_code == status


@pytest.mark.parametrize(
    ("role", "status"), [("staff", 302), ("resident", 403), ("property_manager", 403), ("other_staff", 404)]
)
def test_only_the_author_and_staff_manage_a_notice(client, world, role, status):
    notice = _notice(client, world, pinned="y")
    login(client, world.users[role])
    assert client.post(f"/notices/{notice.id}/unpin").status_code == status
    assert (
        client.post(f"/notices/{notice.id}/edit", data={"title": "改过的标题", "body": "改过的内容"}).status_code
        == status
    )
    assert client.post(f"/notices/{notice.id}/withdraw").status_code == status
    db.session.refresh(notice)
    assert (notice.withdrawn_at is not None) == (status == 302)


def test_withdrawn_and_expired_notices_leave_the_residents_list(client, world):
    kept = _notice(client, world, client_id="a")
    pinned = _notice(client, world, client_id="b", pinned="y")
    gone = _notice(client, world, client_id="c")
    client.post(f"/notices/{gone.id}/withdraw")
    expired = _notice(client, world, client_id="d")
    expired.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    login(client, world.users["resident"])
    from app.communities import access

    viewer = access.community_viewer("cuizhuyuan", world.users["resident"])
    assert [n.id for n in queries.active_for(viewer, 5)] == [pinned.id, kept.id]
    assert client.get(f"/notices/{gone.id}").status_code == 404
    page = client.get("/c/cuizhuyuan/notices")
    assert page.status_code == 200 and page.data.count(b"/notices/") >= 2
