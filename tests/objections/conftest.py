"""A published meeting of the world fixture's community with one resident's objection to its minutes, and a
street staff member of another street."""

from __future__ import annotations

import pytest

from app.communities.models import OfficeRole
from app.extensions import db
from app.meetings import services as meetings
from tests import factories
from tests.meetings.conftest import as_viewer, consultation, rules_templates  # noqa: F401
from tests.meetings.test_roles import published  # noqa: F401  (a meeting whose minutes are in 公示)


@pytest.fixture
def objection(world, published):  # noqa: F811
    found = meetings.object_to(
        as_viewer(world, "resident", published), published, client_id="o-1", body="签到人数记录有误，请核对。"
    )
    db.session.commit()
    return found


@pytest.fixture
def far_street_staff(world):
    user = factories.user(name="far_street_staff")
    factories.office(user, OfficeRole.STREET_STAFF, street_=world.far.street)
    db.session.commit()
    world.users["far_street_staff"] = user
    return user
