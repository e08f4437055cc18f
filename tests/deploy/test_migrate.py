"""Migrations run once: `make serve` twice at the same moment on an empty PostgreSQL database, and the
advisory lock that `flask yishi migrate` (make migrate, yishi-migrate.service) holds while it works."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from app.cli import MIGRATION_LOCK_KEY
from tests.deploy.conftest import ROOT
from tests.serving.conftest import free_port, postgres_site_url, scalar

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


_TABLES = (
    "select count(*) from information_schema.tables where table_schema = current_schema() and table_name = '{name}'"
)
# someone waiting for an advisory lock on the key (pg_locks splits a bigint key in two halves)
_WAITING = (
    "select count(*) from pg_locks where locktype = 'advisory' and not granted"
    " and ((classid::bigint << 32) | objid::bigint) = :key"
)


def _site_env(database_url: str, **settings) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SOCKETIO_", "RATELIMIT_"))}
    env.update(
        {
            "FLASK_APP": "wsgi.py",
            "DATABASE_URL": database_url,
            "SECRET_KEY": uuid.uuid4().hex + uuid.uuid4().hex,
            "SESSION_COOKIE_SECURE": "0",
            "SOCKETIO_CHANNEL": f"yishi-test-{uuid.uuid4().hex[:8]}",
            "RATELIMIT_KEY_PREFIX": f"yishi-test-{uuid.uuid4().hex[:8]}",
            "SERVER_ACCESS_LOG": "0",
            "DATABASE_POOL_SIZE": "3",
            "DATABASE_MAX_OVERFLOW": "2",
            "PYTHONUNBUFFERED": "1",
            # no SMS provider in the tests: the development backend, allowed explicitly in production
            "SMS_BACKEND": "development",
            "SMS_ALLOW_DEVELOPMENT_BACKEND": "1",
            **settings,
        }
    )
    env.pop("YISHI_CONFIG", None)  # make serve sets production itself
    return env


def _head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


def test_two_make_serve_started_together_on_an_empty_database_both_come_up(tmp_path, record_property):
    from tests.serving.conftest import redis_url_or_fail

    redis_url = redis_url_or_fail()
    with postgres_site_url() as database_url:
        assert scalar(database_url, _TABLES.format(name="users")) == 0
        started: list[tuple[subprocess.Popen, int, object]] = []
        try:
            began = time.monotonic()
            for n in range(2):
                port = free_port()
                env = _site_env(
                    database_url,
                    REDIS_URL=redis_url,
                    PORT=str(port),
                    SOCKETIO_ALLOWED_ORIGINS=f"http://127.0.0.1:{port}",
                )
                log = (tmp_path / f"serve-{n}.log").open("w")
                process = subprocess.Popen(
                    ["make", "--no-print-directory", "serve"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
                started.append((process, port, log))
            ready = set()
            while len(ready) < 2 and time.monotonic() - began < 180:
                for process, port, _log in started:
                    if process.poll() is not None:
                        logs = "\n".join((tmp_path / f"serve-{n}.log").read_text() for n in range(2))
                        pytest.fail(f"make serve on {port} exited with {process.returncode}:\n{logs}")
                    try:
                        if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                            ready.add(port)
                    except requests.RequestException:
                        pass
                time.sleep(0.2)
            assert len(ready) == 2, "\n".join((tmp_path / f"serve-{n}.log").read_text() for n in range(2))
            record_property("two_make_serve_ready_s", round(time.monotonic() - began, 1))
            assert scalar(database_url, "select version_num from alembic_version") == _head_revision()
            assert scalar(database_url, "select count(*) from alembic_version") == 1
            # and they serve: the login page from each
            for _process, port, _log in started:
                assert requests.get(f"http://127.0.0.1:{port}/account/login", timeout=10).status_code == 200
        finally:
            for process, _port, log in started:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
                    try:
                        process.wait(timeout=40)
                    except subprocess.TimeoutExpired:
                        os.killpg(process.pid, signal.SIGKILL)
                        process.wait(timeout=5)
                log.close()


def test_make_migrate_waits_for_the_lock_then_migrates():
    """While another holds the migration lock, `make migrate` (flask yishi migrate) waits and changes nothing."""
    with postgres_site_url() as database_url:
        env = {**os.environ, "FLASK_APP": "wsgi.py", "DATABASE_URL": database_url, "YISHI_CONFIG": "development"}
        engine = create_engine(database_url, poolclass=NullPool)
        try:
            with engine.connect() as holder:
                holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
                migrate = subprocess.Popen(
                    ["make", "--no-print-directory", "migrate"],  # docs/deploy.md, section 3
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
                try:
                    # the command gets as far as the lock, and waits there
                    deadline = time.monotonic() + 90
                    while not scalar(database_url, _WAITING, key=MIGRATION_LOCK_KEY):
                        assert migrate.poll() is None, migrate.communicate()[0]
                        assert time.monotonic() < deadline, "flask yishi migrate never asked for the lock"
                        time.sleep(0.2)
                    time.sleep(1)
                    assert migrate.poll() is None
                    assert scalar(database_url, _TABLES.format(name="alembic_version")) == 0
                finally:
                    holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
                    holder.commit()
                output, _ = migrate.communicate(timeout=120)
            assert migrate.returncode == 0, output
            assert "up to date" in output
            assert scalar(database_url, "select version_num from alembic_version") == _head_revision()
        finally:
            engine.dispose()
