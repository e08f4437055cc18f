"""A scheme for this year in the world's district (雨花台区: 梅山 with 翠竹园 and 南塘, 雨花 with 远方) and an officer
of each street. 翠竹园 has 11 verified members this year, 南塘 2, 远方 none: the figure `members_verified`."""

from __future__ import annotations

import uuid

import pytest

from app.assessment import services
from app.assessment.models import Assessment, AssessmentCriterion, AssessmentScore, Scheme
from app.communities.models import OfficeRole
from app.core.clock import local_today
from app.extensions import db
from tests import factories


def counts() -> tuple[int, int, int, int]:
    return tuple(db.session.query(m).count() for m in (Scheme, AssessmentCriterion, Assessment, AssessmentScore))


@pytest.fixture
def officers(world):
    far_staff = factories.user(name="far_street_staff")
    factories.office(far_staff, OfficeRole.STREET_STAFF, street_=world.far.street)
    other_district = factories.user(name="other_district_staff")
    factories.office(other_district, OfficeRole.DISTRICT_STAFF, district_=factories.district("别的区"))
    world.users["far_street_staff"] = far_staff
    world.users["other_district_staff"] = other_district
    db.session.commit()
    return world


def criterion(**data):
    data.setdefault("client_id", uuid.uuid4().hex)
    data.setdefault("description", "")
    return data


@pytest.fixture
def scheme(officers):
    """Drafted, two criteria (60 points from members verified, linear 0 → 10; 40 scored by hand), published."""
    w = officers
    head = w.users["district_staff"]
    officer = services.officer(head, w.community.street.district_id)
    made = services.create_scheme(officer, head, local_today().year, "精品社区创建考核", "s1")
    services.add_criterion(
        officer,
        head,
        made,
        criterion(
            title="成员认证", points=60, kind="figure", figure_key="members_verified", rule="linear", floor=0, target=10
        ),
    )
    services.add_criterion(officer, head, made, criterion(title="治理台账", points=40, kind="manual"))
    services.publish(officer, head, made)
    db.session.commit()
    return made
