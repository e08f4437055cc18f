"""core.sms: the provider interface, the development backend and its /dev/sms page, and production's refusals."""

from __future__ import annotations

import logging
import os
import uuid

import pytest
import redis

from app import create_app
from app.core import ratelimit, sms
from config import SMS_TEMPLATE_KEYS, ProductionConfig, TestingConfig
from tests.conftest import running_app


def test_every_template_has_its_text_params_and_config_key():
    assert set(sms.TEMPLATES) == set(sms.PARAMS) == set(SMS_TEMPLATE_KEYS)
    for key, text in sms.TEMPLATES.items():
        placeholders = [f"{{{n}}}" for n in range(1, len(sms.PARAMS[key]) + 1)]
        assert all(p in text for p in placeholders), key


def test_the_development_backend_logs_the_code_and_lists_it_on_dev_sms(app, client, caplog):
    caplog.set_level(logging.INFO, logger="app.core.sms")
    with app.test_request_context():
        message_id = sms.send_sms("13812345678", "login_code", {"code": "042917", "minutes": 5})
    assert message_id.startswith("dev-")
    assert "13812345678" in caplog.text and "042917" in caplog.text
    page = client.get("/dev/sms")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    body = page.get_data(as_text=True)
    assert "042917" in body and "13812345678" in body
    assert "您的登录验证码为042917，5分钟内有效" in body


def test_the_newest_message_comes_first_and_the_list_is_bounded(app):
    with app.test_request_context():
        for n in range(sms.DEV_OUTBOX_SIZE + 5):
            sms.send_sms("13812345678", "reset_code", {"code": f"{n:06d}", "minutes": 5})
        recent = sms.backend().recent()
    assert len(recent) == sms.DEV_OUTBOX_SIZE
    assert recent[0].params["code"] == f"{sms.DEV_OUTBOX_SIZE + 4:06d}"


def test_send_sms_refuses_an_unknown_template_or_missing_params(app):
    with app.test_request_context():
        with pytest.raises(ValueError, match="unknown SMS template"):
            sms.send_sms("13812345678", "welcome", {})
        with pytest.raises(ValueError, match="minutes"):
            sms.send_sms("13812345678", "login_code", {"code": "042917"})


def test_an_unknown_backend_is_named(tmp_path):
    with (
        running_app(tmp_path, SMS_BACKEND="carrier-pigeon") as app,
        app.test_request_context(),
        pytest.raises(RuntimeError, match="carrier-pigeon"),
    ):
        sms.send_sms("13812345678", "login_code", {"code": "042917", "minutes": 5})


@pytest.mark.redis
def test_development_processes_share_the_outbox_through_redis(tmp_path):
    """Two development processes (two apps here) on one Redis list the same messages."""
    settings = {"REDIS_URL": os.environ["TEST_REDIS_URL"], "REDIS_PREFIX": f"yishi-test-{uuid.uuid4().hex[:8]}"}
    with running_app(tmp_path / "one", **settings) as first, first.test_request_context():
        sms.send_sms("13812345678", "login_code", {"code": "111111", "minutes": 5})
    with running_app(tmp_path / "two", **settings) as second, second.test_request_context():
        sms.send_sms("13912345678", "login_code", {"code": "222222", "minutes": 5})
        codes = [m.params["code"] for m in sms.backend().recent()]
        sms.backend()._redis().delete(sms.backend()._key)
    assert codes == ["222222", "111111"]


# -- production ------------------------------------------------------------------------------------


