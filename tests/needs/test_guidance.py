"""The guidance list: items made from screened needs by community staff (and street-wide ones by street staff),
the year published (needs LISTED, authors told), the stable per-year pages, households behind each item, and
the CSV and XLSX export; per role, allowed and denied, and bad input."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.core.errors import Forbidden
from app.core.models import utcnow
from app.extensions import db
from app.needs import services
from app.needs.models import GuidanceItem, GuidanceStatus, NeedStatus, NeedSupport
from app.notifications.models import Notification
from tests import factories as f


@pytest.fixture
def ready(world, people):
    """Two screened needs (screening closed) of 翠竹园, one of 南塘, with households behind them."""
    a = f.need(world.community, world.users["resident"], title="老年人助餐", status=NeedStatus.SCREENING)
    b = f.need(world.community, world.users["leader_b"], title="助餐送餐上门", status=NeedStatus.SCREENING)
    c = f.need(world.other, world.users["other_resident"], title="南塘助餐", status=NeedStatus.SCREENING)
    for n in (a, b, c):
        n.screening_closed_at = utcnow()
    db.session.add(NeedSupport(need_id=a.id, household_id=world.households["a102"].id))
    db.session.add(NeedSupport(need_id=b.id, household_id=world.households["a101"].id))  # a101 is a's author's
    db.session.commit()
    return a, b, c


def _item(need_ids, **over):
    data = {
        "need_ids": [str(i) for i in need_ids],
        "title": "老年人助餐服务",
        "summary": "为独居和高龄老人提供午餐。",
        "affected": "elderly",
        "cost_low": "50000",
        "cost_high": "120000",
        "year": "2026",
    }
    data.update(over)
    return data


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_staff_make_publish_and_export_the_list(client, auth, world, ready):
    a, b, _c = ready
    auth.login(world.users["staff"])
    page = client.get("/c/cuizhuyuan/guidance/new").get_data(as_text=True)
    assert "老年人助餐" in page and "南塘助餐" not in page
    assert client.post("/c/cuizhuyuan/guidance/new", data=_item([a.id, b.id])).status_code == 302
    item = db.session.scalar(select(GuidanceItem))
    assert item.status == GuidanceStatus.DRAFT and item.cost_low_fen == 5_000_000 and item.community_id
    assert client.get("/c/cuizhuyuan/guidance/2026").get_data(as_text=True).count("老年人助餐服务") == 0
    assert client.post("/c/cuizhuyuan/guidance/publish", data={"year": "2026"}).status_code == 302
    db.session.refresh(a)
    assert a.status == NeedStatus.LISTED and item.status == GuidanceStatus.PUBLISHED
    told = db.session.scalar(select(Notification).where(Notification.user_id == world.users["resident"].id))
    assert told is not None and told.kind == "need_status"
    auth.logout()
    auth.login(world.users["owner"])
    page = client.get("/c/cuizhuyuan/guidance/2026").get_data(as_text=True)
    assert "老年人助餐服务" in page
    assert "3 households behind it" in page  # a101 (author of a, supporter of b), a102, b101
    csv = client.get("/c/cuizhuyuan/guidance/2026.csv")
    assert csv.status_code == 200 and "老年人助餐服务" in csv.data.decode("utf-8-sig")
    xlsx = client.get("/c/cuizhuyuan/guidance/2026.xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.cell(2, 2).value == "老年人助餐服务" and sheet.cell(2, 7).value == 3


@pytest.mark.parametrize(
    ("over", "field_message"),
    [
        ({"need_ids": []}, "Choose one or more screened needs."),
        ({"cost_low": "200000"}, "The band's upper bound is below its lower bound."),
        ({"cost_low": "abc"}, None),
        ({"year": "1999"}, "Give a year from 2000 to 2100."),
        ({"title": "x"}, None),
    ],
)
def test_bad_items_are_refused(client, auth, world, ready, over, field_message):
    a, _b, _c = ready
    auth.login(world.users["staff"])
    response = client.post("/c/cuizhuyuan/guidance/new", data={**_item([a.id]), **over})
    assert response.status_code == 400
    if field_message:
        assert field_message in response.get_data(as_text=True)
    assert _count(GuidanceItem) == 0


def test_a_need_of_another_community_or_unscreened_is_refused(client, auth, world, ready):
    _a, _b, c = ready
    fresh = f.need(world.community, world.users["resident"], status=NeedStatus.SCREENING)  # screening still open
    db.session.commit()
    auth.login(world.users["staff"])
    for need in (c, fresh):
        response = client.post("/c/cuizhuyuan/guidance/new", data=_item([need.id]))
        assert response.status_code == 400
    assert _count(GuidanceItem) == 0


def test_publishing_nothing_is_refused(client, auth, world, ready):
    auth.login(world.users["staff"])
    assert client.post("/c/cuizhuyuan/guidance/publish", data={"year": "2026"}).status_code == 409


@pytest.mark.parametrize("role", ["resident", "leader_a", "social_org", "street_staff", "district_staff"])
def test_only_community_staff_make_and_publish_community_items(client, auth, world, ready, role):
    a, _b, _c = ready
    auth.login(world.users[role])
    assert client.get("/c/cuizhuyuan/guidance").status_code == 200
    assert client.get("/c/cuizhuyuan/guidance/new").status_code == 403
    assert client.post("/c/cuizhuyuan/guidance/new", data=_item([a.id])).status_code == 403
    assert client.post("/c/cuizhuyuan/guidance/publish", data={"year": "2026"}).status_code == 403
    assert _count(GuidanceItem) == 0


@pytest.mark.parametrize("role", ["other_resident", "outsider", "far_street_staff", "street_expert"])
def test_strangers_do_not_see_the_community_list(client, auth, people, ready, role):
    auth.login(people[role])
    assert client.get("/c/cuizhuyuan/guidance").status_code == 404
    assert client.get("/c/cuizhuyuan/guidance/2026").status_code == 404
    assert client.get("/c/cuizhuyuan/guidance/2026.csv").status_code == 404


def test_street_staff_make_street_wide_items(client, auth, world, people, ready):
    a, _b, c = ready
    street = world.community.street
    auth.login(world.users["street_staff"])
    page = client.get(f"/streets/{street.id}/guidance/new").get_data(as_text=True)
    assert "南塘助餐" in page and "老年人助餐" in page
    assert client.post(f"/streets/{street.id}/guidance/new", data=_item([a.id, c.id])).status_code == 302
    item = db.session.scalar(select(GuidanceItem))
    assert item.community_id is None and item.street_id == street.id
    assert client.post(f"/streets/{street.id}/guidance/publish", data={"year": "2026"}).status_code == 302
    for role in ("resident", "other_resident", "district_staff"):
        auth.logout()
        auth.login(people[role])
        assert "老年人助餐服务" in client.get(f"/streets/{street.id}/guidance/2026").get_data(as_text=True)
    auth.logout()
    auth.login(people["street_expert"])
    assert client.get(f"/streets/{street.id}/guidance/2026.csv").status_code == 200


@pytest.mark.parametrize("role", ["staff", "district_staff", "resident"])
def test_only_the_streets_staff_make_street_wide_items(client, auth, world, people, ready, role):
    a, _b, _c = ready
    street = world.community.street
    auth.login(people[role])
    assert client.post(f"/streets/{street.id}/guidance/new", data=_item([a.id])).status_code == 403
    assert _count(GuidanceItem) == 0


@pytest.mark.parametrize("role", ["far_street_staff", "far_expert", "outsider"])
def test_another_streets_people_do_not_see_the_street_list(client, auth, world, people, role):
    auth.login(people[role])
    assert client.get(f"/streets/{world.community.street.id}/guidance").status_code == 404
    assert client.get(f"/streets/{world.community.street.id}/guidance/2026").status_code == 404


def test_published_items_query(app, world, ready):
    from app.needs import queries

    _a, _b, _c = ready
    community_item = GuidanceItem(
        street_id=world.community.street_id,
        community_id=world.community.id,
        year=2026,
        title="社区项",
        status=GuidanceStatus.PUBLISHED,
    )
    street_item = GuidanceItem(
        street_id=world.community.street_id, year=2026, title="街道项", status=GuidanceStatus.PUBLISHED
    )
    other_item = GuidanceItem(
        street_id=world.other.street_id,
        community_id=world.other.id,
        year=2026,
        title="南塘项",
        status=GuidanceStatus.PUBLISHED,
    )
    draft = GuidanceItem(street_id=world.community.street_id, community_id=world.community.id, year=2026, title="草稿")
    db.session.add_all([community_item, street_item, other_item, draft])
    db.session.flush()
    street = world.community.street
    assert {i.title for i in queries.published_items(street, community=world.community)} == {"社区项", "街道项"}
    assert {i.title for i in queries.published_items(street)} == {"社区项", "街道项", "南塘项"}
    assert queries.published_items(street, year=2025) == []


MAKERS = {"community": {"staff"}, "street": {"street_staff"}}


@pytest.mark.parametrize("scope_kind", ["community", "street"])
@pytest.mark.parametrize(
    "role", ["staff", "other_staff", "resident", "leader_a", "social_org", "street_staff", "district_staff"]
)
def test_the_service_decides_who_makes_and_publishes(world, ready, scope_kind, role):
    """make_item and publish check needs.permissions themselves: no caller hands them a verdict."""
    a, b, _c = ready
    community = world.community if scope_kind == "community" else None
    scope = services.Scope(world.community.street, community)
    user = world.users[role]
    fields = {
        "need_ids": [a.id, b.id],
        "title": "老年人助餐服务",
        "summary": "为独居和高龄老人提供午餐。",
        "affected": "elderly",
        "cost_low_fen": 5_000_000,
        "cost_high_fen": 12_000_000,
        "year": 2026,
    }
    if role in MAKERS[scope_kind]:
        item = services.make_item(user, scope, **fields)
        assert services.publish(user, scope, 2026) == [item]
        assert item.status == GuidanceStatus.PUBLISHED
    else:
        with pytest.raises(Forbidden):
            services.make_item(user, scope, **fields)
        with pytest.raises(Forbidden):
            services.publish(user, scope, 2026)
        assert _count(GuidanceItem) == 0
