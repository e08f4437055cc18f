"""Exactly once after a killed worker: a delivery left "sending" past its lease is settled from its key, by the
SMS provider's status (delivered: marked sent, nothing sent again; unknown: sent again with the same key) and,
for email, sent again with the same Message-ID. Against the development backend, the Tencent API stand-in
(status endpoint signed and checked) and a real SMTP server."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import sms
from app.extensions import db
from app.notifications import channels, delivery, kinds, preferences, schedule
from app.notifications.kinds import Channel, Importance
from app.notifications.models import Delivery, DeliveryStatus, EmailAddress
from app.notifications.services import notify
from tests import factories
from tests.conftest import running_app
from tests.core import tencent_standin

NOON = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)

kinds.register("test_settle", Importance.ACTION, _l("Test: action"))


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(delivery, "utcnow", lambda: NOON)


def texts(phone: str) -> list:
    return [m for m in sms.backend().recent() if m.phone == phone]


def planned(app, user, monkeypatch) -> Delivery:
    """A notification whose SMS row is queued but not sent (a queue that never runs the job)."""
    enqueue = delivery.enqueue
    monkeypatch.setattr(delivery, "enqueue", lambda ids: None)
    with app.test_request_context():
        item = notify(user, "test_settle", "业主共同决定投票已开始", url="/x")
        db.session.commit()
    monkeypatch.setattr(delivery, "enqueue", enqueue)
    return db.session.scalar(
        select(Delivery).where(Delivery.notification_id == item.id, Delivery.channel == Channel.SMS)
    )


def user_of(row: Delivery):
    from app.accounts.models import User

    return db.session.get(User, row.notification.user_id)


def test_a_text_the_provider_took_is_marked_sent_and_never_sent_again(app, world, clock, monkeypatch):
    resident = world.users["resident"]
    row = planned(app, resident, monkeypatch)
    with app.test_request_context():
        send = delivery.prepare(Channel.SMS, user_of(row), row.notification, f"d{row.id}")
        delivery.claim([row.id])
        send()  # the provider took it; the worker dies before marking the row
        assert schedule.tick(NOON + timedelta(seconds=5))["settled"] == 0  # within the lease: a live worker's
        assert schedule.tick(NOON + delivery.lease() + timedelta(seconds=1))["settled"] == 1
    db.session.refresh(row)
    assert row.status == DeliveryStatus.SENT and row.send_key == f"d{row.id}"
    [message] = texts(resident.phone)
    assert message.out_id == delivery.out_id(f"d{row.id}")


def test_a_text_the_provider_never_took_is_sent_again_once_with_the_same_key(app, world, clock, monkeypatch):
    resident = world.users["resident"]
    row = planned(app, resident, monkeypatch)
    with app.test_request_context():
        delivery.claim([row.id])  # claimed, then the worker died before the provider answered
        assert delivery.deliver(row.id) == "skipped"  # a retried job: the row is claimed
        assert schedule.tick(NOON + delivery.lease() + timedelta(seconds=1))["settled"] == 1
        assert schedule.tick(NOON + delivery.lease() + timedelta(minutes=5))["settled"] == 0
    db.session.refresh(row)
    assert row.status == DeliveryStatus.SENT and row.attempts == 2
    [message] = texts(resident.phone)
    assert message.out_id == delivery.out_id(f"d{row.id}")


def test_a_row_sending_without_a_key_is_left_for_staff(app, world, clock, monkeypatch):
    resident = world.users["resident"]
    row = planned(app, resident, monkeypatch)
    with app.test_request_context():
        delivery.claim([row.id])
        db.session.execute(db.update(Delivery).where(Delivery.id == row.id).values(send_key=None))
        db.session.commit()  # claimed before keys existed
        assert schedule.tick(NOON + delivery.lease() + timedelta(seconds=1))["settled"] == 1
    db.session.refresh(row)
    assert row.status == DeliveryStatus.FAILED and "may have been sent" in row.last_error
    assert texts(resident.phone) == []


def test_no_tries_left_the_unsent_row_is_failed_for_staff(app, world, clock, monkeypatch):
    resident = world.users["resident"]
    row = planned(app, resident, monkeypatch)
    with app.test_request_context():
        delivery.claim([row.id])
        db.session.execute(db.update(Delivery).where(Delivery.id == row.id).values(attempts=4))
        db.session.commit()
        schedule.tick(NOON + delivery.lease() + timedelta(seconds=1))
    db.session.refresh(row)
    assert row.status == DeliveryStatus.FAILED and "no tries left" in row.last_error
    assert texts(resident.phone) == []


# -- the Tencent API stand-in: SessionContext carried, the status read through PullSmsSendStatusByPhoneNumber --


@pytest.fixture
def standin():
    found = tencent_standin.StandIn(templates={"2000001": 1, "2000002": 1, "2000003": 1})
    server = tencent_standin.start(found)
    yield found
    server.shutdown()
    server.server_close()


@pytest.fixture
def tencent_app(tmp_path, standin):
    settings = {
        "SMS_BACKEND": "tencent",
        "TENCENT_SMS_SECRET_ID": standin.secret_id,
        "TENCENT_SMS_SECRET_KEY": standin.secret_key,
        "TENCENT_SMS_SDK_APP_ID": standin.sdk_app_id,
        "TENCENT_SMS_SIGN_NAME": "议事",
        "TENCENT_SMS_ENDPOINT": standin.url,
        "SMS_TEMPLATES": {"notify_action": "2000001", "notify_info": "2000002", "notify_digest": "2000003"},
        "SMS_TIMEOUT_SECONDS": 5,
        "QUIET_HOURS": "0-0",  # a real clock: at night in Beijing the text would be held, not sent
    }
    with running_app(tmp_path, **settings) as app:
        yield app


def tencent_row(app, monkeypatch):
    """A real-time clock here: the stand-in checks the signature's timestamp and the report's times."""
    user = factories.user()
    db.session.commit()
    return user, planned(app, user, monkeypatch)


def test_tencent_a_text_reported_delivered_is_not_sent_again(tencent_app, standin, monkeypatch):
    user, row = tencent_row(tencent_app, monkeypatch)
    with tencent_app.test_request_context():
        send = delivery.prepare(Channel.SMS, user, row.notification, f"d{row.id}")
        delivery.claim([row.id])
        send()
        later = delivery.utcnow() + delivery.lease() + timedelta(seconds=1)
        assert delivery.settle(later) == 1
    db.session.refresh(row)
    assert row.status == DeliveryStatus.SENT
    [sent] = standin.sent()
    assert sent.body["SessionContext"] == delivery.out_id(f"d{row.id}")
    [query] = standin.status_queries()
    assert query.verdict == "Ok"  # signed as documented, parameters as the API wants them
    assert query.body["PhoneNumber"] == f"+86{user.phone}" and query.body["SmsSdkAppId"] == standin.sdk_app_id


def test_tencent_no_report_means_sent_again_with_the_same_session_context(tencent_app, standin, monkeypatch):
    _user, row = tencent_row(tencent_app, monkeypatch)
    with tencent_app.test_request_context():
        delivery.claim([row.id])  # the worker died before SendSms
        assert delivery.settle(delivery.utcnow() + delivery.lease() + timedelta(seconds=1)) == 1
        assert delivery.settle(delivery.utcnow() + delivery.lease() + timedelta(seconds=1)) == 0
    db.session.refresh(row)
    assert row.status == DeliveryStatus.SENT
    [sent] = standin.sent()
    assert sent.body["SessionContext"] == delivery.out_id(f"d{row.id}")


def test_tencent_a_report_of_failure_is_a_failed_try(tencent_app, standin, monkeypatch):
    user, row = tencent_row(tencent_app, monkeypatch)
    standin.report = "FAIL"
    with tencent_app.test_request_context():
        send = delivery.prepare(Channel.SMS, user, row.notification, f"d{row.id}")
        delivery.claim([row.id])
        send()
        assert delivery.settle(delivery.utcnow() + delivery.lease() + timedelta(seconds=1)) == 1
    db.session.refresh(row)
    assert row.status == DeliveryStatus.FAILED and "undelivered" in row.last_error


def test_tencent_unreachable_status_leaves_the_row_for_the_next_tick(tencent_app, standin, monkeypatch):
    _user, row = tencent_row(tencent_app, monkeypatch)
    with tencent_app.test_request_context():
        delivery.claim([row.id])
        standin.error = "InternalError"
        assert delivery.settle(delivery.utcnow() + delivery.lease() + timedelta(seconds=1)) == 0
    db.session.refresh(row)
    assert row.status == DeliveryStatus.SENDING and standin.sent() == []


# -- email: no status to ask; sent again with the same Message-ID -----------------------------------------------


def test_email_left_sending_is_sent_again_with_its_message_id(tmp_path, smtp_server, monkeypatch):
    with running_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port) as app:
        monkeypatch.setattr(delivery, "utcnow", lambda: NOON)
        user = factories.user(locale="zh_CN")
        db.session.add(EmailAddress(user_id=user.id, address="li@example.com", confirmed_at=NOON))
        db.session.commit()
        preferences.save(user, {("test_settle", Channel.EMAIL): "now"})
        db.session.commit()
        row = planned(app, user, monkeypatch)  # the SMS row; the email row beside it
        mail = db.session.scalar(
            select(Delivery).where(Delivery.notification_id == row.notification_id, Delivery.channel == Channel.EMAIL)
        )
        with app.test_request_context():
            delivery.claim([mail.id])  # the worker died before the end of DATA: the server has nothing
            assert smtp_server.messages == []
            assert delivery.settle(NOON + delivery.lease() + timedelta(seconds=1)) == 1
        db.session.refresh(mail)
        assert mail.status == DeliveryStatus.SENT
        [(to, raw)] = smtp_server.messages
        parsed = email.message_from_string(raw, policy=policy.default)
        assert to == ["li@example.com"] and parsed["Message-ID"] == delivery.message_id(f"d{mail.id}")


def test_the_message_id_is_stable_across_tries(app, world, monkeypatch):
    ids = []
    monkeypatch.setattr(channels, "send_email", lambda *a, message_id=None, handed=None: ids.append(message_id))
    resident = world.users["resident"]
    db.session.add(EmailAddress(user_id=resident.id, address="r@example.com", confirmed_at=NOON))
    db.session.commit()
    with app.test_request_context():
        item = notify(resident, "test_settle", "x", url="/x")
        db.session.flush()
        for _ in range(2):
            delivery.prepare(Channel.EMAIL, resident, item, "d7")()
    assert len(ids) == 2 and ids[0] == ids[1] == delivery.message_id("d7")
    assert ids[0].startswith("<d7.") and ids[0].endswith("@yishi>")


def test_a_queued_row_whose_job_was_lost_is_queued_again_after_the_lease(app, world, clock, monkeypatch):
    """A worker killed after taking the job but before the claim: the row stays queued, its job gone."""
    resident = world.users["resident"]
    row = planned(app, resident, monkeypatch)
    with app.test_request_context():
        assert schedule.tick(NOON + delivery.lease() - timedelta(seconds=1))["retried"] == 0
        assert schedule.tick(NOON + delivery.lease() + timedelta(seconds=1))["retried"] == 1
    db.session.refresh(row)
    assert row.status == DeliveryStatus.SENT and len(texts(resident.phone)) == 1


def test_email_whose_whole_text_reached_the_server_is_marked_sent_not_sent_again(tmp_path, smtp_server, monkeypatch):
    """`handed_at` is committed before the final "." (the server has the text but not yet the order to take
    it); a worker killed after that leaves a row that is settled as sent: the person gets it once."""
    with running_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port) as app:
        monkeypatch.setattr(delivery, "utcnow", lambda: NOON)
        user = factories.user(locale="zh_CN")
        db.session.add(EmailAddress(user_id=user.id, address="li@example.com", confirmed_at=NOON))
        db.session.commit()
        preferences.save(user, {("test_settle", Channel.EMAIL): "now"})
        db.session.commit()
        row = planned(app, user, monkeypatch)
        mail = db.session.scalar(
            select(Delivery).where(Delivery.notification_id == row.notification_id, Delivery.channel == Channel.EMAIL)
        )
        seen = []
        handed = delivery._handed

        def spy(key):
            handed(key)
            seen.append((len(smtp_server.messages), db.session.get(Delivery, mail.id).handed_at))

        monkeypatch.setattr(delivery, "_handed", spy)
        with app.test_request_context():
            send = delivery.prepare(Channel.EMAIL, user, mail.notification, f"d{mail.id}")
            delivery.claim([mail.id])
            send()  # the server took it; the worker dies before marking the row sent
            assert seen == [(0, NOON)]  # committed before the final ".": the server had not yet taken it
            assert delivery.settle(NOON + delivery.lease() + timedelta(seconds=1)) == 1
        db.session.refresh(mail)
        assert mail.status == DeliveryStatus.SENT
        assert len(smtp_server.messages) == 1
        with app.test_request_context():
            delivery.claim([mail.id], statuses=(DeliveryStatus.SENT,))  # a new try forgets the old mark
        db.session.refresh(mail)
        assert mail.handed_at is None
