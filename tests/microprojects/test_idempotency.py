"""A double tap on a slow phone: a retried application or expenditure (same client_id) stores one row and
returns the first, also when the retry races the first request past the look-up (the unique constraint
and its IntegrityError path)."""

from __future__ import annotations

import io
import sys
import uuid

from sqlalchemy import func, select

from app.core.errors import DomainError
from app.core.uploads import Photo
from app.extensions import db
from app.microprojects import services
from app.microprojects.models import BudgetLine, EntryKind, LedgerEntry, MicroProject
from tests.microprojects import acting, edge
from tests.microprojects.test_routes import (
    LINES,
    PURPOSE,
    application,
    as_,
    files_under,
    jpeg,
    started,
)


def count(model, **where) -> int:
    db.session.expire_all()
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def _apply(world, client_id, key="resident", title="周末儿童阅读角"):
    return edge(
        services.save_application,
        acting(world.users[key], world.community),
        title=title,
        purpose=PURPOSE,
        lines=LINES,
        client_id=client_id,
    )


def _first_lookups_miss(monkeypatch, name: str, misses: int):
    """services.<name> answers None for its first `misses` calls, as if the first request had not committed
    yet when the retry looked; the insert then meets the unique constraint."""
    real = getattr(services, name)
    home = sys.modules[real.__module__]  # the module of the package that calls it
    calls = {"n": 0}

    def lookup(*args, **kwargs):
        calls["n"] += 1
        return None if calls["n"] <= misses else real(*args, **kwargs)

    monkeypatch.setattr(services, name, lookup)
    monkeypatch.setattr(home, name, lookup)
    return calls


# -- applications -------------------------------------------------------------------------------------


def test_a_retried_application_is_one_draft_and_changes_nothing(app, world):
    client_id = uuid.uuid4().hex
    first = _apply(world, client_id)
    again = _apply(world, client_id, title="另一个标题")  # a retry never edits the first draft
    assert again.id == first.id
    assert count(MicroProject) == 1 and count(BudgetLine) == 2
    assert db.session.get(MicroProject, first.id).title == "周末儿童阅读角"
    assert _apply(world, uuid.uuid4().hex).id != first.id  # another form is another application
    assert count(MicroProject) == 2


def test_the_same_client_id_from_two_applicants_is_two_drafts(app, world):
    client_id = uuid.uuid4().hex
    assert _apply(world, client_id).id != _apply(world, client_id, key="social_org").id
    assert count(MicroProject) == 2


def test_a_retry_racing_the_first_application_returns_it(app, world, monkeypatch):
    client_id = uuid.uuid4().hex
    first = _apply(world, client_id)
    calls = _first_lookups_miss(monkeypatch, "application_by_client", 1)
    again = _apply(world, client_id)
    assert calls["n"] == 2  # missed, inserted, hit the constraint, looked again
    assert again.id == first.id
    assert count(MicroProject) == 1 and count(BudgetLine) == 2


def test_an_application_needs_a_client_id(app, world):
    for bad in (None, "", "   ", "x" * 65, 7):
        try:
            _apply(world, bad)
        except DomainError as err:
            assert err.field == "client_id" and err.status_code == 400
        else:
            raise AssertionError(f"{bad!r} was accepted")
    assert count(MicroProject) == 0


def test_the_form_carries_a_fresh_client_id(app, world):
    http = as_(app, world, "resident")
    ids = []
    for _ in range(2):
        html = http.get("/c/cuizhuyuan/projects/new").get_data(as_text=True)
        marker = 'name="client_id" type="hidden" value="'
        assert marker in html
        ids.append(html.split(marker, 1)[1].split('"', 1)[0])
    assert len(set(ids)) == 2 and all(len(i) == 32 for i in ids)


