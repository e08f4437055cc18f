"""The Tencent Cloud SMS adapter, through the official SDK, against a local stand-in of the provider's API
(tests/core/tencent_standin.py: it checks the TC3-HMAC-SHA256 signature as documented and answers the
provider's JSON)."""

from __future__ import annotations

import json
import logging
import time
import urllib.request

import pytest
from sqlalchemy import func, select

from app.accounts.models import OneTimeCode
from app.core import sms
from app.extensions import db
from tests import factories
from tests.conftest import running_app
from tests.core import tencent_standin
from tests.core.tencent_standin import StandIn


@pytest.fixture
def standin():
    found = StandIn()
    server = tencent_standin.start(found)
    yield found
    server.shutdown()
    server.server_close()


def _settings(standin: StandIn, **extra) -> dict:
    return {
        "SMS_BACKEND": "tencent",
        "TENCENT_SMS_SECRET_ID": standin.secret_id,
        "TENCENT_SMS_SECRET_KEY": standin.secret_key,
        "TENCENT_SMS_SDK_APP_ID": standin.sdk_app_id,
        "TENCENT_SMS_SIGN_NAME": "议事",
        "TENCENT_SMS_REGION": "ap-guangzhou",
        "TENCENT_SMS_ENDPOINT": standin.url,
        "SMS_TEMPLATES": {"login_code": "1000001", "reset_code": "1000002", "change_password_code": "1000003"},
        "SMS_TIMEOUT_SECONDS": 5,
        **extra,
    }


@pytest.fixture
def tencent_app(tmp_path, standin):
    with running_app(tmp_path, **_settings(standin)) as app:
        yield app


def test_send_sms_goes_through_the_sdk_signed_and_as_documented(tencent_app, standin):
    with tencent_app.test_request_context():
        message_id = sms.send_sms("13812345678", "login_code", {"code": "042917", "minutes": 5})
    [request] = standin.received
    assert request.verdict == "Ok"
    assert message_id.startswith("5000:")
    assert request.headers["x-tc-action"] == "SendSms" and request.headers["x-tc-version"] == "2021-01-11"
    assert request.headers["x-tc-region"] == "ap-guangzhou"
    assert request.headers["authorization"].startswith(f"TC3-HMAC-SHA256 Credential={standin.secret_id}/")
    assert request.body["PhoneNumberSet"] == ["+8613812345678"]
    assert request.body["TemplateId"] == "1000001" and request.body["SignName"] == "议事"
    assert request.body["SmsSdkAppId"] == standin.sdk_app_id
    assert request.body["TemplateParamSet"] == ["042917", "5"]  # the template's {1} and {2}


def test_a_wrong_secret_key_is_refused_by_the_signature_check(tmp_path, standin, caplog):
    with (
        running_app(tmp_path, **_settings(standin, TENCENT_SMS_SECRET_KEY="not-the-key")) as app,
        app.test_request_context(),
        pytest.raises(sms.SmsFailed),
    ):
        sms.send_sms("13812345678", "login_code", {"code": "042917", "minutes": 5})
    assert [r.verdict for r in standin.received] == ["AuthFailure.SignatureFailure"]
    assert "AuthFailure.SignatureFailure" in caplog.text
    assert "13812345678" not in caplog.text  # logged masked
    assert "138****5678" in caplog.text


def test_the_standin_refuses_a_body_changed_after_signing(standin):
    """The stand-in's own check: a request signed the documented way passes, the same with another body fails."""
    body = json.dumps(
        {
            "PhoneNumberSet": ["+8613812345678"],
            "SmsSdkAppId": standin.sdk_app_id,
            "SignName": "议事",
            "TemplateId": "1000001",
            "TemplateParamSet": ["1", "5"],
        }
    ).encode()
    host = standin.url.removeprefix("http://")
    timestamp = int(time.time())
    headers = {"Content-Type": "application/json; charset=utf-8", "Host": host, "X-TC-Action": "SendSms"}
    signed = ["content-type", "host", "x-tc-action"]
    signature = tencent_standin.tc3_signature(
        standin.secret_key, method="POST", headers=headers, signed=signed, body=body, timestamp=timestamp, service="sms"
    )
    date = time.strftime("%Y-%m-%d", time.gmtime(timestamp))
    headers.update(
        {
            "X-TC-Version": "2021-01-11",
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": "ap-guangzhou",
            "Authorization": f"TC3-HMAC-SHA256 Credential={standin.secret_id}/{date}/sms/tc3_request, "
            f"SignedHeaders={';'.join(signed)}, Signature={signature}",
        }
    )

    def post(data: bytes) -> dict:
        request = urllib.request.Request(standin.url + "/", data=data, headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.load(response)["Response"]

    assert post(body)["SendStatusSet"][0]["Code"] == "Ok"
    tampered = post(body.replace(b'"1", "5"', b'"9", "5"'))
    assert tampered["Error"]["Code"] == "AuthFailure.SignatureFailure"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        ("LimitExceeded.PhoneNumberDailyLimit", None),  # the number had its day's messages: per number
        ("InvalidParameterValue.IncorrectPhoneNumber", None),
        ("Ok", "RequestLimitExceeded"),  # the whole request refused
        ("Ok", "InternalError"),
    ],
)
def test_a_provider_refusal_is_a_translated_sms_failure_and_logged(tencent_app, standin, caplog, status, error):
    standin.status, standin.error = status, error
    with tencent_app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        with pytest.raises(sms.SmsFailed) as err:
            sms.send_sms("13812345678", "reset_code", {"code": "042917", "minutes": 5})
        assert str(err.value.message) == "验证码暂时发送不了，请过几分钟再试。"
    assert err.value.status_code == 503
    assert (error or status) in caplog.text


