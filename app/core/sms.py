"""Text messages (SMS) to mainland mobile numbers, through one small provider interface.

    message_id = sms.send_sms("13812345678", "login_code", {"code": "123456", "minutes": 5})

`SMS_BACKEND` chooses the backend:

- "development" (the default outside production): nothing leaves the machine. The message is logged at INFO,
  code and all, and kept among the recent messages that the development-only page /dev/sms lists (in Redis when
  REDIS_URL is set, so that every development process shows the same list; else in this process).
- "tencent": Tencent Cloud SMS (短信, API 2021-01-11 SendSms) through its official Python SDK. Chosen over
  Alibaba Cloud's because its SDK is two small pure-Python packages (common + sms) on requests, which the site
  already trusts, and because its API is signed with TC3-HMAC-SHA256 over the whole request, which our tests
  check against a stand-in of the API (tests/core/test_sms_tencent.py). Settings: TENCENT_SMS_SECRET_ID,
  TENCENT_SMS_SECRET_KEY, TENCENT_SMS_SDK_APP_ID, TENCENT_SMS_SIGN_NAME, TENCENT_SMS_REGION, and
  TENCENT_SMS_ENDPOINT (tests: http://127.0.0.1:<port>).

A template is a key ("login_code", ...) of TEMPLATES. The provider sends only texts it approved beforehand:
each key is mapped to the provider's template id by an environment variable (SMS_TEMPLATE_LOGIN_CODE=...). The
text to submit for approval is the key's TEMPLATES entry; the provider fills {1}, {2} ... with the params in
the order of its PARAMS entry. Production refuses to start without the ids (config.ProductionConfig.check).

A send may carry `out_id`, our own key of the message (a delivery's; Tencent's SessionContext, which the
provider hands back in its status reports); `sms.status(phone, out_id, since)` asks the provider whether a message
with that key went out ("delivered", "failed" or "unknown"): app/notifications/delivery.py settles a send a
killed worker left unfinished with it, so that a text goes out once (Tencent's PullSmsSendStatusByPhoneNumber;
the report carries SessionContext once the provider has enabled it for the account).

A provider failure is an SmsFailed (a DomainError: the edge rolls back what the use case wrote, and the
resident reads "could not send the code, try again later"); it is logged with the provider's error code.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import deque
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import redis
from flask import current_app
from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError
from app.core.masking import mask_phone
from app.core.models import utcnow
from app.core.realtime import REDIS_TIMEOUTS, redis_key

logger = logging.getLogger(__name__)

# The texts to have approved by the provider (signature 【议事】 is added by the provider), with {1}, {2} ...
# standing for PARAMS in order. The development backend shows them filled in.
TEMPLATES = {
    "login_code": "您的登录验证码为{1}，{2}分钟内有效。如非本人操作，请忽略本短信。",
    "reset_code": "您正在找回密码，验证码为{1}，{2}分钟内有效。请勿告诉他人。",
    "change_password_code": "您正在修改密码，验证码为{1}，{2}分钟内有效。请勿告诉他人。",
    "register_code": "您正在注册议事账号，验证码为{1}，{2}分钟内有效。如非本人操作，请忽略本短信。",
    "proxy_appoint_code": "您正在委托他人代您参加业主共同决定投票，验证码为{1}，{2}分钟内有效。请勿告诉他人。",
    # notifications outside the app (app/notifications): {1} is the notification's text, shortened
    "notify_action": "需要您处理：{1}。请打开议事查看。",
    "notify_info": "社区消息：{1}。请打开议事查看。",
    "notify_digest": "您在议事有{1}条新消息，请打开议事查看。",
}
PARAMS = {
    "login_code": ("code", "minutes"),
    "reset_code": ("code", "minutes"),
    "change_password_code": ("code", "minutes"),
    "register_code": ("code", "minutes"),
    "proxy_appoint_code": ("code", "minutes"),
    "notify_action": ("text",),
    "notify_info": ("text",),
    "notify_digest": ("count",),
}
DEV_OUTBOX_SIZE = 50


class SmsFailed(DomainError):
    """The provider did not take the message. Nothing the use case wrote stays (the edge rolls back)."""

    status_code = 503

    def __init__(self, field: str | None = "phone"):
        super().__init__(
            "sms_failed", _l("We could not send the code just now. Please try again in a few minutes."), field=field
        )


def send_sms(phone: str, template: str, params: dict, *, out_id: str = "") -> str:
    """Send template `template` with `params` to mainland number `phone`; returns the provider's message id.
    `out_id`: our key of this message, given back by `status` (a delivery's send key).

    Raises SmsFailed when the provider refuses or cannot be reached, ValueError for a template or params the
    code got wrong."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown SMS template {template!r}")
    missing = [name for name in PARAMS[template] if name not in params]
    if missing:
        raise ValueError(f"SMS template {template!r} needs params {missing}")
    chosen = backend()
    started = time.monotonic()
    message_id = chosen.send(phone, template, params, out_id=out_id)
    chosen.timing.record(time.monotonic() - started)
    return message_id


