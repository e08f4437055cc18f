"""Where a login lands: the person's community, the chooser when they have several, the overview for street
and district staff, joining for someone in no community; a safe `next` still wins. One helper decides it."""

from __future__ import annotations

from app.communities.models import Role
from app.extensions import db
from tests import factories
from tests.ideas import logged_in


def landing(app, user) -> str:
    response = logged_in(app, user).get("/home")
    assert response.status_code == 302
    return response.headers["Location"]


def test_a_member_of_one_community_lands_on_its_home(app, world):
    for key in ("resident", "owner", "leader_a", "staff", "unverified", "property_manager"):
        assert landing(app, world.users[key]) == "/c/cuizhuyuan/", key


def test_a_member_of_several_communities_gets_the_chooser(app, world):
    factories.membership(world.users["resident"], world.other, Role.RESIDENT)
    db.session.commit()
    assert landing(app, world.users["resident"]) == "/me"
    page = logged_in(app, world.users["resident"]).get("/me").get_data(as_text=True)
    assert "/c/cuizhuyuan/" in page and "/c/nantang/" in page


def test_street_and_district_staff_land_on_their_overview(app, world):
    assert landing(app, world.users["street_staff"]) == "/overview"  # oversees 翠竹园 and 南塘
    assert landing(app, world.users["district_staff"]) == "/overview"


def test_staff_overseeing_one_community_land_on_it(app, world):
    lone = factories.user(name="lone_street")
    factories.office(lone, factories.OfficeRole.STREET_STAFF, street_=world.far.street)
    db.session.commit()
    assert landing(app, lone) == "/c/far/"


def test_someone_in_no_community_goes_to_join(app, world):
    assert landing(app, world.users["outsider"]) == "/join"


def test_visitors_are_asked_to_log_in(app, world):
    response = logged_in(app, None).get("/home")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_the_site_root_sends_a_logged_in_person_to_their_landing(app, world):
    assert logged_in(app, world.users["resident"]).get("/").headers["Location"] == "/home"
    assert logged_in(app, None).get("/").status_code == 200  # visitors read what Yishi is


def test_a_password_login_lands_on_the_community_home(app, world, client):
    response = client.post(
        "/account/login", data={"phone": world.users["resident"].phone, "password": factories.PASSWORD}
    )
    assert response.headers["Location"] == "/home"
    assert client.get("/home").headers["Location"] == "/c/cuizhuyuan/"


def test_a_safe_next_still_wins_and_an_unsafe_one_does_not(app, world, client):
    phone = world.users["resident"].phone
    response = client.post(
        "/account/login", data={"phone": phone, "password": factories.PASSWORD, "next": "/c/cuizhuyuan/ideas"}
    )
    assert response.headers["Location"] == "/c/cuizhuyuan/ideas"
    client.post("/account/logout")
    for bad in ("https://evil.example/x", "//evil.example/x", "javascript:alert(1)"):
        response = client.post("/account/login", data={"phone": phone, "password": factories.PASSWORD, "next": bad})
        assert response.headers["Location"] == "/home", bad
        client.post("/account/logout")


def test_already_logged_in_the_login_pages_send_to_the_landing(app, world):
    http = logged_in(app, world.users["resident"])
    for path in ("/account/login", "/account/login/code", "/account/register"):
        assert http.get(path).headers["Location"] == "/home", path
