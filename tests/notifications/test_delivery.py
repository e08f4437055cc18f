"""Deliveries outside the app: defaults by importance, quiet hours, the digest, claim-before-send, retries,
failures for staff, and a real SMTP server for email."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core import sms
from app.core.errors import DomainError
from app.core.web import perform
from app.extensions import db
from app.notifications import channels, delivery, kinds, preferences, schedule
from app.notifications.kinds import Channel, Importance, Mode
from app.notifications.models import Delivery, DeliveryStatus, EmailAddress, Notification
from app.notifications.services import notify
from tests import factories

NOON = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)  # 12:00 in Beijing
NIGHT = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)  # 22:00 in Beijing

kinds.register("test_action", Importance.ACTION, _l("Test: action"))
kinds.register("test_info", Importance.INFO, _l("Test: info"))
kinds.register("test_urgent", Importance.URGENT, _l("Test: urgent"))


@pytest.fixture
def clock(monkeypatch):
    """Sets the deliveries' clock."""

    class Clock:
        now = NOON

        def set(self, value):
            self.now = value

    found = Clock()
    monkeypatch.setattr(delivery, "utcnow", lambda: found.now)
    return found


def texts(phone: str) -> list:
    return [m for m in sms.backend().recent() if m.phone == phone]


def send(user, kind="test_action", text="投票已开始", **kw):
    with db.session.no_autoflush:
        item = notify(user, kind, text, url="/x", **kw)
    db.session.commit()  # the edge's commit: the inline queue sends now
    return item


def rows(item) -> dict:
    return {d.channel: d for d in db.session.scalars(select(Delivery).where(Delivery.notification_id == item.id))}


def test_an_action_is_texted_by_default_and_information_stays_in_the_app(app, world, clock):
    resident = world.users["resident"]
    with app.test_request_context():
        action = send(resident, "test_action", "业主共同决定投票已开始")
        info = send(resident, "test_info", "您的金点子已受理")
    assert rows(action)[Channel.SMS].status == DeliveryStatus.SENT
    assert Channel.EMAIL not in rows(action)  # email off until set (and no address)
    assert rows(info) == {}
    [message] = texts(resident.phone)
    assert message.template == "notify_action" and "业主共同决定投票已开始" in message.text


def test_quiet_hours_hold_a_text_until_eight_but_not_an_urgent_one(app, world, clock):
    resident = world.users["resident"]
    clock.set(NIGHT)
    with app.test_request_context():
        held = send(resident, "test_action")
        urgent = send(resident, "test_urgent", "停水通知")
    row = rows(held)[Channel.SMS]
    assert row.status == DeliveryStatus.HELD
    assert row.due_at == datetime(2026, 12, 8, 0, 0, tzinfo=UTC)  # 08:00 Beijing
    assert rows(urgent)[Channel.SMS].status == DeliveryStatus.SENT
    assert len(texts(resident.phone)) == 1
    with app.test_request_context():
        assert schedule.tick(row.due_at - timedelta(minutes=1))["released"] == 0
        assert schedule.tick(row.due_at)["released"] == 1
    db.session.refresh(row)
    assert row.status == DeliveryStatus.SENT and len(texts(resident.phone)) == 2


def test_the_digest_sends_one_message_for_all_that_waited(app, world, clock):
    resident = world.users["resident"]
    preferences.save(resident, {("test_info", Channel.SMS): "digest"})
    with app.test_request_context():
        first, second = send(resident, "test_info", "一"), send(resident, "test_info", "二")
    assert rows(first)[Channel.SMS].status == DeliveryStatus.DIGEST
    due = rows(first)[Channel.SMS].due_at
    assert due == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # 18:00 Beijing
    assert texts(resident.phone) == []
    with app.test_request_context():
        assert schedule.tick(due)["digests"] == 1
        assert schedule.tick(due + timedelta(minutes=1))["digests"] == 0  # never twice
    [message] = texts(resident.phone)
    assert message.template == "notify_digest" and message.params == {"count": "2"}
    assert {rows(i)[Channel.SMS].status for i in (first, second)} == {DeliveryStatus.SENT}


def test_a_delivery_is_claimed_before_sending_so_a_second_run_sends_nothing(app, world, clock, monkeypatch):
    resident = world.users["resident"]
    monkeypatch.setattr(delivery, "enqueue", lambda ids: None)  # a queue that never runs the job
    with app.test_request_context():
        item = send(resident)
        row_id = rows(item)[Channel.SMS].id
        assert delivery.deliver(row_id) == "sent"
        assert delivery.deliver(row_id) == "skipped"  # the job retried, or run by a second worker
    assert len(texts(resident.phone)) == 1
    assert db.session.get(Delivery, row_id).attempts == 1


