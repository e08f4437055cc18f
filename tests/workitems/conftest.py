"""The work items' world: the shared world (two communities of 梅山街道, one of 雨花街道, in 雨花台区) plus two
departments with an officer each, street staff of the other street, and district staff of another district."""

from __future__ import annotations

import pytest

from app.communities.models import OfficeRole
from app.extensions import db
from app.workitems.models import Department, DepartmentOfficer
from tests import conftest as root
from tests import factories as f
from tests.conftest import running_app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with running_app(
        tmp_path_factory.mktemp("imports"), UPLOAD_DIR=str(tmp_path_factory.mktemp("uploads"))
    ) as application:
        yield application


@pytest.fixture(scope="module")
def world(app):
    w = root.world.__wrapped__(app)
    w.district = w.community.street.district
    w.department = Department(district_id=w.district.id, name="区民政局")
    w.other_department = Department(district_id=w.district.id, name="区城管局")
    db.session.add_all([w.department, w.other_department])
    db.session.flush()
    for key, department in (("officer", w.department), ("officer_b", w.other_department)):
        w.users[key] = f.user(name=key)
        db.session.add(DepartmentOfficer(department_id=department.id, user_id=w.users[key].id))
    w.users["far_street_staff"] = f.user(name="far_street_staff")
    f.office(w.users["far_street_staff"], OfficeRole.STREET_STAFF, street_=w.far.street)
    w.other_district = f.district("秦淮区")
    w.users["other_district_staff"] = f.user(name="other_district_staff")
    f.office(w.users["other_district_staff"], OfficeRole.DISTRICT_STAFF, district_=w.other_district)
    db.session.commit()
    return w
