"""A local stand-in of Tencent Cloud's SMS API (sms.tencentcloudapi.com, version 2021-01-11), for the adapter's tests.

It serves SendSms as the provider documents it, over plain HTTP on 127.0.0.1:

- the request must be a POST to "/" with JSON, the common headers X-TC-Action (SendSms), X-TC-Version
  (2021-01-11), X-TC-Timestamp and X-TC-Region, and an Authorization header signed with TC3-HMAC-SHA256
  ("签名方法 v3"). The signature is checked here as the documentation describes it, written out below, not with
  the SDK's signer:

      CanonicalRequest = Method \\n CanonicalURI \\n CanonicalQueryString \\n CanonicalHeaders \\n SignedHeaders \\n
                         lowercase hex SHA-256 of the body
      CanonicalHeaders = for each signed header, in ASCII order of its lower-case name:
                         lower(name) ":" lower(trimmed value) "\\n"   (content-type and host at least)
      StringToSign     = "TC3-HMAC-SHA256" \\n timestamp \\n Date/service/"tc3_request" \\n hex SHA-256 of it
      SecretDate       = HMAC-SHA256("TC3" + SecretKey, Date)  (Date: UTC date of the timestamp, YYYY-MM-DD)
      SecretService    = HMAC-SHA256(SecretDate, service);  SecretSigning = HMAC-SHA256(SecretService, "tc3_request")
      Signature        = hex HMAC-SHA256(SecretSigning, StringToSign)

  A timestamp more than 5 minutes off is AuthFailure.SignatureExpire; a wrong signature
  AuthFailure.SignatureFailure; an unknown SecretId AuthFailure.SecretIdNotFound.
- the answer is the provider's JSON: {"Response": {"SendStatusSet": [...], "RequestId": ...}} on success, with
  one SendStatus per number (Code "Ok", or a per-number failure such as LimitExceeded.PhoneNumberDailyLimit),
  or {"Response": {"Error": {"Code", "Message"}, "RequestId"}} for a refused request.
- PullSmsSendStatusByPhoneNumber (same headers and signature; PhoneNumber, SmsSdkAppId, BeginTime, EndTime,
  Offset 0, Limit ≤ 100) answers {"Response": {"PullSmsSendStatusSet": [...], "RequestId"}}: one report per
  message this stand-in sent to that number between BeginTime and EndTime, with the SessionContext of its
  SendSms and ReportStatus SUCCESS (`report` = "FAIL" reports failure; `reports = False` answers none, as
  the real API does before the carrier's report arrives).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SERVICE = "sms"
ACTION = "SendSms"
STATUS_ACTION = "PullSmsSendStatusByPhoneNumber"
VERSION = "2021-01-11"


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def tc3_signature(
    secret_key: str, *, method: str, headers: dict, signed: list[str], body: bytes, timestamp: int, service: str
) -> str:
    """The TC3-HMAC-SHA256 signature of a request, step by step as documented (see the module's docstring)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    canonical_headers = "".join(f"{name}:{lowered[name].strip().lower()}\n" for name in sorted(signed))
    canonical_request = "\n".join(
        [method, "/", "", canonical_headers, ";".join(sorted(signed)), hashlib.sha256(body).hexdigest()]
    )
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = "\n".join(
        ["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()]
    )
    secret_date = _hmac(f"TC3{secret_key}".encode(), date)
    secret_service = _hmac(secret_date, service)
    secret_signing = _hmac(secret_service, "tc3_request")
    return hmac.new(secret_signing, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass
class Received:
    headers: dict
    body: dict
    verdict: str  # "Ok" or the error code answered
    action: str = ACTION
    at: float = 0.0  # time.time() when received
    serial: str = ""


@dataclass
class StandIn:
    """The stand-in's settings and what it received. `status` is the per-number SendStatus code to answer;
    `error` an API-level error code to answer instead; `delay` seconds before answering."""

    secret_id: str = "AKIDstandin0000000000000000000000000"
    secret_key: str = "standin-secret-key-0000000000000000"
    sdk_app_id: str = "1400006666"
    templates: dict = field(default_factory=lambda: {"1000001": 2, "1000002": 2, "1000003": 2})  # id: params
    status: str = "Ok"
    error: str | None = None
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    url: str = ""
    report: str = "SUCCESS"
    reports: bool = True

    def sent(self) -> list[Received]:
        """The SendSms requests answered with a message sent."""
        return [r for r in self.received if r.verdict == "Ok" and r.action == ACTION]

    def status_queries(self) -> list[Received]:
        return [r for r in self.received if r.action == STATUS_ACTION]

    # -- the API --------------------------------------------------------------------------------

    def answer(self, method: str, path: str, headers: dict, raw: bytes) -> dict:
        lowered = {k.lower(): v for k, v in headers.items()}
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        code, message = self._check(method, path, lowered, raw, body)
        if code is None and self.error:
            code, message = self.error, "the stand-in was told to refuse"
        request_id = str(uuid.uuid4())
        action = lowered.get("x-tc-action", "")
        serial = f"5000:{uuid.uuid4().int % 10**28:028d}"
        verdict = code or (self.status if action == ACTION else "Ok")
        self.received.append(
            Received(headers=lowered, body=body, verdict=verdict, action=action, at=time.time(), serial=serial)
        )
        if code is not None:
            return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}}
        if action == STATUS_ACTION:
            return {"Response": {"PullSmsSendStatusSet": self._reports(body), "RequestId": request_id}}
        statuses = [
            {
                "SerialNo": serial,
                "PhoneNumber": number,
                "Fee": 1 if self.status == "Ok" else 0,
                "SessionContext": body.get("SessionContext", ""),
                "Code": self.status,
                "Message": "send success" if self.status == "Ok" else "the stand-in was told to refuse this number",
                "IsoCode": "CN",
            }
            for number in body["PhoneNumberSet"]
        ]
        return {"Response": {"SendStatusSet": statuses, "RequestId": request_id}}

    def _check(self, method, path, headers, raw, body) -> tuple[str | None, str]:
        if method != "POST" or path != "/":
            return "InvalidParameter", "POST to / only"
        if not headers.get("content-type", "").startswith("application/json"):
            return "InvalidParameter", "Content-Type must be application/json"
        if headers.get("x-tc-action") not in (ACTION, STATUS_ACTION):
            return "InvalidAction", f"action {headers.get('x-tc-action')!r} is not SendSms"
        if headers.get("x-tc-version") != VERSION:
            return "NoSuchVersion", f"version {headers.get('x-tc-version')!r}"
        if not headers.get("x-tc-region"):
            return "MissingParameter", "X-TC-Region is required in 2021-01-11"
        verdict = self._check_signature(headers, raw)
        if verdict is not None:
            return verdict
        if headers.get("x-tc-action") == STATUS_ACTION:
            return self._check_status_params(body)
        return self._check_params(body)

    def _check_status_params(self, body) -> tuple[str | None, str]:
        if body.get("SmsSdkAppId") != self.sdk_app_id:
            return "FailedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId"
        if not str(body.get("PhoneNumber", "")).startswith("+"):
            return "InvalidParameterValue.IncorrectPhoneNumber", "PhoneNumber"
        begin, end = body.get("BeginTime"), body.get("EndTime")
        if not isinstance(begin, int) or not isinstance(end, int) or begin > end:
            return "InvalidParameter", "BeginTime, EndTime"
        if time.time() - begin > 7 * 24 * 3600:
            return "InvalidParameterValue.BeginTimeOutOfRange", "at most 7 days back"
        if body.get("Offset") != 0 or not 0 < int(body.get("Limit") or 0) <= 100:
            return "InvalidParameter", "Offset 0, Limit 1..100"
        return None, ""

    def _reports(self, body) -> list[dict]:
        if not self.reports:
            return []
        number, begin, end = body["PhoneNumber"], body["BeginTime"], body["EndTime"]
        found = [r for r in self.sent() if number in r.body["PhoneNumberSet"] and begin <= int(r.at) <= end][
            : body["Limit"]
        ]
        return [
            {
                "UserReceiveTime": int(r.at),
                "CountryCode": "86",
                "SubscriberNumber": number.removeprefix("+86"),
                "PhoneNumber": number,
                "SerialNo": r.serial,
                "ReportStatus": self.report,
                "Description": "DELIVRD" if self.report == "SUCCESS" else "UNDELIV",
                "SessionContext": r.body.get("SessionContext", ""),
            }
            for r in found
        ]

    def _check_signature(self, headers, raw) -> tuple[str, str] | None:
        auth = headers.get("authorization", "")
        algorithm, _, rest = auth.partition(" ")
        parts = dict(part.strip().split("=", 1) for part in rest.split(",") if "=" in part)
        if algorithm != "TC3-HMAC-SHA256" or not {"Credential", "SignedHeaders", "Signature"} <= set(parts):
            return "AuthFailure.InvalidAuthorization", "Authorization is not TC3-HMAC-SHA256"
        secret_id, date, service, terminator = ([*parts["Credential"].split("/"), "", "", "", ""])[:4]
        signed = parts["SignedHeaders"].split(";")
        if secret_id != self.secret_id:
            return "AuthFailure.SecretIdNotFound", "unknown SecretId"
        if service != SERVICE or terminator != "tc3_request" or not {"content-type", "host"} <= set(signed):
            return "AuthFailure.InvalidAuthorization", "credential scope or signed headers"
        if any(name not in headers for name in signed):
            return "AuthFailure.InvalidAuthorization", "a signed header is missing"
        timestamp = int(headers.get("x-tc-timestamp", "0") or 0)
        if abs(time.time() - timestamp) > 300:
            return "AuthFailure.SignatureExpire", "the timestamp is more than 5 minutes off"
        if date != datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d"):
            return "AuthFailure.InvalidAuthorization", "the credential's date is not the timestamp's"
        expected = tc3_signature(
            self.secret_key,
            method="POST",
            headers=headers,
            signed=signed,
            body=raw,
            timestamp=timestamp,
            service=SERVICE,
        )
        if not hmac.compare_digest(expected, parts["Signature"]):
            return "AuthFailure.SignatureFailure", "the signature does not match"
        return None

    def _check_params(self, body) -> tuple[str | None, str]:
        numbers = body.get("PhoneNumberSet")
        if not isinstance(numbers, list) or not numbers or len(numbers) > 200:
            return "MissingParameter", "PhoneNumberSet"
        if body.get("SmsSdkAppId") != self.sdk_app_id:
            return "FailedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId"
        if not body.get("SignName"):
            return "FailedOperation.MissingSignature", "SignName"
        template = body.get("TemplateId")
        if template not in self.templates:
            return "FailedOperation.TemplateIncorrectOrUnapproved", "TemplateId"
        if len(body.get("TemplateParamSet") or []) != self.templates[template]:
            return "FailedOperation.TemplateParamSetNotMatchApprovedTemplate", "TemplateParamSet"
        return None, ""


class _Handler(BaseHTTPRequestHandler):
    standin: StandIn

    def _serve(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.standin.delay:
            time.sleep(self.standin.delay)
        answer = json.dumps(self.standin.answer(self.command, self.path, dict(self.headers), raw)).encode()
        self.send_response(200)  # the API answers 200 with an Error object for a refused request
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_POST = _serve
    do_GET = _serve

    def log_message(self, format, *args):  # quiet
        pass


def start(standin: StandIn):
    """Serve `standin` on a free port of 127.0.0.1 in a thread; returns the server (shutdown() to stop)."""
    handler = type("Handler", (_Handler,), {"standin": standin})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    standin.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
