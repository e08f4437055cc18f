"""The daily email digest end to end, against a real SMTP server (aiosmtpd): notifications of kinds a person
chose to get "in the daily digest" by email (day or night) are collected and go out once, as one message at
DIGEST_HOUR, in that person's language; the tick run again sends nothing more."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.notifications import delivery, kinds, preferences, schedule
from app.notifications.kinds import Channel, Importance
from app.notifications.models import Delivery, DeliveryStatus, EmailAddress
from app.notifications.services import notify
from tests import factories
from tests.conftest import running_app

NOON = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)  # 12:00 in Beijing
NIGHT = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)  # 22:00 in Beijing: quiet hours
DIGEST = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # 18:00 in Beijing

kinds.register("test_digest_info", Importance.INFO, _l("Test: info"))


@pytest.fixture
def mail_app(tmp_path, smtp_server, monkeypatch):
    with running_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port) as app:
        clock = {"now": NOON}
        monkeypatch.setattr(delivery, "utcnow", lambda: clock["now"])
        app.clock = clock
        yield app


def person(locale: str, address: str):
    user = factories.user(locale=locale)
    db.session.add(EmailAddress(user_id=user.id, address=address, confirmed_at=NOON))
    db.session.commit()
    preferences.save(user, {("test_digest_info", Channel.EMAIL): "digest"})
    db.session.commit()
    return user


def tell(app, user, text: str, at: datetime) -> None:
    app.clock["now"] = at
    with app.test_request_context():
        notify(user, "test_digest_info", text, url="/c/x/notices/1")
        db.session.commit()


def parsed(raw: str):
    return email.message_from_bytes(raw.encode("utf-8"), policy=policy.default)  # the bytes as sent


def test_the_email_digest_collects_day_and_night_and_goes_once_in_each_persons_language(mail_app, smtp_server):
    wang, smith = person("zh_CN", "wang@example.com"), person("en", "smith@example.com")
    tell(mail_app, wang, "社区公告：周六停水", NOON)
    tell(mail_app, wang, "您的金点子已受理", NOON + timedelta(hours=1))
    tell(mail_app, smith, "Lift inspection on Friday", NOON)
    tell(mail_app, smith, "Water off on Saturday", NOON + timedelta(minutes=5))
    assert smtp_server.messages == []  # nothing goes at once
    statuses = set(db.session.scalars(select(Delivery.status)))
    assert statuses == {DeliveryStatus.DIGEST}
    with mail_app.test_request_context():
        assert schedule.tick(DIGEST - timedelta(minutes=1))["digests"] == 0
        assert schedule.tick(DIGEST)["digests"] == 2  # one message per person
        assert schedule.tick(DIGEST + timedelta(minutes=1))["digests"] == 0  # never twice
    by_address = {tuple(to): parsed(raw) for to, raw in smtp_server.messages}
    assert len(smtp_server.messages) == 2 and set(by_address) == {("wang@example.com",), ("smith@example.com",)}
    chinese, english = by_address[("wang@example.com",)], by_address[("smith@example.com",)]
    assert chinese["Subject"] == "议事：2 条新消息"
    assert "社区公告：周六停水" in chinese.get_content() and "您的金点子已受理" in chinese.get_content()
    assert english["Subject"] == "Yishi: 2 new messages"
    assert "Lift inspection on Friday" in english.get_content() and "Water off on Saturday" in english.get_content()
    assert "/c/x/notices/1" in english.get_content()
    assert chinese["Message-ID"] != english["Message-ID"]  # each digest its own stable id
    assert set(db.session.scalars(select(Delivery.status))) == {DeliveryStatus.SENT}

    # at night (quiet hours): collected for the next day's digest, not sent at 08:00 with held texts
    tell(mail_app, wang, "明天上午电梯检修", NIGHT)
    with mail_app.test_request_context():
        next_morning = datetime(2026, 12, 8, 0, 0, tzinfo=UTC)
        assert schedule.tick(next_morning)["digests"] == 0
        assert schedule.tick(DIGEST + timedelta(days=1))["digests"] == 1
    assert len(smtp_server.messages) == 3
    evening = parsed(smtp_server.messages[2][1])
    assert evening["Subject"] == "议事：1 条新消息" and "明天上午电梯检修" in evening.get_content()


def test_a_digest_left_sending_by_a_killed_tick_goes_once(mail_app, smtp_server, monkeypatch):
    """The tick killed between the digest's claim and its send: the rows go back to the digest after the
    lease and are sent once, with the digest's Message-ID."""
    wang = person("zh_CN", "wang@example.com")
    tell(mail_app, wang, "社区公告：周六停水", NOON)
    tell(mail_app, wang, "您的金点子已受理", NOON)
    ids = list(db.session.scalars(select(Delivery.id)))
    mail_app.clock["now"] = DIGEST
    with mail_app.test_request_context():
        delivery.claim(ids, statuses=(DeliveryStatus.DIGEST,), send_key=f"g{min(ids)}")  # then killed
        assert schedule.tick(DIGEST + timedelta(seconds=5))["digests"] == 0
        done = schedule.tick(DIGEST + delivery.lease() + timedelta(seconds=1))
    assert done["settled"] == 2 and done["digests"] == 1
    [(_to, raw)] = smtp_server.messages
    assert parsed(raw)["Message-ID"] == delivery.message_id(f"g{min(ids)}")
    assert parsed(raw)["Subject"] == "议事：2 条新消息"