def test_an_unreachable_provider_is_an_sms_failure(tmp_path, standin):
    settings = _settings(standin, TENCENT_SMS_ENDPOINT="http://127.0.0.1:9")  # the discard port: refused
    with running_app(tmp_path, **settings) as app, app.test_request_context(), pytest.raises(sms.SmsFailed):
        sms.send_sms("13812345678", "login_code", {"code": "042917", "minutes": 5})


def test_a_template_without_a_provider_id_is_an_sms_failure(tmp_path, standin, caplog):
    settings = _settings(standin, SMS_TEMPLATES={"login_code": "", "reset_code": "1000002"})
    with running_app(tmp_path, **settings) as app, app.test_request_context(), pytest.raises(sms.SmsFailed):
        sms.send_sms("13812345678", "login_code", {"code": "042917", "minutes": 5})
    assert standin.received == []
    assert "SMS_TEMPLATE_LOGIN_CODE" in caplog.text


def test_missing_settings_are_named(tmp_path):
    with (
        running_app(tmp_path, SMS_BACKEND="tencent", TENCENT_SMS_SECRET_KEY="") as app,
        app.test_request_context(),
        pytest.raises(RuntimeError, match="TENCENT_SMS_SECRET_KEY"),
    ):
        sms.send_sms("13812345678", "login_code", {"code": "042917", "minutes": 5})


# -- through the site -------------------------------------------------------------------------------


def _codes() -> int:
    return db.session.scalar(select(func.count()).select_from(OneTimeCode))


def test_a_failed_send_writes_nothing_and_does_not_hold_back_the_next_try(tmp_path, standin):
    """The provider fails: the resident reads that the code could not be sent; no code row stays, and the
    limit of one code a minute per number did not count the failed try."""
    with running_app(tmp_path, **_settings(standin), RATELIMIT_ENABLED=True) as app:
        factories.user(phone="13812345678")
        db.session.commit()
        client = app.test_client()
        standin.status = "LimitExceeded.PhoneNumberThirtySecondLimit"
        failed = client.post("/account/login/code", data={"phone": "13812345678"}, headers={"Accept-Language": "zh-CN"})
        assert failed.status_code == 503
        assert "验证码暂时发送不了，请过几分钟再试。" in failed.get_data(as_text=True)
        assert _codes() == 0
        standin.status = "Ok"
        again = client.post("/account/login/code", data={"phone": "13812345678"})
        assert again.status_code == 303
        assert _codes() == 1
        assert len(standin.sent()) == 1


def test_an_unknown_number_takes_as_long_as_a_send_and_reaches_no_provider(tmp_path, standin):
    """Timing class: the provider answers after 0.3 s; asking for a code for an unknown number waits about as
    long (core.sms.pretend_send), and sends nothing."""
    standin.delay = 0.3
    with running_app(tmp_path, **_settings(standin), SMS_TYPICAL_SEND_SECONDS=0.3) as app:
        factories.user(phone="13812345678")
        db.session.commit()
        client = app.test_client()

        def timed(phone: str) -> float:
            started = time.perf_counter()
            assert client.post("/account/login/code", data={"phone": phone}).status_code == 303
            return time.perf_counter() - started

        known = [timed("13812345678") for _ in range(2)]
        unknown = [timed("13900000000") for _ in range(2)]
    logging.getLogger(__name__).info("known %s, unknown %s", known, unknown)
    assert len(standin.sent()) == 2  # the known number's two; none for the unknown one
    # at least the provider's 0.3 s each way (the unknown number sleeps the average of the timed sends); the
    # upper bound leaves room for a loaded machine
    assert all(0.28 <= t < 3 for t in known + unknown), (known, unknown)