DELIVERED, FAILED, UNKNOWN = "delivered", "failed", "unknown"


def status(phone: str, out_id: str, since: datetime) -> str:
    """Did the provider send the message with key `out_id` to `phone` (sent at or after `since`)? DELIVERED,
    FAILED (the provider took it and reports it undelivered) or UNKNOWN (no such message, or no report yet).
    Raises SmsFailed when the provider cannot be asked."""
    return backend().status(phone, out_id, since)


def pretend_send() -> None:
    """Spend about as long as a send takes, without sending: a use case that must not reveal whether it sent
    (an unknown number) answers in the same time as one that did."""
    seconds = backend().timing.typical()
    if seconds > 0:
        time.sleep(seconds)


def backend():
    """The configured backend of the current application (built once per application)."""
    app = current_app._get_current_object()
    found = app.extensions.get("yishi_sms")
    if found is None:
        name = app.config.get("SMS_BACKEND", "development")
        if name not in BACKENDS:
            raise RuntimeError(f"SMS_BACKEND must be one of {sorted(BACKENDS)}, not {name!r}")
        found = app.extensions["yishi_sms"] = BACKENDS[name](app)
    return found


class Timing:
    """How long a backend's sends took in this process: a moving average, until the first send
    SMS_TYPICAL_SEND_SECONDS."""

    def __init__(self, first_guess: float):
        self._lock = threading.Lock()
        self._first_guess = first_guess
        self._average: float | None = None

    def record(self, seconds: float) -> None:
        with self._lock:
            self._average = seconds if self._average is None else 0.8 * self._average + 0.2 * seconds

    def typical(self) -> float:
        with self._lock:
            return self._first_guess if self._average is None else self._average


def fill(template: str, params: dict) -> str:
    """The text the resident reads: the template with its params put in."""
    text = TEMPLATES[template]
    for position, name in enumerate(PARAMS[template], start=1):
        text = text.replace(f"{{{position}}}", str(params[name]))
    return text


# -- the development backend ---------------------------------------------------------------------


@dataclass(frozen=True)
class DevMessage:
    id: str
    phone: str
    template: str
    text: str
    params: dict
    sent_at: str  # ISO 8601, UTC
    out_id: str = ""


class DevelopmentBackend:
    """Sends nothing: logs the message (code included) and keeps the last DEV_OUTBOX_SIZE for /dev/sms."""

    def __init__(self, app):
        self.timing = Timing(0.0)
        self._local: deque[DevMessage] = deque(maxlen=DEV_OUTBOX_SIZE)
        self._lock = threading.Lock()
        self._redis_url = app.config.get("REDIS_URL")
        self._key = redis_key("sms", "outbox", app=app)
        self._client: redis.Redis | None = None

    def send(self, phone: str, template: str, params: dict, out_id: str = "") -> str:
        text = fill(template, params)
        message = DevMessage(
            id=f"dev-{uuid.uuid4().hex[:16]}",
            phone=phone,
            template=template,
            text=text,
            params={k: str(v) for k, v in params.items()},
            sent_at=utcnow().isoformat(),
            out_id=out_id,
        )
        logger.info("development SMS to %s (%s): %s", phone, template, text)
        if not self._push_shared(message):
            with self._lock:
                self._local.appendleft(message)
        return message.id

    def status(self, phone: str, out_id: str, since: datetime) -> str:
        """Among the recent messages (the last DEV_OUTBOX_SIZE): enough for development."""
        found = any(m.phone == phone and m.out_id == out_id for m in self.recent())
        return DELIVERED if found else UNKNOWN

    def recent(self) -> list[DevMessage]:
        """The latest messages first."""
        shared = self._read_shared()
        if shared is not None:
            return shared
        with self._lock:
            return list(self._local)

    def _redis(self) -> redis.Redis | None:
        if not self._redis_url:
            return None
        if self._client is None:
            self._client = redis.Redis.from_url(self._redis_url, **REDIS_TIMEOUTS)
        return self._client

    def _push_shared(self, message: DevMessage) -> bool:
        client = self._redis()
        if client is None:
            return False
        try:
            pipe = client.pipeline()
            pipe.lpush(self._key, json.dumps(asdict(message), ensure_ascii=False))
            pipe.ltrim(self._key, 0, DEV_OUTBOX_SIZE - 1)
            pipe.expire(self._key, 24 * 60 * 60)
            pipe.execute()
        except (redis.RedisError, OSError) as err:
            logger.warning("development SMS outbox: Redis unreachable (%s); kept in this process", err)
            return False
        return True

    def _read_shared(self) -> list[DevMessage] | None:
        client = self._redis()
        if client is None:
            return None
        try:
            rows = client.lrange(self._key, 0, DEV_OUTBOX_SIZE - 1)
        except (redis.RedisError, OSError) as err:
            logger.warning("development SMS outbox: Redis unreachable (%s); showing this process's", err)
            return None
        shared = [DevMessage(**json.loads(row)) for row in rows]
        with self._lock:
            local = list(self._local)
        return sorted([*shared, *local], key=lambda m: m.sent_at, reverse=True)[:DEV_OUTBOX_SIZE]


