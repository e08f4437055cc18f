"""Evidence attached to an objection (documents kernel, kind "work_objection"): the community's staff attach
until it is answered; street and district staff read; residents and strangers learn nothing."""

from __future__ import annotations

import io
import uuid

import pytest
from sqlalchemy import func, select

from app.documents.models import Attachment
from app.extensions import db
from app.workitems import services
from tests.documents import samples
from tests.workitems import logged_in, make_objection, stance_of


def stored() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Attachment))


def upload(http, objection_id):
    return http.post(
        f"/attachments/work_objection/{objection_id}",
        data={"client_id": uuid.uuid4().hex, "file": (io.BytesIO(samples.pdf()), "通知截图.pdf")},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("staff", 303),
        ("street_staff", 403),
        ("district_staff", 403),
        ("far_street_staff", 404),
        ("resident", 404),
        ("officer", 404),
        ("outsider", 404),
    ],
)
def test_who_attaches_evidence(app, world, key, status):
    objection = make_objection(world)
    before = stored()
    response = upload(logged_in(app, world.users[key]), objection.id)
    assert response.status_code == status, (key, response.status_code)
    assert stored() == before + (1 if status == 303 else 0)


def test_evidence_is_shown_and_closed_with_the_answer(app, world):
    objection = make_objection(world)
    staff = logged_in(app, world.users["staff"])
    assert upload(staff, objection.id).status_code == 303
    for key in ("staff", "street_staff", "district_staff"):
        page = logged_in(app, world.users[key]).get(f"/workitems/objections/{objection.id}")
        assert "通知截图.pdf" in page.get_data(as_text=True), key
    services.answer_objection(stance_of(world, "district_staff"), objection, "已核实。")
    db.session.commit()
    before = stored()
    assert upload(staff, objection.id).status_code == 403
    assert stored() == before