def test_a_double_tapped_application_post_stores_one(app, world):
    http = as_(app, world, "resident")
    data = application(client_id=uuid.uuid4().hex, submit_for_review="1")
    first = http.post("/c/cuizhuyuan/projects/new", data=data)
    second = http.post("/c/cuizhuyuan/projects/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(MicroProject) == 1
    project = db.session.scalars(select(MicroProject)).one()
    assert project.status.value == "submitted"
    assert len(project.lines) == 2
    # the retry was told the application is on its way, not that its status is wrong
    shown = http.get(second.headers["Location"]).get_data(as_text=True)
    assert "not possible from the project" not in shown


# -- expenditures -------------------------------------------------------------------------------------


def test_a_retried_expenditure_is_recorded_once(app, world):
    project = started(world)
    client_id = uuid.uuid4().hex
    first = edge(services.spend, acting(world.users["resident"], project), project, 100_00, "书架", client_id=client_id)
    again = edge(services.spend, acting(world.users["resident"], project), project, 100_00, "书架", client_id=client_id)
    assert again.id == first.id
    assert count(LedgerEntry, kind=EntryKind.EXPENDITURE) == 1
    edge(services.spend, acting(world.users["resident"], project), project, 100_00, "书架", client_id=uuid.uuid4().hex)
    assert count(LedgerEntry, kind=EntryKind.EXPENDITURE) == 2


def test_a_retry_racing_the_first_expenditure_returns_it(app, world, monkeypatch):
    project = started(world)
    client_id = uuid.uuid4().hex
    first = edge(services.spend, acting(world.users["resident"], project), project, 100_00, "书架", client_id=client_id)
    calls = _first_lookups_miss(monkeypatch, "expenditure_by_client", 1)
    again = edge(services.spend, acting(world.users["resident"], project), project, 100_00, "书架", client_id=client_id)
    assert calls["n"] == 2
    assert again.id == first.id
    assert count(LedgerEntry, kind=EntryKind.EXPENDITURE) == 1


def _spend(http, project, client_id, amount="100"):
    data = {
        "spend-client_id": client_id,
        "spend-amount": amount,
        "spend-note": "书架",
        "spend-receipt": (io.BytesIO(jpeg()), "r.jpg", "image/jpeg"),
    }
    return http.post(f"/projects/{project.id}/spend", data=data, content_type="multipart/form-data")


def test_the_expenditure_form_carries_a_client_id(app, world):
    project = started(world)
    html = as_(app, world, "resident").get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'name="spend-client_id" type="hidden"' in html


def test_a_double_tapped_expenditure_post_stores_one_entry_and_one_receipt(app, world):
    from pathlib import Path

    upload_dir = Path(app.config["UPLOAD_DIR"])
    project = started(world)
    http = as_(app, world, "resident")
    client_id = uuid.uuid4().hex
    first = _spend(http, project, client_id)
    stored = files_under(upload_dir)
    second = _spend(http, project, client_id)
    assert first.status_code == second.status_code == 302
    assert count(LedgerEntry, kind=EntryKind.EXPENDITURE) == 1
    assert count(Photo) == 1
    assert files_under(upload_dir) == stored and len(stored) == 2  # the photo and its thumbnail


def test_a_racing_expenditure_post_keeps_no_second_receipt(app, world, monkeypatch):
    from pathlib import Path

    upload_dir = Path(app.config["UPLOAD_DIR"])
    project = started(world)
    http = as_(app, world, "resident")
    client_id = uuid.uuid4().hex
    assert _spend(http, project, client_id).status_code == 302
    stored = files_under(upload_dir)
    # the retry passes the view's look-up and the service's before the first commit is visible
    calls = _first_lookups_miss(monkeypatch, "expenditure_by_client", 2)
    response = _spend(http, project, client_id)
    assert response.status_code == 302
    assert calls["n"] == 3
    assert count(LedgerEntry, kind=EntryKind.EXPENDITURE) == 1
    assert count(Photo) == 1
    assert files_under(upload_dir) == stored  # the second receipt's files were removed
