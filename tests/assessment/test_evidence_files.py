"""Files behind a community's assessment (documents kernel, kind "assessment"): those who score it attach them
while it is scored; its residents and staff see them once the results are published, never before."""

from __future__ import annotations

import io
import uuid

import pytest
from sqlalchemy import func, select

from app.assessment import services
from app.assessment.models import Assessment
from app.documents.models import Attachment
from app.extensions import db
from tests.documents import samples
from tests.home import client_of as logged_in


def stored() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Attachment))


def upload(http, assessment_id):
    return http.post(
        f"/attachments/assessment/{assessment_id}",
        data={"client_id": uuid.uuid4().hex, "file": (io.BytesIO(samples.pdf()), "台账照片.pdf")},
        content_type="multipart/form-data",
    )


@pytest.fixture
def assessed(scheme, officers):
    head = officers.users["district_staff"]
    services.compute(services.officer(head, scheme.district_id), head, scheme)
    db.session.commit()
    return db.session.scalar(select(Assessment).where(Assessment.community_id == officers.community.id))


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("street_staff", 303),
        ("district_staff", 303),
        ("far_street_staff", 404),
        ("staff", 404),
        ("resident", 404),
        ("other_staff", 404),
        ("outsider", 404),
    ],
)
def test_who_attaches_evidence(app, officers, assessed, key, status):
    before = stored()
    response = upload(logged_in(app, officers.users[key]), assessed.id)
    assert response.status_code == status, (key, response.status_code)
    assert stored() == before + (1 if status == 303 else 0)


def test_the_files_reach_the_community_with_the_results(app, officers, scheme, assessed):
    w = officers
    assert upload(logged_in(app, w.users["street_staff"]), assessed.id).status_code == 303
    resident = logged_in(app, w.users["resident"])
    assert "台账照片.pdf" not in resident.get("/c/cuizhuyuan/assessment").get_data(as_text=True)
    head = w.users["district_staff"]
    officer = services.officer(head, scheme.district_id)
    for a in db.session.scalars(select(Assessment)):
        services.score(
            officer, head, a, scheme.criteria[1], {"client_id": f"x{a.id}", "points": 20, "evidence": "台账"}
        )
    services.publish_results(officer, head, scheme)
    db.session.commit()
    assert "台账照片.pdf" in resident.get("/c/cuizhuyuan/assessment").get_data(as_text=True)
    # published: the files no longer change
    assert upload(logged_in(app, w.users["street_staff"]), assessed.id).status_code == 403
