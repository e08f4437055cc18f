"""Needs on the community's home (需要您处理 and 社区动态) and in the demo: staff see needs waiting for review,
the demo's expert the needs waiting for their scores; the demo's guidance list is published."""

from __future__ import annotations

from fractions import Fraction

from sqlalchemy import func, select

from app.extensions import db
from app.needs import services
from app.needs.models import GuidanceItem, GuidanceStatus, Need, NeedStatus
from tests.home import activity_links, client_of, demo, demo_user, needs

STAFF, EXPERT, RESIDENT, STREET = "13800000008", "13800000010", "13800000001", "13800000011"
HOME = "/c/cuizhuyuan/"


def _links(app, phone):
    response = client_of(app, demo_user(phone)).get(HOME)
    assert response.status_code == 200
    return needs(response), response


def test_demo_needs_and_guidance_list(app):
    demo(app)
    assert db.session.scalar(select(func.count()).select_from(Need)) >= 8
    items = db.session.scalars(select(GuidanceItem).where(GuidanceItem.status == GuidanceStatus.PUBLISHED)).all()
    assert {"老年人助餐服务", "四点半课堂", "楼道照明与无障碍改造"} <= {i.title for i in items}
    meal = next(i for i in items if i.title == "老年人助餐服务")
    assert all(n.status == NeedStatus.LISTED for n in meal.needs) and len(meal.needs) == 2
    assert services.households_behind([meal])[meal.id] >= 12
    scored = db.session.scalar(select(Need).where(Need.title == "独居老人中午吃饭难"))
    assert services.combined(scored).total == Fraction(16, 4)
    http = client_of(app, demo_user(RESIDENT))
    page = http.get("/c/cuizhuyuan/guidance/2026").get_data(as_text=True)
    assert "老年人助餐服务" in page


def test_home_items_for_staff_and_the_expert(app):
    demo(app)
    staff, _ = _links(app, STAFF)
    assert any(link.startswith("/c/cuizhuyuan/needs?status=submitted") for _t, _d, link in staff)
    expert, _ = _links(app, EXPERT)
    assert any(link == "/screening" for _t, _d, link in expert)  # 老年人智能手机课堂 waits for 周文博's scores
    resident, _ = _links(app, RESIDENT)
    assert not any("/needs" in link or link == "/screening" for _t, _d, link in resident)
    street, _ = _links(app, STREET)
    assert not any("/needs" in link or link == "/screening" for _t, _d, link in street)


def test_new_need_in_the_activity_feed(app):
    demo(app)
    http = client_of(app, demo_user(RESIDENT))
    data = {"client_id": "feed-1", "title": "小区门口加装路灯", "description": "晚上南门太黑。", "affected": "all"}
    assert http.post("/c/cuizhuyuan/needs/new", data=data).status_code == 302
    latest = db.session.scalar(select(Need.id).where(Need.title == "小区门口加装路灯"))
    assert f"/needs/{latest}" in activity_links(http.get(HOME))
