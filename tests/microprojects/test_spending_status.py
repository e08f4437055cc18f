"""Money is spent only while a project is in progress. An approved project is started first (by its
applicant or staff, one tap): a mature product keeps spending inside the implementation phase, so the
ledger's expenditures always fall between "started" and "completed". A completed or evaluated project is
closed: an expenditure is refused with a clear message, 409, and nothing written (no receipt file either)."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from flask_babel import force_locale

from app.core.errors import DomainError
from app.extensions import db
from app.microprojects import services
from app.microprojects.models import EntryKind, LedgerEntry, ProjectStatus
from tests.microprojects import acting, edge
from tests.microprojects.test_routes import as_, files_under, flashes, jpeg, snapshot, started

S = ProjectStatus
REFUSED = {
    S.DRAFT: "wrong_status",
    S.SUBMITTED: "wrong_status",
    S.UNDER_REVIEW: "wrong_status",
    S.CHANGES_REQUESTED: "wrong_status",
    S.REJECTED: "wrong_status",
    S.APPROVED: "wrong_status",  # start the project first
    S.COMPLETED: "project_closed",
    S.EVALUATED: "project_closed",
}
MESSAGES = {
    "wrong_status": "Expenditures are recorded while the project is in progress.",
    "project_closed": "This project is closed: no more expenditures can be recorded.",
}


def test_every_status_is_decided():
    assert set(REFUSED) | {S.IN_PROGRESS} == set(ProjectStatus)
    assert {S.IN_PROGRESS} == services.SPENDING


def _funded_in(world, status):
    """A funded project (allocation ¥4,450.00) forced into `status`."""
    project = started(world)
    project.status = status
    db.session.commit()
    return project


def _expenditures() -> int:
    db.session.expire_all()
    return db.session.query(LedgerEntry).filter_by(kind=EntryKind.EXPENDITURE).count()


@pytest.mark.parametrize("key", ["resident", "staff"])
def test_spending_in_progress_is_allowed(app, world, key):
    project = _funded_in(world, S.IN_PROGRESS)
    entry = edge(services.spend, acting(world.users[key], project), project, 100_00, "书架", client_id=uuid.uuid4().hex)
    assert entry.amount_fen == 100_00 and _expenditures() == 1


@pytest.mark.parametrize("status", list(REFUSED))
@pytest.mark.parametrize("key", ["resident", "staff"])
def test_spending_in_any_other_status_is_refused(app, world, status, key):
    project = _funded_in(world, status)
    with pytest.raises(DomainError) as err:
        edge(services.spend, acting(world.users[key], project), project, 100_00, "书架", client_id=uuid.uuid4().hex)
    assert err.value.code == REFUSED[status]
    assert err.value.status_code == 409
    with force_locale("en"):
        assert str(err.value.message) == MESSAGES[REFUSED[status]]
    assert _expenditures() == 0


@pytest.mark.parametrize("status", [S.APPROVED, S.COMPLETED, S.EVALUATED])
def test_the_route_refuses_before_storing_the_receipt(app, world, status):
    upload_dir = Path(app.config["UPLOAD_DIR"])
    project = _funded_in(world, status)
    before = snapshot()
    response = as_(app, world, "resident").post(
        f"/projects/{project.id}/spend",
        data={
            "spend-amount": "100",
            "spend-note": "书架",
            "spend-receipt": (io.BytesIO(jpeg()), "r.jpg", "image/jpeg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 409
    assert MESSAGES[REFUSED[status]] in flashes(response)
    assert snapshot() == before
    assert files_under(upload_dir) == []


@pytest.mark.parametrize("status", [S.APPROVED, S.COMPLETED, S.EVALUATED])
def test_the_page_offers_no_expenditure_form_outside_progress(app, world, status):
    project = _funded_in(world, status)
    html = as_(app, world, "resident").get(f"/projects/{project.id}").get_data(as_text=True)
    assert f'action="/projects/{project.id}/spend"' not in html
    assert ("once the project is started" in html) == (status == S.APPROVED)


def test_the_page_offers_the_form_in_progress(app, world):
    project = _funded_in(world, S.IN_PROGRESS)
    html = as_(app, world, "resident").get(f"/projects/{project.id}").get_data(as_text=True)
    assert f'action="/projects/{project.id}/spend"' in html


def test_the_chinese_message(app, world):
    project = _funded_in(world, S.COMPLETED)
    world.users["resident"].locale = "zh_CN"
    db.session.commit()
    http = as_(app, world, "resident")
    http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    response = http.post(
        f"/projects/{project.id}/spend",
        data={"spend-amount": "1", "spend-receipt": (io.BytesIO(jpeg()), "r.jpg", "image/jpeg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 409
    assert "不能再记录支出" in response.get_data(as_text=True)
