"""The world of tests/conftest.py, with what needs' tests add: experts of this street and of another street,
and street staff of another street."""

from __future__ import annotations

import pytest

from app.communities.models import OfficeRole
from app.extensions import db
from tests import factories as f


@pytest.fixture
def people(world):
    """world.users plus street_expert (named by 梅山街道), far_expert (named by 雨花街道) and far_street_staff."""
    users = world.users
    users["street_expert"] = f.user(name="street_expert")
    f.need_expert(users["street_expert"], street_=world.community.street)
    users["far_expert"] = f.user(name="far_expert")
    f.need_expert(users["far_expert"], street_=world.far.street)
    users["far_street_staff"] = f.user(name="far_street_staff")
    f.office(users["far_street_staff"], OfficeRole.STREET_STAFF, street_=world.far.street)
    db.session.commit()
    return users
