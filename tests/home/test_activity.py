""" "社区动态": what happens in the community, newest first, each visible to the viewer, page by page."""

from __future__ import annotations

from app.core.models import utcnow
from app.extensions import db
from tests.home import activity_links, client_of
from tests.ideas import make_idea

HOME, FEED = "/c/cuizhuyuan/", "/c/cuizhuyuan/activity"


def test_new_ideas_show_newest_first_to_members_and_overseers(app, world):
    first, second = make_idea(world, title="楼道加装扶手"), make_idea(world, title="增设快递柜")
    for key in ("resident", "unverified", "staff", "property_manager", "street_staff", "district_staff"):
        links = activity_links(client_of(app, world.users[key]).get(HOME))
        assert links[:2] == [f"/ideas/{second.id}", f"/ideas/{first.id}"], key


def test_a_hidden_idea_is_in_the_feed_only_for_those_who_may_read_it(app, world):
    idea = make_idea(world, title="被隐藏的建议")
    idea.hidden_at = utcnow()
    db.session.commit()
    link = f"/ideas/{idea.id}"
    assert link not in activity_links(client_of(app, world.users["owner"]).get(HOME))
    assert link in activity_links(client_of(app, world.users["resident"]).get(HOME))  # its author
    assert link in activity_links(client_of(app, world.users["staff"]).get(HOME))


def test_no_activity_for_visitors_and_other_communities(app, world):
    make_idea(world, title="只在翠竹园")
    for key in ("outsider", "other_resident", "other_staff"):
        http = client_of(app, world.users[key])
        assert activity_links(http.get(HOME)) == [], key
        assert "只在翠竹园" not in http.get(HOME).get_data(as_text=True)
        assert http.get(FEED).status_code == 404, key
    assert client_of(app, None).get(FEED).status_code == 404
    assert activity_links(client_of(app, world.users["other_resident"]).get("/c/nantang/")) == []


def test_the_feed_goes_on_page_by_page(app, world):
    ideas = [make_idea(world, title=f"建议{n}") for n in range(23)]
    http = client_of(app, world.users["owner"])
    home = http.get(HOME).get_data(as_text=True)
    assert f"{FEED}?page=2" in home  # "更多"
    pages = [activity_links(http.get(f"{FEED}?page={n}")) for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [10, 10, 3]
    assert [link for p in pages for link in p] == [f"/ideas/{i.id}" for i in reversed(ideas)]
    assert "page=4" not in http.get(f"{FEED}?page=3").get_data(as_text=True)


def test_a_strange_page_number_shows_the_first_page(app, world):
    make_idea(world, title="楼道加装扶手")
    http = client_of(app, world.users["owner"])
    first = activity_links(http.get(FEED))
    for bad in ("abc", "-1", "0", "99999999999999999999", "1e3", "２"):
        response = http.get(f"{FEED}?page={bad}")
        assert response.status_code == 200 and activity_links(response) == first, bad
    assert http.get(f"{FEED}?page=%00").status_code == 400  # a control character in the query string
