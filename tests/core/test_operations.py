"""Operating the site: health and readiness, logs and request ids, metrics, safe production defaults."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from flask_migrate import stamp
from sqlalchemy import text

from app import create_app
from app.core import health
from app.core.logs import JobHealth, valid_request_id
from app.extensions import db, socketio
from config import ProductionConfig, TestingConfig
from tests import factories
from tests.conftest import running_app

ROOT = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


def _unreachable_database() -> str:
    return f"postgresql://postgres@127.0.0.1:{_closed_port()}/yishi"


# -- health and readiness ------------------------------------------------------------------------


def test_readyz_is_503_json_on_a_schema_that_was_never_migrated(client):
    """The test database is made by create_all: no Alembic revision, so not ready, yet alive."""
    ready = client.get("/readyz", headers={"Accept": "text/html"})
    assert ready.status_code == 503 and ready.mimetype == "application/json"
    assert ready.json == {"ok": False, "database": "ok", "schema": "unmigrated", "redis": "not configured"}
    assert ready.headers["Cache-Control"] == "no-store"
    assert client.get("/healthz").status_code == 200


def test_readyz_is_200_at_the_migration_head_and_503_behind_it(app, client):
    stamp(directory=str(health.MIGRATIONS_DIR))
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json == {"ok": True, "database": "ok", "schema": "ok", "redis": "not configured"}

    db.session.execute(text("UPDATE alembic_version SET version_num = 'an-older-one'"))
    db.session.commit()
    behind = client.get("/readyz")
    assert behind.status_code == 503 and behind.json["schema"] == "behind"


def test_without_a_database_health_is_json_alive_and_not_ready(tmp_path):
    """A database that does not answer: /healthz 200 and /readyz 503, both JSON, never an HTML 500."""
    config = type("NoDatabase", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": _unreachable_database()})
    app = create_app(config)
    client = app.test_client()
    alive = client.get("/healthz", headers={"Accept": "text/html"})
    assert alive.status_code == 200 and alive.mimetype == "application/json"
    assert alive.json == {"ok": True, "database": "unreachable", "realtime": "ok"}
    ready = client.get("/readyz", headers={"Accept": "text/html"})
    assert ready.status_code == 503 and ready.mimetype == "application/json"
    assert ready.json == {"ok": False, "database": "unreachable", "schema": "unknown", "redis": "not configured"}


def test_readyz_reports_redis_degraded_but_stays_ready(tmp_path):
    unreachable = f"redis://127.0.0.1:{_closed_port()}/0"
    with running_app(tmp_path, REDIS_URL=unreachable) as app:
        stamp(directory=str(health.MIGRATIONS_DIR))
        ready = app.test_client().get("/readyz")
        assert ready.status_code == 200 and ready.json["redis"] == "degraded"


@pytest.mark.redis
def test_readyz_reports_redis_ok(tmp_path):
    with running_app(tmp_path, REDIS_URL=os.environ["TEST_REDIS_URL"]) as app:
        assert app.test_client().get("/readyz").json["redis"] == "ok"


# -- request ids and log lines -------------------------------------------------------------------


def test_a_request_id_is_made_and_returned(client):
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32 and int(made, 16) >= 0
    assert client.get("/healthz").headers["X-Request-ID"] != made


def test_a_sane_request_id_from_the_proxy_is_kept(client):
    given = "nginx-4f1c2a9b.1733417600"
    assert client.get("/healthz", headers={"X-Request-ID": given}).headers["X-Request-ID"] == given


@pytest.mark.parametrize("bad", ["x" * 129, "two words", "a\tb", "<script>", "id;rm", "中文", ""])
def test_an_unsafe_request_id_is_replaced(client, bad):
    assert valid_request_id(bad) is None
    answered = client.get("/healthz", headers={"X-Request-ID": bad.encode("utf-8").decode("latin-1")})
    returned = answered.headers["X-Request-ID"]
    assert returned != bad and len(returned) == 32


def test_every_log_line_of_a_request_has_time_level_and_its_id(app, client, capsys):
    @app.route("/_test/log")
    def _log():
        logging.getLogger("app.test").warning("first line")
        logging.getLogger("app.test").info("second line")
        return "ok"

    capsys.readouterr()
    client.get("/_test/log", headers={"X-Request-ID": "req-42"})
    lines = [line for line in capsys.readouterr().err.splitlines() if "app.test" in line]
    assert len(lines) == 2
    for line in lines:
        stamp_, level, name, request_id, _ = line.split(" ", 4)
        assert stamp_.endswith("Z") and "T" in stamp_  # ISO 8601, UTC
        assert level in ("WARNING", "INFO") and name == "app.test" and request_id == "[req-42]"
    outside = logging.getLogger("app.test")
    outside.warning("outside a request")
    assert "[-] outside a request" in capsys.readouterr().err


def test_json_log_lines(tmp_path, capsys):
    with running_app(tmp_path, LOG_FORMAT="json", LOG_LEVEL="DEBUG") as app:

        @app.route("/_test/log")
        def _log():
            logging.getLogger("app.test").debug("比较 %s", "json")
            return "ok"

        capsys.readouterr()
        app.test_client().get("/_test/log", headers={"X-Request-ID": "abc"})
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if '"app.test"' in line]
    assert len(lines) == 1
    entry = lines[0]
    assert entry["level"] == "DEBUG" and entry["message"] == "比较 json" and entry["request_id"] == "abc"
    assert entry["time"].endswith("Z")


def test_bad_log_settings_are_refused(tmp_path):
    with pytest.raises(RuntimeError, match="LOG_FORMAT"):
        create_app(type("C", (TestingConfig,), {"LOG_FORMAT": "xml"}))
    with pytest.raises(RuntimeError, match="LOG_LEVEL"):
        create_app(type("C", (TestingConfig,), {"LOG_LEVEL": "LOUD"}))


def test_error_pages_show_the_request_id(app, client, capsys):
    @app.route("/_test/boom")
    def _boom():
        raise ValueError("a bug")

    page = client.get("/no-such-page", headers={"X-Request-ID": "trace-404"})
    assert page.status_code == 404 and "Request ID: trace-404" in page.get_data(as_text=True)
    chinese = client.get("/no-such-page", headers={"X-Request-ID": "trace-zh", "Accept-Language": "zh-CN"})
    assert "请求编号：trace-zh" in chinese.get_data(as_text=True)

    app.config["PROPAGATE_EXCEPTIONS"] = False
    capsys.readouterr()
    failed = client.get("/_test/boom", headers={"X-Request-ID": "trace-500"})
    assert failed.status_code == 500 and "Request ID: trace-500" in failed.get_data(as_text=True)
    assert failed.headers["X-Request-ID"] == "trace-500"
    logged = capsys.readouterr().err
    assert "ERROR" in logged and "[trace-500] Exception on /_test/boom" in logged


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def test_a_failing_job_logs_once_per_change_of_state_and_backs_off():
    logger = logging.getLogger(f"test.job.{uuid.uuid4().hex}")
    logger.propagate = False
    lines = _Lines()
    logger.addHandler(lines)
    logger.setLevel(logging.INFO)
    job = JobHealth("ballot sealer", logger, interval=1, max_interval=30)
    outage = ConnectionRefusedError("connection refused")
    waits = [job.failed(outage) for _ in range(100)]
    assert waits[:7] == [1, 2, 4, 8, 16, 30, 30] and set(waits[5:]) == {30}
    assert [r.levelname for r in lines.records] == ["ERROR"]
    assert "ballot sealer failing: ConnectionRefusedError: connection refused" in lines.records[0].getMessage()
    assert lines.records[0].exc_info is None  # an outage: no traceback
    assert job.succeeded() == 1 and job.succeeded() == 1
    assert [r.levelname for r in lines.records] == ["ERROR", "WARNING"]
    assert "recovered after 100 failed attempts" in lines.records[1].getMessage()
    job.failed(ValueError("a bug"))  # not an outage: its traceback, once
    assert len(lines.records) == 3 and lines.records[2].exc_info is not None


# -- metrics -------------------------------------------------------------------------------------


def test_metrics_from_loopback(client):
    client.get("/healthz")
    page = client.get("/metrics")
    assert page.status_code == 200 and page.mimetype == "text/plain"
    body = page.get_data(as_text=True)
    assert 'yishi_http_requests_total{endpoint="core.healthz",method="GET",status="200"}' in body
    assert 'yishi_http_request_duration_seconds_bucket{endpoint="core.healthz"' in body
    assert "yishi_db_pool_connections" in body and "yishi_votes_total" in body


def test_metrics_are_hidden_from_other_addresses(client):
    page = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert page.status_code == 404 and "yishi_" not in page.get_data(as_text=True)


def test_metrics_with_the_token_or_from_an_allowed_network(tmp_path):
    with running_app(tmp_path, METRICS_ALLOW=["10.0.0.0/8"], METRICS_TOKEN="s3cret-token") as app:
        client = app.test_client()
        outside = {"REMOTE_ADDR": "203.0.113.5"}
        assert client.get("/metrics", environ_base=outside).status_code == 404
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 404
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
        wrong = {"Authorization": "Bearer not-the-token"}
        assert client.get("/metrics", environ_base=outside, headers=wrong).status_code == 404
        right = {"Authorization": "Bearer s3cret-token"}
        assert client.get("/metrics", environ_base=outside, headers=right).status_code == 200


def test_a_bad_metrics_allow_entry_is_refused():
    with pytest.raises(RuntimeError, match="METRICS_ALLOW"):
        create_app(type("C", (TestingConfig,), {"METRICS_ALLOW": ["localhost"]}))


def test_metrics_count_sockets_emits_and_votes(app, client, world, socket_client):
    from app.core import metrics
    from app.voting import services as voting

    resident = world.users["resident"]
    client.post("/account/login", data={"phone": resident.phone, "password": factories.PASSWORD})
    sc = socket_client("/notifications")
    assert sc.is_connected("/notifications")
    before = metrics.EMITS.labels("/notifications", "probe")._value.get()
    socketio.emit("probe", {}, namespace="/notifications", to=f"user:{resident.id}")
    assert metrics.EMITS.labels("/notifications", "probe")._value.get() == before + 1

    poll = voting.open_poll(community_id=world.community.id, poll_type="contest", subject_id=99)
    db.session.commit()
    votes_before = metrics.VOTES.labels("contest")._value.get()
    voting.cast(poll, voter_key="u:1", choice="yes")
    assert metrics.VOTES.labels("contest")._value.get() == votes_before  # not before the commit
    db.session.commit()
    assert metrics.VOTES.labels("contest")._value.get() == votes_before + 1

    body = client.get("/metrics").get_data(as_text=True)
    assert 'yishi_sockets{namespace="/notifications"} 1.0' in body


MULTIPROCESS_SCRIPT = textwrap.dedent(
    """
    import sys
    from app import create_app
    from config import TestingConfig

    app = create_app(type("C", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": "sqlite://"}))
    client = app.test_client()
    if sys.argv[1] == "serve":
        for _ in range(3):
            assert client.get("/healthz").status_code == 200
    else:
        sys.stdout.write(client.get("/metrics").get_data(as_text=True))
    """
)


def test_metrics_add_up_every_process_with_a_multiprocess_dir(tmp_path):
    """Two processes answer three requests each; a third process's /metrics reports six."""
    directory = tmp_path / "prometheus"
    directory.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory), "YISHI_CONFIG": "testing"}

    def run(arg: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", MULTIPROCESS_SCRIPT, arg], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("serve")
    run("serve")
    body = run("report")
    assert 'yishi_http_requests_total{endpoint="core.healthz",method="GET",status="200"} 6.0' in body


# -- safe production defaults --------------------------------------------------------------------


def _production(monkeypatch, **env):
    values = {
        "SECRET_KEY": "k" * 32,
        "DATABASE_URL": "sqlite://",
        "SOCKETIO_ALLOWED_ORIGINS": "https://yishi.example.org",
        "SMS_BACKEND": "development",  # no provider here (tests/core/test_sms.py checks the refusal)
        "SMS_ALLOW_DEVELOPMENT_BACKEND": "1",
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


def test_production_refuses_to_start_without_allowed_origins(monkeypatch):
    with pytest.raises(RuntimeError, match="SOCKETIO_ALLOWED_ORIGINS"):
        create_app(_production(monkeypatch, SOCKETIO_ALLOWED_ORIGINS=None))


def test_production_refuses_a_short_secret_key(monkeypatch):
    with pytest.raises(RuntimeError, match="SECRET_KEY must be at least 32 bytes"):
        create_app(_production(monkeypatch, SECRET_KEY="short"))
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(_production(monkeypatch, SECRET_KEY="k" * 31))


def test_production_sends_hsts_and_development_does_not(monkeypatch, client):
    app = create_app(_production(monkeypatch))
    header = app.test_client().get("/healthz").headers["Strict-Transport-Security"]
    assert header == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/healthz").headers


def test_the_default_namespace_refuses_anonymous_connections(app, client, world, socket_client):
    assert not socket_client("/").is_connected("/")
    resident = world.users["resident"]
    client.post("/account/login", data={"phone": resident.phone, "password": factories.PASSWORD})
    assert socket_client("/").is_connected("/")


def test_log_lines_of_a_socket_event_carry_the_connection_id(app, client, world, socket_client, capsys):
    from flask import request

    @socketio.on("log_probe", namespace="/notifications")
    def _probe(data=None):
        logging.getLogger("app.test").warning("from a socket event")
        return request.sid

    resident = world.users["resident"]
    client.post("/account/login", data={"phone": resident.phone, "password": factories.PASSWORD})
    sc = socket_client("/notifications")
    capsys.readouterr()
    sid = sc.emit("log_probe", {}, namespace="/notifications", callback=True)
    assert sid and f"[sid:{sid}] from a socket event" in capsys.readouterr().err
