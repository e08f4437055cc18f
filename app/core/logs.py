"""One logging configuration for the whole process, and a request id on every line.

configure_logging() (create_app calls it) gives the root logger one handler on standard error:
time, level, logger and request id on every line, as text or as one JSON object a line
(LOG_FORMAT=text|json, LOG_LEVEL). A request's id comes from its X-Request-ID header when that is
a sane value (bounded length, safe characters), otherwise it is made here; it is on every line
logged while the request is handled, in the response's X-Request-ID header and on error pages.
A socket event's lines carry its connection's id instead ("sid:<id>").

Background jobs (the ballot sealer, the presence heartbeat, the control listener) report through
JobHealth: one line when they start failing and one when they recover, not one per attempt.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_MAX_LENGTH = 128
_SAFE_REQUEST_ID = re.compile(rf"[A-Za-z0-9._:@/+=-]{{1,{REQUEST_ID_MAX_LENGTH}}}")
_HANDLER_MARK = "_yishi_handler"


def valid_request_id(value: str | None) -> str | None:
    """The header's value if it can be logged and echoed safely, else None."""
    if value and _SAFE_REQUEST_ID.fullmatch(value):
        return value
    return None


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """This request's id; for a socket event, its connection's id; None outside a request."""
    if not has_request_context():
        return None
    sid = getattr(request, "sid", None)  # Flask-SocketIO sets it on the request of a socket event
    if sid:
        return f"sid:{sid}"
    return g.get("request_id")


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            try:
                record.request_id = current_request_id() or "-"
            except RuntimeError:  # a context being torn down
                record.request_id = "-"
        return True


def _timestamp(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = (
            f"{_timestamp(record)} {record.levelname} {record.name} "
            f"[{getattr(record, 'request_id', '-')}] {record.getMessage()}"
        )
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (a test's capture replaces it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def configure_logging(app) -> None:
    """Give the root logger this app's handler, format and level (replacing an earlier one of ours)."""
    fmt = str(app.config.get("LOG_FORMAT", "text")).strip().lower()
    if fmt not in ("text", "json"):
        raise RuntimeError(f"LOG_FORMAT must be text or json, not {fmt!r}")
    level_name = str(app.config.get("LOG_LEVEL", "INFO")).strip().upper()
    level = logging.getLevelName(level_name)
    if not isinstance(level, int):
        raise RuntimeError(f"LOG_LEVEL must be a logging level (DEBUG, INFO, WARNING, ERROR), not {level_name!r}")
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
    handler = _StderrHandler()
    setattr(handler, _HANDLER_MARK, True)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    # Flask's own handler would print the app's lines a second time, in its own format
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)


def register_request_ids(app) -> None:
    """Take or make each request's id, and return it in the response."""

    @app.before_request
    def _take_request_id():
        g.request_id = valid_request_id(request.headers.get(REQUEST_ID_HEADER)) or new_request_id()

    @app.after_request
    def _send_request_id(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response

    @app.teardown_request
    def _forget_request_id(exc):
        g.pop("request_id", None)  # `g` may outlive the request (an app context pushed around several)

    @app.context_processor
    def _request_id():
        return {"request_id": current_request_id}


def describe(err: BaseException) -> str:
    """An exception in one line: its type and the first line of its message, bounded."""
    message = str(err).strip().splitlines()[0] if str(err).strip() else ""
    text = f"{type(err).__name__}: {message}" if message else type(err).__name__
    return text[:300]


def _is_outage(err: BaseException) -> bool:
    """A service unreachable (expected to pass), rather than a bug whose traceback is wanted."""
    import redis
    from sqlalchemy.exc import DBAPIError

    if isinstance(err, DBAPIError):
        return bool(err.connection_invalidated) or type(err.orig).__name__ in ("OperationalError", "InterfaceError")
    return isinstance(err, (redis.ConnectionError, redis.TimeoutError, OSError, TimeoutError))


class JobHealth:
    """A background job's state: one log line when it starts failing, one when it recovers, and how long
    to wait before the next attempt (doubling from `interval` up to `max_interval` while it fails)."""

    def __init__(self, name: str, logger: logging.Logger, *, interval: float, max_interval: float) -> None:
        self.name = name
        self.logger = logger
        self.interval = interval
        self.max_interval = max(max_interval, interval)
        self.failures = 0
        self.failing_since: float | None = None

    @property
    def failing(self) -> bool:
        return self.failures > 0

    def succeeded(self) -> float:
        """Record a success; returns the wait before the next run."""
        if self.failures:
            elapsed = time.monotonic() - (self.failing_since or time.monotonic())
            self.logger.warning("%s recovered after %d failed attempts over %.0f s", self.name, self.failures, elapsed)
        self.failures = 0
        self.failing_since = None
        return self.interval

    def failed(self, err: BaseException) -> float:
        """Record a failure (logged only if it is the first of a run); returns the wait before the next try."""
        self.failures += 1
        if self.failures == 1:
            self.failing_since = time.monotonic()
            exc_info = None if _is_outage(err) else err  # a bug: its traceback, once
            self.logger.error(
                "%s failing: %s (retrying with back-off up to %.0f s; one line when it recovers)",
                self.name,
                describe(err),
                self.max_interval,
                exc_info=exc_info,
            )
        else:
            self.logger.debug("%s still failing (%d): %s", self.name, self.failures, describe(err))
        return min(self.interval * 2 ** (self.failures - 1), self.max_interval)
