"""The RQ queue on a real Redis: deliveries are jobs, `flask yishi worker --burst` sends each once, and
running the jobs again (a retry, a second worker) sends nothing more."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.core import sms
from app.extensions import db
from app.notifications import delivery
from app.notifications.models import Delivery, DeliveryStatus
from app.notifications.services import notify
from tests import factories
from tests.conftest import running_app

NOON = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)


@pytest.fixture
def rq_app(tmp_path, monkeypatch):
    settings = {
        "REDIS_URL": os.environ["TEST_REDIS_URL"],
        "REDIS_PREFIX": f"yishi-test-{uuid.uuid4().hex[:8]}",
        "DELIVERY_QUEUE": "rq",
    }
    with running_app(tmp_path, **settings) as app:
        monkeypatch.setattr(delivery, "utcnow", lambda: NOON)
        yield app
        queue = delivery.queue()
        queue.empty()
        sms.backend()._redis().delete(sms.backend()._key)


@pytest.mark.redis
def test_the_worker_sends_each_queued_delivery_once(rq_app):
    people = [factories.user() for _ in range(5)]
    db.session.commit()
    with rq_app.test_request_context():
        for person in people:
            notify(person, "vote_opened", "业主共同决定投票已开始")
        db.session.commit()  # after the commit: five jobs on the queue, nothing sent yet
    assert len(delivery.queue()) == 5
    assert sms.backend().recent() == []
    runner = rq_app.test_cli_runner()
    result = runner.invoke(args=["yishi", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    sent = db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == DeliveryStatus.SENT))
    assert sent == 5 and len(sms.backend().recent()) == 5
    ids = list(db.session.scalars(select(Delivery.id)))
    delivery.enqueue(ids)  # every job again, as a retry or a second worker would run them
    assert runner.invoke(args=["yishi", "worker", "--burst"]).exit_code == 0
    assert len(sms.backend().recent()) == 5  # none twice
    assert set(db.session.scalars(select(Delivery.attempts))) == {1}


@pytest.mark.redis
def test_a_worker_starting_settles_what_a_killed_one_left_sending(rq_app, monkeypatch):
    """`flask yishi worker` first settles rows left "sending" past the lease: the one the provider took is
    marked sent, the one it never got is sent again (same key); each number gets exactly one text."""
    took, never = factories.user(), factories.user()
    db.session.commit()
    with rq_app.test_request_context():
        items = [notify(person, "vote_opened", "业主共同决定投票已开始") for person in (took, never)]
        db.session.commit()
    delivery.queue().empty()  # the jobs died with the worker
    row_took, row_never = (
        db.session.scalar(select(Delivery).where(Delivery.notification_id == item.id)) for item in items
    )
    ids, phones = [row_took.id, row_never.id], sorted([took.phone, never.phone])
    with rq_app.test_request_context():
        send = delivery.prepare(row_took.channel, took, row_took.notification, f"d{row_took.id}")
        delivery.claim(ids)
        send()  # the provider took the first; the worker was killed before the second's send
    monkeypatch.setattr(delivery, "utcnow", lambda: NOON + delivery.lease() + delivery.timedelta(seconds=1))
    result = rq_app.test_cli_runner().invoke(args=["yishi", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert "2 unfinished deliveries settled" in result.output
    assert set(db.session.scalars(select(Delivery.status).where(Delivery.id.in_(ids)))) == {DeliveryStatus.SENT}
    assert sorted(m.phone for m in sms.backend().recent()) == phones