def test_failures_are_recorded_retried_with_back_off_then_left_for_staff(app, world, clock, monkeypatch):
    resident = world.users["resident"]

    def refuse(*args, **kwargs):
        raise sms.SmsFailed()

    monkeypatch.setattr(channels.sms, "send_sms", refuse)
    with app.test_request_context():
        item = send(resident)
    row = rows(item)[Channel.SMS]
    assert row.status == DeliveryStatus.FAILED and row.attempts == 1 and "SmsFailed" in row.last_error
    with app.test_request_context():
        assert schedule.tick(NOON + timedelta(seconds=10))["retried"] == 0  # back-off: 30 s first
        assert schedule.tick(NOON + timedelta(seconds=31))["retried"] == 1
        db.session.refresh(row)
        assert row.attempts == 2
        for minutes in (3, 15, 60):
            schedule.tick(NOON + timedelta(minutes=minutes))
        db.session.refresh(row)
        assert row.attempts == app.config["DELIVERY_MAX_ATTEMPTS"] == 4
        assert schedule.tick(NOON + timedelta(hours=5))["retried"] == 0  # left for staff
    assert row.status == DeliveryStatus.FAILED


def test_a_refused_use_case_stores_and_sends_nothing(app, world, clock):
    resident = world.users["resident"]

    def use_case():
        notify(resident, "test_action", "不会发出")
        raise DomainError("bad_request", "refused")

    with app.test_request_context():
        assert perform(use_case, reraise=()).status == 400
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0
    assert texts(resident.phone) == []


def test_a_key_makes_a_notification_once_per_person(app, world, clock):
    resident = world.users["resident"]
    with app.test_request_context():
        assert send(resident, key="vote:1") is not None
        assert send(resident, key="vote:1") is None
    assert len(texts(resident.phone)) == 1


def test_email_goes_through_a_real_smtp_server_once_the_address_is_confirmed(tmp_path, smtp_server, monkeypatch):
    from tests.conftest import running_app

    with running_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port) as app:
        monkeypatch.setattr(delivery, "utcnow", lambda: NOON)
        user = factories.user(locale="zh_CN")
        db.session.commit()
        with app.test_request_context():
            preferences.set_email(user, "Wang@Example.com", link=lambda token: f"http://site/confirm/{token}")
            db.session.commit()
        [(to, raw)] = smtp_server.messages
        assert to == ["wang@example.com"]
        body = email.message_from_bytes(raw.encode(), policy=policy.default).get_content()  # base64 or QP
        token = body.split("/confirm/")[1].split()[0]
        with pytest.raises(DomainError):  # email cannot be chosen before the address is confirmed
            preferences.save(user, {("test_info", Channel.EMAIL): "now"})
        with app.test_request_context():
            preferences.confirm_email(user, token)
            preferences.save(user, {("test_info", Channel.EMAIL): "now"})
            db.session.commit()
            item = send(user, "test_info", "社区公告：周六停水")
        assert rows(item)[Channel.EMAIL].status == DeliveryStatus.SENT
        assert len(smtp_server.messages) == 2
        to, raw = smtp_server.messages[1]
        assert to == ["wang@example.com"] and "社区公告：周六停水" in raw  # 8-bit UTF-8, as sent
        assert db.session.get(EmailAddress, user.id).confirmed_at is not None


def test_a_confirmation_link_of_another_person_or_address_is_refused(app, world):
    resident, owner = world.users["resident"], world.users["owner"]
    with app.test_request_context():
        links = []
        preferences.set_email(resident, "a@example.com", link=links.append)
        preferences.set_email(owner, "b@example.com", link=links.append)
        db.session.commit()
        with pytest.raises(DomainError):
            preferences.confirm_email(owner, links[0])
        with pytest.raises(DomainError):
            preferences.confirm_email(resident, links[0] + "x")
        preferences.set_email(resident, "c@example.com", link=links.append)  # changed since
        with pytest.raises(DomainError):
            preferences.confirm_email(resident, links[0])
        assert preferences.confirm_email(resident, links[2]).confirmed_at is not None


def test_modes_default_by_importance(app, world):
    resident = world.users["resident"]
    assert preferences.modes_for(resident.id, "test_urgent") == {Channel.SMS: Mode.NOW, Channel.EMAIL: Mode.OFF}
    assert preferences.modes_for(resident.id, "test_info") == {Channel.SMS: Mode.OFF, Channel.EMAIL: Mode.OFF}
