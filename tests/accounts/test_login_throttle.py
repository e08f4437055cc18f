"""Failed logins are limited per mobile number as well as per address, with a growing delay, never a lock.

The clock the throttle reads (app.core.models.utcnow) is moved by hand: no test sleeps.
"""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest
from flask_babel import force_locale

from app.accounts import services, throttle
from app.core.errors import DomainError
from app.core.models import utcnow
from app.extensions import db
from tests import factories
from tests.conftest import running_app

WRONG = "not-the-password"


class Clock:
    """The throttle's clock, moved on by the test."""

    def __init__(self, monkeypatch):
        self.now = utcnow()
        monkeypatch.setattr(throttle, "utcnow", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def limited_app(tmp_path):
    """Rate limits on (the suite's default is off), the per-address limit as shipped."""
    with running_app(tmp_path, RATELIMIT_ENABLED=True) as app:
        yield app


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def checked(monkeypatch):
    """How many passwords were checked (a hash compared), by any path."""
    calls = {"n": 0}
    real = services.check_password_hash

    def counting(*args, **kwargs):
        calls["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "check_password_hash", counting)  # an unknown number's dummy check
    monkeypatch.setattr("app.accounts.models.check_password_hash", counting)  # User.check_password
    return calls


def _client(app, address: str):
    http = app.test_client()
    http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    http.environ_base["REMOTE_ADDR"] = address
    return http


def _login(app, phone: str, password: str, address: str):
    return _client(app, address).post("/account/login", data={"phone": phone, "password": password})


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_forty_addresses_cannot_guess_one_number(limited_app, clock, checked):
    resident = factories.user(name="张阿姨")
    db.session.commit()
    statuses = [_login(limited_app, resident.phone, WRONG, f"10.0.{i}.1").status_code for i in range(40)]
    # five free guesses, then the number waits: the other 35 addresses are refused unheard
    assert statuses == [401] * 5 + [429] * 35
    assert checked["n"] == 5  # while the number waits, no password is even checked
    page = _login(limited_app, resident.phone, factories.PASSWORD, "192.168.1.7")
    assert page.status_code == 429
    assert "Try again in 30 seconds." in _text(page)
    clock.advance(29)
    assert "Try again in 1 second." in _text(_login(limited_app, resident.phone, factories.PASSWORD, "192.168.1.7"))
    clock.advance(1)
    page = _login(limited_app, resident.phone, factories.PASSWORD, "192.168.1.7")
    assert page.status_code == 302, _text(page)  # after the wait, the right password logs in
    assert throttle.remaining(resident.phone) == 0


def test_the_wait_grows_to_fifteen_minutes_and_no_further(limited_app, clock):
    """A patient attacker who waits out every delay: the waits double up to the cap; the resident is held up
    for at most the cap after the attacker's last guess, never locked out."""
    resident = factories.user()
    db.session.commit()
    waits = []
    for i in range(40):
        page = _login(limited_app, resident.phone, WRONG, f"10.1.{i}.1")
        assert page.status_code == 401
        waits.append(throttle.remaining(resident.phone))
        clock.advance(waits[-1])
    assert waits[:11] == [0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900]
    assert max(waits) == throttle.MAX_DELAY == 15 * 60
    clock.advance(-900)  # just after the attacker's 40th guess
    page = _login(limited_app, resident.phone, factories.PASSWORD, "192.168.1.7")
    assert page.status_code == 429 and "Try again in 15 minutes." in _text(page)
    clock.advance(14 * 60)
    assert "Try again in 1 minute." in _text(_login(limited_app, resident.phone, factories.PASSWORD, "192.168.1.7"))
    clock.advance(60)
    assert _login(limited_app, resident.phone, factories.PASSWORD, "192.168.1.7").status_code == 302


def test_an_unknown_number_is_answered_the_same(limited_app, clock):
    """Nothing tells a registered number from one that is not: the same answers, the same waits."""
    resident = factories.user()
    db.session.commit()
    unknown = "13999999999"

    def run(phone, network):
        pages = [_login(limited_app, phone, WRONG, f"10.2.{network}.{i}") for i in range(8)]
        return [(p.status_code, _text(p).count("Try again in 30 seconds.")) for p in pages]

    assert run(resident.phone, 1) == run(unknown, 2) == [(401, 0)] * 5 + [(429, 1)] * 3
    assert throttle.remaining(unknown) == throttle.remaining(resident.phone) == 30


def test_the_number_is_counted_however_it_is_written(limited_app, clock):
    resident = factories.user()
    db.session.commit()
    spelled = [
        resident.phone,
        f"+86 {resident.phone}",
        f"0086{resident.phone}",
        resident.phone[:3] + "-" + resident.phone[3:],
    ]
    for i in range(5):
        assert _login(limited_app, spelled[i % 4], WRONG, f"10.3.{i}.1").status_code == 401
    assert _login(limited_app, spelled[1], factories.PASSWORD, "10.3.9.1").status_code == 429


def test_a_success_clears_the_count(limited_app, clock):
    resident = factories.user()
    db.session.commit()
    for i in range(4):
        _login(limited_app, resident.phone, WRONG, f"10.4.{i}.1")
    assert _login(limited_app, resident.phone, factories.PASSWORD, "10.4.8.1").status_code == 302
    statuses = [_login(limited_app, resident.phone, WRONG, f"10.4.{i}.2").status_code for i in range(6)]
    assert statuses == [401] * 5 + [429]  # five free failures again, not one


def test_a_burst_gets_one_try_when_the_wait_ends(limited_app, clock):
    """Guesses sent side by side as a wait ends: one goes ahead, the others wait (they were all let through
    by check() before any failure was counted)."""
    phone = "13700000123"
    with limited_app.test_request_context():
        for _ in range(5):
            throttle.check(phone)
            throttle.failed(phone)
        clock.advance(30)
        throttle.check(phone)  # the first of the burst takes the try
        with pytest.raises(throttle.TryLater) as second:
            throttle.check(phone)
        assert second.value.status_code == 429 and second.value.retry_after == 30
        throttle.failed(phone)
        assert throttle.remaining(phone) == 60


def test_check_raises_a_translated_domain_error(limited_app, clock):
    phone = "13700000124"
    with limited_app.test_request_context(headers={"Accept-Language": "en"}):
        for _ in range(7):
            throttle.failed(phone)
        with pytest.raises(DomainError) as refused:
            throttle.check(phone)
        assert refused.value.code == "login_throttled"
        assert str(refused.value.message) == "Too many wrong attempts for this number. Try again in 2 minutes."
        with force_locale("zh_CN"):
            assert throttle.wait_message(120) == "这个号码登录失败次数太多，请在 2 分钟后再试。"
            assert throttle.wait_message(30) == "这个号码登录失败次数太多，请在 30 秒后再试。"
            assert throttle.wait_message(61) == "这个号码登录失败次数太多，请在 2 分钟后再试。"
        with force_locale("en"):
            assert throttle.wait_message(60).endswith("Try again in 1 minute.")


def test_a_resident_reads_the_wait_in_chinese(limited_app, clock):
    resident = factories.user(locale="zh_CN")
    db.session.commit()
    http = _client(limited_app, "10.5.0.1")
    http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    for _ in range(5):
        http.post("/account/login", data={"phone": resident.phone, "password": WRONG})
    clock.advance(30)
    http.post("/account/login", data={"phone": resident.phone, "password": WRONG})
    page = http.post("/account/login", data={"phone": resident.phone, "password": factories.PASSWORD})
    assert page.status_code == 429
    assert "请在 1 分钟后再试" in _text(page)


def test_the_delays(app):
    assert [throttle.delay_after(n) for n in range(1, 13)] == [0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900, 900]
    assert throttle.delay_after(10_000) == 900


def test_nothing_is_counted_with_rate_limits_off(app, clock):
    """The suite's default (RATELIMIT_ENABLED off): logins are neither counted nor refused."""
    resident = factories.user()
    db.session.commit()
    client = _client(app, "10.6.0.1")
    assert {
        client.post("/account/login", data={"phone": resident.phone, "password": WRONG}).status_code for _ in range(8)
    } == {401}
    assert (
        client.post("/account/login", data={"phone": resident.phone, "password": factories.PASSWORD}).status_code == 302
    )


@pytest.mark.redis
def test_counted_across_processes_on_redis(tmp_path, clock):
    """Two application instances on one Redis (two processes of a site) share each number's count."""
    settings = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": os.environ.get("TEST_REDIS_URL", ""),
        "RATELIMIT_KEY_PREFIX": f"yishi-test-{uuid.uuid4().hex[:8]}",
        "SECRET_KEY": "shared-by-the-processes-of-a-site-0123456789",
    }
    phone = "13700000125"
    with running_app(tmp_path / "one", **settings) as first:
        for i in range(5):
            assert _login(first, phone, WRONG, f"10.7.{i}.1").status_code == 401
    with running_app(tmp_path / "two", **settings) as second:
        page = _login(second, phone, WRONG, "10.7.9.1")
        assert page.status_code == 429 and "Try again in 30 seconds." in _text(page)
        with second.test_request_context():
            throttle.succeeded(phone)
            assert throttle.remaining(phone) == 0
