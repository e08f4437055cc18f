"""Real server processes (`python wsgi.py`) and clients that talk to them like phones do.

Each server runs the production config (SESSION_COOKIE_SECURE off: the tests
speak plain HTTP) in a subprocess on a free port, on a database prepared by
`flask db upgrade` and `flask yishi demo`. Clients log in over HTTP (CSRF token
from the page, session cookie) and connect python-socketio to /consultations
with that cookie and the site's Origin. Every wait has a timeout; every process
a test starts is ended in a finally.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
import requests
import socketio
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parents[2]
NS = "/consultations"
DEMO_PASSWORD = "yishi2026"
CHAIR = "13800000003"  # 李桂芳, chair of the demo's open consultation
OWNER = "13800000002"
RESIDENT = "13800000001"
STAFF = "13800000008"
START_TIMEOUT = 60
EVENT_TIMEOUT = 10
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_url_or_fail() -> str:
    """TEST_REDIS_URL, checked to answer (the `redis` marker skips the test when unset)."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.fail("TEST_REDIS_URL is not set (the test should carry the redis marker)")
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as err:
        pytest.fail(f"Redis at {url} (TEST_REDIS_URL) is unreachable: {err}", pytrace=False)
    finally:
        client.close()
    return url


def site_env(database_url: str, *, mode: str, redis_url: str | None = None, **settings: str) -> dict:
    """The environment of one site's processes (the port and origins are added per process)."""
    env = {
        **os.environ,
        "FLASK_APP": "wsgi.py",
        "YISHI_CONFIG": "production",
        "SESSION_COOKIE_SECURE": "0",
        "SECRET_KEY": uuid.uuid4().hex,
        "DATABASE_URL": database_url,
        "SOCKETIO_ASYNC_MODE": mode,
        "YISHI_DEMO_PASSWORD": DEMO_PASSWORD,
        "RATELIMIT_LOGIN": "1000 per minute",
        # pub/sub channels and keys are shared by everything on one Redis: keep ours apart
        "REDIS_PREFIX": f"yishi-test-{uuid.uuid4().hex[:8]}",
        "SOCKETIO_CHANNEL": f"yishi-test-{uuid.uuid4().hex[:8]}",
        "RATELIMIT_KEY_PREFIX": f"yishi-test-{uuid.uuid4().hex[:8]}",
        # production refuses to start without them; each server process names its own address
        "SOCKETIO_ALLOWED_ORIGINS": "http://127.0.0.1",
        "SERVER_ACCESS_LOG": "0",
        "PYTHONUNBUFFERED": "1",
        # no SMS provider in the tests: the development backend, allowed explicitly in production
        "SMS_BACKEND": "development",
        "SMS_ALLOW_DEVELOPMENT_BACKEND": "1",
        **settings,
    }
    env.pop("REDIS_URL", None)
    env.pop("RATELIMIT_STORAGE_URI", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def prepare_site(env: dict) -> None:
    """`flask db upgrade` and `flask yishi demo`, as `make serve` and an operator would."""
    for args in (("db", "upgrade"), ("yishi", "demo")):
        result = subprocess.run(
            [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
        )
        if result.returncode != 0:
            pytest.fail(f"`flask {' '.join(args)}` failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


class ServerProcess:
    """One `python wsgi.py` process on its own port."""

    def __init__(self, env: dict, log_path: Path, port: int | None = None):
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **env,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "SOCKETIO_ALLOWED_ORIGINS": self.base_url,
        }
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self, timeout: float = START_TIMEOUT) -> ServerProcess:
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "wsgi.py"], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited with {self.process.returncode}:\n{self.log()}")
            try:
                if requests.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        pytest.fail(f"the server did not answer /healthz within {timeout} s:\n{self.log()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def health(self) -> dict:
        response = requests.get(f"{self.base_url}/healthz", timeout=5)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def servers(tmp_path) -> Iterator:
    """Start server processes for a test; all are stopped afterwards, whatever happened."""
    started: list[ServerProcess] = []

    def start(env: dict, port: int | None = None) -> ServerProcess:
        server = ServerProcess(env, tmp_path / f"server-{len(started)}.log", port=port)
        started.append(server)
        return server.start()

    try:
        yield start
    finally:
        for server in started:
            server.stop()


class RedisServer:
    """A throwaway redis-server on a free port, to be killed and brought back by a test."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=1)
        deadline = time.monotonic() + 10
        try:
            while time.monotonic() < deadline:
                try:
                    if client.ping():
                        return
                except redis.RedisError:
                    time.sleep(0.1)
        finally:
            client.close()
        pytest.fail(f"redis-server on port {self.port} did not start")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def throwaway_redis(tmp_path) -> Iterator[RedisServer]:
    if not Path(REDIS_SERVER).exists():
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


_CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
_VALUE = re.compile(r'value="([^"]+)"')


def csrf_token(html: str) -> str:
    tag = _CSRF.search(html)
    assert tag, "no csrf_token input on the page"
    return _VALUE.search(tag.group(0)).group(1)


def post_login(server: ServerProcess, phone: str, password: str = DEMO_PASSWORD, http=None) -> requests.Response:
    if http is None:
        http = requests.Session()
        _SESSIONS.append(http)
    page = http.get(f"{server.base_url}/account/login", timeout=10)
    assert page.status_code == 200, page.text
    return http.post(
        f"{server.base_url}/account/login",
        data={"csrf_token": csrf_token(page.text), "phone": phone, "password": password},
        headers={"Origin": server.base_url, "Referer": f"{server.base_url}/account/login"},
        allow_redirects=False,
        timeout=10,
    )


_SESSIONS: list[requests.Session] = []


@pytest.fixture(autouse=True)
def _close_http_sessions():
    yield
    while _SESSIONS:
        _SESSIONS.pop().close()


def log_in(server: ServerProcess, phone: str) -> requests.Session:
    http = requests.Session()
    _SESSIONS.append(http)
    response = post_login(server, phone, http=http)
    assert response.status_code == 302, response.text
    assert "session" in http.cookies
    return http


class RoomClient:
    """A python-socketio client in /consultations that records the room's messages."""

    def __init__(self, server: ServerProcess, http: requests.Session, transports=("websocket",)):
        self.server = server
        self.http = http
        self.messages: list[dict] = []
        self.arrived = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("message", self._on_message, namespace=NS)
        self.transports = list(transports) if transports else None

    def connect(self) -> RoomClient:
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)
        headers = {"Cookie": cookie}
        if self.transports != ["websocket"]:
            # websocket-client sends the page's Origin itself; a second one, as an upgrade from
            # polling would send, is joined into one bad value by gevent's server
            headers["Origin"] = self.server.base_url
        self.sio.connect(
            self.server.base_url,
            headers=headers,
            namespaces=[NS],
            transports=self.transports,
            wait_timeout=10,
        )
        return self

    def _on_message(self, data):
        with self.arrived:
            self.messages.append(data)
            self.arrived.notify_all()

    def call(self, event: str, data: dict, timeout: float = EVENT_TIMEOUT) -> dict:
        return self.sio.call(event, data, namespace=NS, timeout=timeout)

    def join(self, consultation_id: int) -> dict:
        ack = self.call("join", {"consultation_id": consultation_id})
        assert ack["ok"], ack
        return ack

    def speak(self, consultation_id: int, body: str, client_id: str | None = None) -> dict:
        ack = self.call(
            "speak", {"consultation_id": consultation_id, "client_id": client_id or uuid.uuid4().hex, "body": body}
        )
        assert ack["ok"], ack
        return ack["message"]

    def wait_for(self, client_id: str, timeout: float = EVENT_TIMEOUT) -> dict | None:
        def found():
            return next((m for m in self.messages if m.get("client_id") == client_id), None)

        with self.arrived:
            self.arrived.wait_for(lambda: found() is not None, timeout)
            return found()

    def close(self) -> None:
        self.sio.shutdown()


@pytest.fixture
def room_clients() -> Iterator:
    made: list[RoomClient] = []

    def make(server: ServerProcess, http: requests.Session, **kwargs) -> RoomClient:
        client = RoomClient(server, http, **kwargs)
        made.append(client)
        return client.connect()

    try:
        yield make
    finally:
        for client in made:
            client.close()


def scalar(database_url: str, sql: str, **params):
    """One value from the site's database, read the way an operator would (a separate connection)."""
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()
    finally:
        engine.dispose()


def open_consultation_id(database_url: str) -> int:
    found = scalar(database_url, "select id from consultations where phase = 'open' order by id limit 1")
    assert found is not None, "the demo has no open consultation"
    return found


@contextmanager
def postgres_site_url() -> Iterator[str]:
    """A DATABASE_URL on a fresh schema of TEST_DATABASE_URL (dropped afterwards)."""
    from tests.services.conftest import postgres_schema, require_env

    url = require_env("TEST_DATABASE_URL")
    with postgres_schema(url) as schema:
        joiner = "&" if "?" in url else "?"
        yield f"{url}{joiner}options=-csearch_path%3D{schema}"
