"""The registry of social organisations: helpers shared by its tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.communities.models import OfficeRole
from app.extensions import db
from tests import factories
from tests.contests import logged_in  # noqa: F401  (re-exported for the tests here)


@dataclass
class Registry:
    """Over the `world`: an organisation under the world's street acting through world's `social_org` member,
    another acting through `other_agent`, a pending one of `pending_agent`; and street staff of another street."""

    org: object
    other: object
    pending: object
    users: dict


def registry(world) -> Registry:
    street = world.community.street
    district = street.district
    users = dict(world.users)
    users["agent"] = world.users["social_org"]
    users["other_agent"] = factories.user(name="other_agent")
    users["pending_agent"] = factories.user(name="pending_agent")
    users["far_street_staff"] = factories.user(name="far_street_staff")
    factories.office(users["far_street_staff"], OfficeRole.STREET_STAFF, street_=world.far.street)
    org = factories.organisation(
        district, users["agent"], street_=street, name="雨花睦邻社工服务中心", qualified_until=date(2099, 12, 31)
    )
    other = factories.organisation(district, users["other_agent"], street_=street, name="绿邻环保公益协会")
    pending = factories.organisation(
        district, users["pending_agent"], street_=street, name="待认证的社工站", status="pending"
    )
    db.session.commit()
    return Registry(org, other, pending, users)
