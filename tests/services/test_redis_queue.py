"""A real server process with Redis as its Socket.IO message queue.

The server (`python wsgi.py`) runs in a subprocess on the demo data; a
python-socketio client logs in like a browser (session cookie, Origin header),
and events emitted from yet another process reach it through Redis only.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis
import requests
import socketio

from tests.services.conftest import require_env

pytestmark = pytest.mark.redis

ROOT = Path(__file__).resolve().parents[2]
NS = "/notifications"
DEMO_PASSWORD = "yishi2026"
RESIDENT_PHONE = "13800000001"
NEIGHBOUR_PHONE = "13800000002"
EVENT_TIMEOUT = 10

# Run in a separate interpreter: it shares nothing with the server but the Redis URL.
EMITTER = """
import json, sys
from flask_socketio import SocketIO

url, channel, room, payload = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
SocketIO(message_queue=url, channel=channel).emit("notification", payload, namespace="/notifications", to=room)
"""


def _redis_url() -> str:
    url = require_env("TEST_REDIS_URL")
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as err:
        pytest.fail(f"Redis at {url} (TEST_REDIS_URL) is unreachable: {err}", pytrace=False)
    finally:
        client.close()
    return url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, base_url: str, env: dict, db_path: Path, log_path: Path):
        self.base_url = base_url
        self.env = env
        self.db_path = db_path
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def flask(self, *args: str) -> None:
        result = subprocess.run(
            [sys.executable, "-m", "flask", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            pytest.fail(f"`flask {' '.join(args)}` failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")

    def start(self) -> None:
        log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "wsgi.py"], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited with {self.process.returncode}:\n{self.log()}")
            try:
                if requests.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        pytest.fail(f"the server did not answer /healthz within 30 s:\n{self.log()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def user_id(self, phone: str) -> int:
        with sqlite3.connect(self.db_path) as conn:
            row = conn.execute("select id from users where phone = ?", (phone,)).fetchone()
        assert row is not None, f"no demo user {phone}"
        return row[0]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """One server for the module (starting one takes seconds); each test logs in afresh."""
    tmp_path = tmp_path_factory.mktemp("live")
    redis_url = _redis_url()
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    db_path = tmp_path / "yishi.sqlite3"
    env = {
        **os.environ,
        "FLASK_APP": "wsgi.py",
        "YISHI_CONFIG": "development",
        "SECRET_KEY": uuid.uuid4().hex,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_ENABLED": "0",
        "SOCKETIO_ASYNC_MODE": "threading",
        "SOCKETIO_ALLOWED_ORIGINS": base_url,
        "REDIS_PREFIX": f"yishi-test-{uuid.uuid4().hex[:8]}",  # the site's channel: <prefix>:socketio
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "YISHI_DEMO_PASSWORD": DEMO_PASSWORD,
        "PYTHONUNBUFFERED": "1",
    }
    server = LiveServer(base_url, env, db_path, tmp_path / "server.log")
    server.flask("db", "upgrade")
    server.flask("yishi", "demo")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def second_server(live_server, tmp_path_factory):
    """Another process of the same site: same database, secret key and Redis, another port."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**live_server.env, "PORT": str(port), "SOCKETIO_ALLOWED_ORIGINS": base_url}
    server = LiveServer(base_url, env, live_server.db_path, tmp_path_factory.mktemp("second") / "server.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


_CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
_VALUE = re.compile(r'value="([^"]+)"')


def _csrf_token(html: str) -> str:
    tag = _CSRF.search(html)
    assert tag, "no csrf_token input on the page"
    return _VALUE.search(tag.group(0)).group(1)


def _log_out(server: LiveServer, http: requests.Session) -> requests.Response:
    settings = http.get(f"{server.base_url}/account/settings", timeout=10)
    assert settings.status_code == 200
    return http.post(
        f"{server.base_url}/account/logout",
        data={"csrf_token": _csrf_token(settings.text)},
        headers={"Origin": server.base_url, "Referer": f"{server.base_url}/account/settings"},
        allow_redirects=False,
        timeout=10,
    )


def _log_in(server: LiveServer, phone: str) -> requests.Session:
    http = requests.Session()
    page = http.get(f"{server.base_url}/account/login", timeout=10)
    assert page.status_code == 200
    response = http.post(
        f"{server.base_url}/account/login",
        data={"csrf_token": _csrf_token(page.text), "phone": phone, "password": DEMO_PASSWORD},
        headers={"Origin": server.base_url, "Referer": f"{server.base_url}/account/login"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text
    assert "session" in http.cookies
    return http


def _cookie_header(http: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


class Listener:
    """A python-socketio client on /notifications that records what it receives."""

    def __init__(self, server: LiveServer, http: requests.Session | None):
        self.received: list[dict] = []
        self.arrived = threading.Condition()
        self.disconnected = threading.Event()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("notification", self._on_notification, namespace=NS)
        self.sio.on("disconnect", self._on_disconnect, namespace=NS)
        headers = {"Origin": server.base_url}
        if http is not None:
            headers["Cookie"] = _cookie_header(http)
        self.sio.connect(server.base_url, headers=headers, namespaces=[NS], wait_timeout=10)

    def _on_notification(self, data):
        with self.arrived:
            self.received.append(data)
            self.arrived.notify_all()

    def _on_disconnect(self, *args):
        self.disconnected.set()

    def wait_for(self, nonce: str, timeout: float = EVENT_TIMEOUT) -> dict | None:
        with self.arrived:
            self.arrived.wait_for(lambda: any(e.get("nonce") == nonce for e in self.received), timeout)
        return next((e for e in self.received if e.get("nonce") == nonce), None)

    def close(self) -> None:
        self.sio.shutdown()


@pytest.fixture
def listeners():
    made: list[Listener] = []

    def make(server, http) -> Listener:
        listener = Listener(server, http)
        made.append(listener)
        return listener

    yield make
    for listener in made:
        listener.close()


def _emit_from_another_process(server: LiveServer, user_id: int, payload: dict) -> None:
    """Emit as a process outside the site would: on the site's message-queue channel."""
    channel = f"{server.env['REDIS_PREFIX']}:socketio"
    subprocess.run(
        [sys.executable, "-c", EMITTER, server.env["REDIS_URL"], channel, f"user:{user_id}", json.dumps(payload)],
        cwd=ROOT,
        check=True,
        timeout=60,
    )


def test_event_from_another_process_reaches_the_users_socket_through_redis(live_server, listeners):
    resident = listeners(live_server, _log_in(live_server, RESIDENT_PHONE))
    neighbour = listeners(live_server, _log_in(live_server, NEIGHBOUR_PHONE))
    assert resident.sio.connected and NS in resident.sio.namespaces
    nonce = uuid.uuid4().hex
    payload = {
        "id": 0,
        "kind": "test",
        "text": "来自另一个进程",
        "url": "/notifications/",
        "created_at": "2026-01-01T00:00:00+00:00",
        "nonce": nonce,
    }

    _emit_from_another_process(live_server, live_server.user_id(RESIDENT_PHONE), payload)

    event = resident.wait_for(nonce)
    assert event == payload, f"no event within {EVENT_TIMEOUT} s\nserver log:\n{live_server.log()}"
    assert neighbour.wait_for(nonce, timeout=1) is None  # the room is the user's own


def test_live_server_refuses_anonymous_and_foreign_origin(live_server):
    with pytest.raises(socketio.exceptions.ConnectionError):
        Listener(live_server, None)
    http = _log_in(live_server, RESIDENT_PHONE)
    sio = socketio.Client(reconnection=False)
    try:
        with pytest.raises(socketio.exceptions.ConnectionError):
            sio.connect(
                live_server.base_url,
                headers={"Origin": "http://evil.example", "Cookie": _cookie_header(http)},
                namespaces=[NS],
                wait_timeout=5,
            )
    finally:
        sio.shutdown()


def test_logout_over_http_closes_the_live_socket(live_server, listeners):
    http = _log_in(live_server, RESIDENT_PHONE)
    listener = listeners(live_server, http)

    response = _log_out(live_server, http)

    assert response.status_code == 302
    assert listener.disconnected.wait(EVENT_TIMEOUT), f"socket still open\nserver log:\n{live_server.log()}"


def test_a_notification_from_one_process_reaches_a_socket_on_another(live_server, second_server, listeners):
    """Staff act on process A; the member's socket lives on process B (sticky sessions, two devices)."""
    nonce = uuid.uuid4().hex
    listener = listeners(second_server, _log_in(live_server, RESIDENT_PHONE))
    payload = {"id": 0, "kind": "test", "text": "跨进程", "url": "", "created_at": "", "nonce": nonce}

    _emit_from_another_process(live_server, live_server.user_id(RESIDENT_PHONE), payload)

    assert listener.wait_for(nonce) == payload


def test_logout_on_one_process_closes_the_users_socket_on_another(live_server, second_server, listeners):
    http = _log_in(live_server, RESIDENT_PHONE)
    listener = listeners(second_server, http)  # the same session, another server process

    assert _log_out(live_server, http).status_code == 302

    assert listener.disconnected.wait(5)