# -- Tencent Cloud SMS -----------------------------------------------------------------------------


class TencentBackend:
    """Tencent Cloud SMS, API version 2021-01-11, through tencentcloud-sdk-python-sms."""

    SETTINGS = (
        "TENCENT_SMS_SECRET_ID",
        "TENCENT_SMS_SECRET_KEY",
        "TENCENT_SMS_SDK_APP_ID",
        "TENCENT_SMS_SIGN_NAME",
    )

    def __init__(self, app):
        config = app.config
        missing = [name for name in self.SETTINGS if not config.get(name)]
        if missing:
            raise RuntimeError("SMS_BACKEND=tencent needs these settings: " + ", ".join(missing))
        self.timing = Timing(float(config.get("SMS_TYPICAL_SEND_SECONDS", 0.3)))
        self.sdk_app_id = config["TENCENT_SMS_SDK_APP_ID"]
        self.sign_name = config["TENCENT_SMS_SIGN_NAME"]
        self.templates = dict(config.get("SMS_TEMPLATES") or {})
        self._client = _tencent_client(config)

    def send(self, phone: str, template: str, params: dict, out_id: str = "") -> str:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.sms.v20210111 import models

        template_id = self.templates.get(template)
        if not template_id:
            logger.error("SMS template %s has no provider template id (SMS_TEMPLATE_%s)", template, template.upper())
            raise SmsFailed()
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [f"+86{phone}"]
        request.SmsSdkAppId = self.sdk_app_id
        request.SignName = self.sign_name
        request.TemplateId = template_id
        request.TemplateParamSet = [str(params[name]) for name in PARAMS[template]]
        if out_id:
            request.SessionContext = out_id
        try:
            response = self._client.SendSms(request)
        except TencentCloudSDKException as err:
            logger.error(
                "SMS to %s (%s) failed: %s %s (request %s)",
                mask_phone(phone),
                template,
                err.get_code(),
                err.get_message(),
                err.get_request_id(),
            )
            raise SmsFailed() from None
        statuses = response.SendStatusSet or []
        status = statuses[0] if statuses else None
        if status is None or status.Code != "Ok":
            logger.error(
                "SMS to %s (%s) refused: %s %s (request %s)",
                mask_phone(phone),
                template,
                getattr(status, "Code", "no status"),
                getattr(status, "Message", ""),
                response.RequestId,
            )
            raise SmsFailed()
        logger.info("SMS to %s (%s) sent: %s", mask_phone(phone), template, status.SerialNo)
        return status.SerialNo

    def status(self, phone: str, out_id: str, since: datetime) -> str:
        """PullSmsSendStatusByPhoneNumber from a minute before `since`: the report whose SessionContext is
        `out_id` (SUCCESS: delivered; FAIL: failed), else unknown."""
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.sms.v20210111 import models

        request = models.PullSmsSendStatusByPhoneNumberRequest()
        request.PhoneNumber = f"+86{phone}"
        request.SmsSdkAppId = self.sdk_app_id
        request.BeginTime = int((since - timedelta(minutes=1)).timestamp())
        request.EndTime = int(utcnow().timestamp()) + 60
        request.Offset = 0
        request.Limit = 100
        try:
            response = self._client.PullSmsSendStatusByPhoneNumber(request)
        except TencentCloudSDKException as err:
            logger.error(
                "SMS status of %s for %s failed: %s %s", out_id, mask_phone(phone), err.get_code(), err.get_message()
            )
            raise SmsFailed() from None
        reports = [r for r in response.PullSmsSendStatusSet or [] if r.SessionContext == out_id]
        if any(r.ReportStatus == "SUCCESS" for r in reports):
            return DELIVERED
        return FAILED if reports else UNKNOWN


def _tencent_client(config):
    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.sms.v20210111 import sms_client

    endpoint = config.get("TENCENT_SMS_ENDPOINT") or "sms.tencentcloudapi.com"
    parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
    http = HttpProfile(
        protocol=parts.scheme,
        endpoint=parts.netloc,
        reqTimeout=int(config.get("SMS_TIMEOUT_SECONDS", 10)),
    )
    profile = ClientProfile(httpProfile=http)
    cred = credential.Credential(config["TENCENT_SMS_SECRET_ID"], config["TENCENT_SMS_SECRET_KEY"])
    return sms_client.SmsClient(cred, config.get("TENCENT_SMS_REGION") or "ap-guangzhou", profile)


BACKENDS = {"development": DevelopmentBackend, "tencent": TencentBackend}