def _production(monkeypatch, **env):
    values = {
        "SECRET_KEY": "k" * 32,
        "DATABASE_URL": "sqlite://",
        "SOCKETIO_ALLOWED_ORIGINS": "https://yishi.example.org",
        "SMS_BACKEND": None,
        "SMS_ALLOW_DEVELOPMENT_BACKEND": None,
        "TENCENT_SMS_SECRET_ID": "AKIDexample",
        "TENCENT_SMS_SECRET_KEY": "secret",
        "TENCENT_SMS_SDK_APP_ID": "1400006666",
        "TENCENT_SMS_SIGN_NAME": "议事",
        **{f"SMS_TEMPLATE_{key.upper()}": "1000001" for key in SMS_TEMPLATE_KEYS},
        **env,
    }
    for name, value in values.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    return type(
        "Production",
        (ProductionConfig,),
        {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SQLALCHEMY_ENGINE_OPTIONS": {}, "SOCKETIO_ASYNC_MODE": "threading"},
    )


def test_production_refuses_the_development_backend_unless_allowed(monkeypatch):
    with pytest.raises(RuntimeError, match="SMS_BACKEND=development sends no text messages"):
        create_app(_production(monkeypatch, SMS_BACKEND="development"))
    allowed = _production(monkeypatch, SMS_BACKEND="development", SMS_ALLOW_DEVELOPMENT_BACKEND="1")
    assert create_app(allowed).name == "app"


def test_production_defaults_to_tencent_and_names_what_is_missing(monkeypatch):
    with pytest.raises(RuntimeError, match="TENCENT_SMS_SECRET_KEY, SMS_TEMPLATE_RESET_CODE"):
        create_app(_production(monkeypatch, TENCENT_SMS_SECRET_KEY=None, SMS_TEMPLATE_RESET_CODE=None))
    with pytest.raises(RuntimeError, match="must be tencent or development"):
        create_app(_production(monkeypatch, SMS_BACKEND="aliyun"))
    assert create_app(_production(monkeypatch)).name == "app"  # fully configured: starts


def test_dev_sms_is_not_there_in_production(monkeypatch):
    app = create_app(_production(monkeypatch, SMS_BACKEND="development", SMS_ALLOW_DEVELOPMENT_BACKEND="1"))
    assert "dev.sms_outbox" not in app.view_functions
    assert app.test_client().get("/dev/sms").status_code == 404
    development = create_app(TestingConfig)
    assert "dev.sms_outbox" in development.view_functions


# -- quotas (core.ratelimit.take): several limits counted together, with the wait ------------------------------


def test_take_counts_all_or_nothing_and_says_how_long_to_wait(tmp_path):
    with running_app(tmp_path, RATELIMIT_ENABLED=True) as app, app.test_request_context():
        buckets = [("t_address", "10.0.0.1", "3 per hour"), ("t_number", "13812345678", "1 per minute")]
        taken = ratelimit.take(*buckets)
        with pytest.raises(ratelimit.QuotaExhausted) as err:
            ratelimit.take(*buckets)
        assert 55 <= err.value.seconds <= 60
        assert 55 <= ratelimit.wait_seconds(*buckets) <= 60
        # the refused take counted nothing: another number from the same address still may
        ratelimit.take(("t_address", "10.0.0.1", "3 per hour"), ("t_number", "13900000000", "1 per minute"))
        ratelimit.give_back(taken)  # the first one's send failed: it did not happen
        assert ratelimit.wait_seconds(*buckets) == 0
        ratelimit.take(*buckets)
        with pytest.raises(ratelimit.QuotaExhausted) as err:  # the address's third and fourth
            ratelimit.take(("t_address", "10.0.0.1", "3 per hour"), ("t_number", "13700000000", "1 per minute"))
            ratelimit.take(("t_address", "10.0.0.1", "3 per hour"), ("t_number", "13600000000", "1 per minute"))
        assert err.value.seconds > 60 * 59


def test_take_counts_nothing_when_rate_limits_are_off(app):
    with app.test_request_context():
        for _ in range(5):
            assert ratelimit.take(("t_number", "13812345678", "1 per minute")) == []


@pytest.mark.redis
def test_quotas_count_and_give_back_on_redis(tmp_path):
    """Production counts on Redis: the wait comes from the window's reset there, and a failed send is given back."""
    settings = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": os.environ["TEST_REDIS_URL"],
        "REDIS_PREFIX": f"yishi-test-{uuid.uuid4().hex[:8]}",
    }
    with running_app(tmp_path, **settings) as app, app.test_request_context():
        buckets = [("t_number", "13812345678", "1 per minute;5 per hour")]
        taken = ratelimit.take(*buckets)
        with pytest.raises(ratelimit.QuotaExhausted) as err:
            ratelimit.take(*buckets)
        assert 55 <= err.value.seconds <= 60
        ratelimit.give_back(taken)
        assert ratelimit.wait_seconds(*buckets) == 0
        ratelimit.take(*buckets)
        assert ratelimit.wait_seconds(*buckets) > 0
        client = redis.Redis.from_url(os.environ["TEST_REDIS_URL"])
        keys = client.keys(f"{settings['REDIS_PREFIX']}:limits*t_number*")
        assert keys, "counted in Redis, not in memory"
        client.delete(*keys)
