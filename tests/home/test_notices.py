"""Notices on the community's home: the showing ones in the viewer's scope (pinned first, unread marked), and
an urgent one the viewer has not opened first among "needs you now" until it is read."""

from __future__ import annotations

import uuid

import lxml.html
from sqlalchemy import select

from app.communities import access
from app.communities.models import Building, Community, Membership
from app.extensions import db
from app.notices import services as notices
from tests.home import client_of, demo, demo_user, needs

RESIDENT, STAFF, STREET = "13800000001", "13800000008", "13800000011"
HOME = "/c/cuizhuyuan/"


def _notice_titles(response) -> list[str]:
    doc = lxml.html.fromstring(response.get_data(as_text=True))
    return [" ".join(a.text_content().split()) for a in doc.xpath("//ul[@class='home-notices']//a")]


def _post(title, *, building_id=None, urgent=False):
    community = db.session.scalar(select(Community).where(Community.slug == "cuizhuyuan"))
    staff = access.viewer(demo_user(STAFF), community)
    notice = notices.post(
        staff, client_id=uuid.uuid4().hex, title=title, body="今晚 22:00 起停电检修。", building_id=building_id,
        urgent=urgent,
    )  # fmt: skip
    db.session.commit()
    return notice


def test_an_urgent_notice_needs_you_until_you_open_it(app):
    demo(app)
    notice = _post("今晚停电检修", urgent=True)
    http = client_of(app, demo_user(RESIDENT))
    first = needs(http.get(HOME))[0]
    assert first[0] == "紧急公告：今晚停电检修" and first[2] == f"/notices/{notice.id}"
    page = http.get(HOME)
    assert any(t.endswith("今晚停电检修") and "新" in t for t in _notice_titles(page))
    assert http.get(f"/notices/{notice.id}").status_code == 200  # opened: read
    page = http.get(HOME)
    assert all("今晚停电检修" not in text for text, _detail, _link in needs(page))
    assert any(t.endswith("今晚停电检修") and not t.startswith("新") for t in _notice_titles(page))


def test_a_building_notice_is_on_the_home_of_that_building_only(app):
    demo(app)
    resident = demo_user(RESIDENT)
    home_building = db.session.scalar(select(Membership).where(Membership.user_id == resident.id)).building_id
    other = db.session.scalar(select(Building.id).where(Building.id != home_building).limit(1))
    _post("别栋的公告", building_id=other, urgent=True)
    _post("本栋的公告", building_id=home_building)
    page = client_of(app, resident).get(HOME)
    titles = " ".join(_notice_titles(page))
    assert "本栋的公告" in titles and "别栋的公告" not in titles
    assert all("别栋的公告" not in text for text, _detail, _link in needs(page))
    overseer = client_of(app, demo_user(STREET)).get(HOME)  # street staff read the community's notices
    assert "别栋的公告" in " ".join(_notice_titles(overseer))
