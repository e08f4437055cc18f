""" "社会组织" in the main menu for those who work with the registry (an organisation's agents, social-organisation
members, community staff, street and district staff), not for residents, who reach the registry and its
showcases from their community's home."""

from __future__ import annotations

import re

import pytest

from tests.orgs import logged_in, registry

MENU = re.compile(r'<nav class="site-nav".*?</nav>', re.S)


def menu_of(http) -> str:
    page = http.get("/me").get_data(as_text=True)
    found = MENU.search(page)
    assert found, page[:500]
    return found.group(0)


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("agent", True),  # a social-organisation member who acts for one
        ("other_agent", True),  # an agent who is no community's member
        ("pending_agent", True),  # an agent of an organisation waiting for verification
        ("staff", True),
        ("street_staff", True),
        ("district_staff", True),
        ("resident", False),
        ("owner", False),
        ("leader_a", False),
        ("expert", False),
        ("outsider", False),
    ],
)
def test_the_main_menu_offers_the_registry_to_those_who_use_it(app, world, key, shown):
    made = registry(world)
    menu = menu_of(logged_in(app, made.users[key]))
    assert ('href="/orgs"' in menu) is shown, menu


def test_residents_reach_the_registry_and_a_showcase_from_the_home(app, world):
    made = registry(world)
    http = logged_in(app, world.users["resident"])
    home = http.get(f"/c/{world.community.slug}/").get_data(as_text=True)
    assert 'href="/orgs"' in home and "Social organisations and their projects" in home
    listing = http.get("/orgs").get_data(as_text=True)
    assert f'href="/orgs/{made.org.id}/showcase"' in listing
    assert http.get(f"/orgs/{made.org.id}/showcase").status_code == 200


def test_the_menu_marks_the_registry_as_the_current_page(app, world):
    made = registry(world)
    page = logged_in(app, made.users["agent"]).get("/orgs").get_data(as_text=True)
    assert 'href="/orgs" aria-current="page"' in MENU.search(page).group(0)
