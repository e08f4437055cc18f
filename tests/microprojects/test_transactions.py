"""The edge owns the transaction: a use case refused part-way, after it wrote something, leaves nothing
written and announces nothing."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.core.uploads import Photo, PhotoStore
from app.core.web import perform
from app.extensions import socketio
from app.microprojects import ledger, services
from app.microprojects.models import LedgerEntry, MicroProject, ProjectEvent
from app.notifications.models import Notification
from tests.microprojects import acting, edge
from tests.microprojects.test_routes import count, started

YEAR = 2027


@pytest.fixture
def emitted(monkeypatch):
    sent = []
    monkeypatch.setattr(socketio, "emit", lambda *args, **kwargs: sent.append((args, kwargs)))
    return sent


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(out, "JPEG")
    return out.getvalue()


def _files(directory) -> list:
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


def test_an_expenditure_refused_after_its_receipt_was_stored_leaves_nothing(app, world, tmp_path, emitted):
    project = started(world, granted_fen=1_000_00)
    resident = world.users["resident"]
    store = PhotoStore(
        {**app.config, "UPLOAD_DIR": str(tmp_path)}, community_id=project.community_id, owner_id=resident.id
    )
    stored = []
    real_save = store.save
    store.save = lambda data: stored.append(real_save(data)) or stored[-1]
    before = (count(LedgerEntry), count(Photo), count(Notification))
    with app.test_request_context():
        outcome = perform(
            lambda: services.spend(
                acting(resident, project), project, 1_000_01, "书架", client_id="r-1", receipt=_jpeg(), store=store
            )
        )
    assert outcome.status == 409  # more than the allocation: refused by the ledger, after the receipt
    assert len(stored) == 1
    assert (count(LedgerEntry), count(Photo), count(Notification)) == before
    assert _files(tmp_path) == [] and emitted == []


def test_grants_refused_part_way_in_one_transaction_leave_none(app, world, emitted):
    """Two grants in one use case: the first is made, the second overruns the fund; the edge keeps neither."""
    edge(services.set_fund, acting(world.users["staff"], world.community), YEAR, 1_000_00)
    staff = acting(world.users["staff"], world.community)
    before = (count(MicroProject), count(ProjectEvent), count(LedgerEntry))

    def grant(amount, n):
        return services.create_granted(
            staff,
            applicant=world.users["social_org"],
            title=f"获奖项目 {n}",
            purpose="为社区儿童提供周末阅读空间，志愿者值班。",
            lines=[("书架", 1, amount)],
            granted_fen=amount,
            year=YEAR,
            source_note="比赛获奖",
            client_id=f"grant-{n}",
        )

    with app.test_request_context():
        outcome = perform(lambda: [grant(600_00, 1), grant(600_00, 2)])
    assert outcome.status == 409
    assert (count(MicroProject), count(ProjectEvent), count(LedgerEntry)) == before
    fund = services.fund_for(world.community, YEAR)
    assert ledger.balance(fund).allocated == 0
    assert emitted == []
