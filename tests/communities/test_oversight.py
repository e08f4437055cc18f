"""The district half of the access rule (communities/access.py): who oversees which community, street and
district, per role: street staff of this street and of another, district staff of this district and of
another, community staff, a resident, someone with no tie, a visitor. And that no feature decides it from the
offices itself."""

from __future__ import annotations

import pathlib
import re

import pytest

from app.communities import access
from app.communities.models import OfficeRole
from app.extensions import db
from tests import factories as f

APP = pathlib.Path(__file__).resolve().parents[2] / "app"


@pytest.fixture
def places(world):
    """The world's district (streets 梅山 with 翠竹园 and 南塘, 雨花 with 远方) and a second district with one
    street and community; a street officer of 雨花 and a district officer of the second district."""
    street = world.community.street
    far_street = world.far.street
    district = street.district
    beyond = f.district("江宁区")
    beyond_street = f.street(beyond, "秣陵街道")
    beyond_community = f.community(beyond_street, "托乐嘉社区", "tuolejia")
    world.users["far_street_staff"] = f.user(name="far_street_staff")
    f.office(world.users["far_street_staff"], OfficeRole.STREET_STAFF, street_=far_street)
    world.users["beyond_district_staff"] = f.user(name="beyond_district_staff")
    f.office(world.users["beyond_district_staff"], OfficeRole.DISTRICT_STAFF, district_=beyond)
    db.session.commit()
    return {
        "communities": {
            "cuizhuyuan": world.community,
            "nantang": world.other,
            "far": world.far,
            "tuolejia": beyond_community,
        },
        "streets": {"meishan": street, "yuhua": far_street, "moling": beyond_street},
        "districts": {"yuhuatai": district, "jiangning": beyond},
    }


# who → (communities overseen, streets overseen, districts overseen, streets staffed themselves)
EXPECTED = {
    "street_staff": ({"cuizhuyuan", "nantang"}, {"meishan"}, set(), {"meishan"}),
    "far_street_staff": ({"far"}, {"yuhua"}, set(), {"yuhua"}),
    "district_staff": ({"cuizhuyuan", "nantang", "far"}, {"meishan", "yuhua"}, {"yuhuatai"}, set()),
    "beyond_district_staff": ({"tuolejia"}, {"moling"}, {"jiangning"}, set()),
    "staff": (set(), set(), set(), set()),
    "other_staff": (set(), set(), set(), set()),
    "leader_a": (set(), set(), set(), set()),
    "resident": (set(), set(), set(), set()),
    "outsider": (set(), set(), set(), set()),
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_oversight_per_role(world, places, who):
    user = world.users[who]
    communities, streets, districts, staffed = EXPECTED[who]
    found = access.oversight(user)
    assert bool(found) == bool(communities)
    for key, community in places["communities"].items():
        assert found.oversees(community=community) is (key in communities), key
        assert access.oversees(user, community=community) is (key in communities), key
        assert access.viewer(user, community).oversees is (key in communities), key
    for key, street in places["streets"].items():
        assert found.oversees(street=street) is (key in streets), key
        assert found.staffs_street(street.id) is (key in staffed), key
    for key, district in places["districts"].items():
        assert found.oversees(district=district) is (key in districts), key
        assert found.oversees(district=district.id) is (key in districts), key
    expected_ids = {places["communities"][key].id for key in communities}
    assert access.overseen_community_ids(user) == expected_ids


# who → (where a page for their area opens, the streets they staff in each district)
LANDINGS = {
    "street_staff": (("street", "meishan"), {"yuhuatai": {"meishan"}, "jiangning": set()}),
    "far_street_staff": (("street", "yuhua"), {"yuhuatai": {"yuhua"}, "jiangning": set()}),
    "district_staff": (("district", "yuhuatai"), {"yuhuatai": set(), "jiangning": set()}),
    "beyond_district_staff": (("district", "jiangning"), {"yuhuatai": set(), "jiangning": set()}),
    "staff": (None, {"yuhuatai": set(), "jiangning": set()}),
    "leader_a": (None, {"yuhuatai": set(), "jiangning": set()}),
    "resident": (None, {"yuhuatai": set(), "jiangning": set()}),
    "outsider": (None, {"yuhuatai": set(), "jiangning": set()}),
}


@pytest.mark.parametrize("who", sorted(LANDINGS))
def test_landing_and_streets_in_a_district_per_role(world, places, who):
    landing, staffed = LANDINGS[who]
    found = access.oversight(world.users[who])
    if landing is None:
        assert found.landing is None
    else:
        level, key = landing
        place = places["districts" if level == "district" else "streets"][key]
        assert found.landing == (level, place.id)
    for key, district in places["districts"].items():
        expected = {places["streets"][s].id for s in staffed[key]}
        assert found.street_ids_in(district.id) == expected, key
    assert access.oversight(None).landing is None
    assert access.oversight(None).street_ids_in(places["districts"]["yuhuatai"].id) == frozenset()


def test_landing_prefers_the_district_then_the_first_office(world, places):
    """Someone who is both street staff (given first) and district staff lands at the district; with two street
    offices, at the first given."""
    both = f.user(name="both")
    f.office(both, OfficeRole.STREET_STAFF, street_=places["streets"]["yuhua"])
    f.office(both, OfficeRole.DISTRICT_STAFF, district_=places["districts"]["jiangning"])
    two = f.user(name="two")
    f.office(two, OfficeRole.STREET_STAFF, street_=places["streets"]["yuhua"])
    f.office(two, OfficeRole.STREET_STAFF, street_=places["streets"]["meishan"])
    db.session.commit()
    assert access.oversight(both).landing == ("district", places["districts"]["jiangning"].id)
    assert access.oversight(two).landing == ("street", places["streets"]["yuhua"].id)
    assert access.oversight(two).street_ids_in(places["districts"]["yuhuatai"].id) == {
        places["streets"]["yuhua"].id,
        places["streets"]["meishan"].id,
    }


def test_a_visitor_oversees_nothing(world, places):
    assert not access.oversight(None)
    assert access.overseen_community_ids(None) == set()
    assert not access.oversees(None, community=world.community)
    assert not access.oversight(None).staffs_street(None)


def test_oversees_asks_about_one_place(world, places):
    found = access.oversight(world.users["district_staff"])
    with pytest.raises(TypeError):
        found.oversees()
    with pytest.raises(TypeError):
        found.oversees(community=world.community, street=world.community.street)


def test_a_districts_staff_are_its_district_officers_only(world, places):
    district, beyond = places["districts"]["yuhuatai"], places["districts"]["jiangning"]
    assert access.district_staff(district.id) == [world.users["district_staff"]]
    assert access.district_staff(beyond.id) == [world.users["beyond_district_staff"]]


OFFICES = re.compile(r"\b(OfficeRole|OfficeAssignment|offices_of)\b")


def test_no_feature_reads_the_offices_itself():
    """Who is street or district staff over what is decided in communities/access.py only (the composition
    layer, which builds the demo and the models' list, is not a feature)."""
    readers = set()
    for path in APP.rglob("*.py"):
        relative = path.relative_to(APP).as_posix()
        if relative.startswith(("communities/", "demo/")) or relative in ("models.py", "cli.py"):
            continue
        if OFFICES.search(path.read_text(encoding="utf-8")):
            readers.add(relative)
    assert readers == set()
