"""A micro-project answers a published guidance item, chosen by the community's staff among the items of the
community and its street; shown on the project page."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.microprojects.models import MicroProject, ProjectStatus
from app.needs.models import GuidanceItem, GuidanceStatus


@pytest.fixture
def project(world):
    p = MicroProject(
        community_id=world.community.id,
        applicant_id=world.users["resident"].id,
        title="长者食堂",
        purpose="为老人提供午餐，每周五天。",
        status=ProjectStatus.SUBMITTED,
    )
    db.session.add(p)
    db.session.commit()
    return p


def _item(world, community, title, status=GuidanceStatus.PUBLISHED):
    item = GuidanceItem(
        street_id=(community or world.community).street_id,
        community_id=community.id if community else None,
        year=2026,
        title=title,
        status=status,
    )
    db.session.add(item)
    db.session.commit()
    return item


def test_staff_link_a_published_item_and_the_page_shows_it(client, auth, world, project):
    mine = _item(world, world.community, "老年人助餐服务")
    street_wide = _item(world, None, "街道助老")
    auth.login(world.users["staff"])
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "老年人助餐服务" in page and "街道助老" in page
    assert client.post(f"/projects/{project.id}/guidance", data={"guidance_item_id": str(mine.id)}).status_code == 302
    db.session.refresh(project)
    assert project.guidance_item_id == mine.id
    auth.logout()
    auth.login(world.users["owner"])
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Answers the guidance item" in page and "/c/cuizhuyuan/guidance/2026" in page
    auth.logout()
    auth.login(world.users["staff"])
    assert (
        client.post(f"/projects/{project.id}/guidance", data={"guidance_item_id": str(street_wide.id)}).status_code
        == 302
    )
    assert client.post(f"/projects/{project.id}/guidance", data={"guidance_item_id": ""}).status_code == 302
    db.session.refresh(project)
    assert project.guidance_item_id is None


def test_a_draft_or_another_communitys_item_is_refused(client, auth, world, project):
    draft = _item(world, world.community, "草稿项", GuidanceStatus.DRAFT)
    other = _item(world, world.other, "南塘项")
    auth.login(world.users["staff"])
    for item in (draft, other):
        response = client.post(f"/projects/{project.id}/guidance", data={"guidance_item_id": str(item.id)})
        assert response.status_code == 400
        assert "Choose a published guidance item of this community or its street." in response.get_data(as_text=True)
    assert client.post(f"/projects/{project.id}/guidance", data={"guidance_item_id": "x"}).status_code in (302, 400)
    db.session.refresh(project)
    assert project.guidance_item_id is None


@pytest.mark.parametrize("role", ["resident", "leader_a", "social_org", "street_staff", "district_staff"])
def test_only_community_staff_link(client, auth, world, project, role):
    item = _item(world, world.community, "老年人助餐服务")
    auth.login(world.users[role])
    assert client.post(f"/projects/{project.id}/guidance", data={"guidance_item_id": str(item.id)}).status_code == 403
    db.session.refresh(project)
    assert project.guidance_item_id is None
