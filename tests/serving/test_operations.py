"""Operating real server processes: two sites on one Redis, a crashed process's presence, a database outage.

Sites here are production processes (`python wsgi.py`, eventlet). The database outage goes through a
TCP relay in front of PostgreSQL that the test closes and reopens: the server sees connections refused,
as it would if the database went away.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import uuid

import pytest
import requests
from sqlalchemy.engine import make_url

from tests.serving.conftest import (
    CHAIR,
    OWNER,
    csrf_token,
    free_port,
    log_in,
    open_consultation_id,
    postgres_site_url,
    prepare_site,
    redis_url_or_fail,
    site_env,
)

SPEAK_LIMIT = 3
PRESENCE_GONE_WITHIN = 15.0  # seconds after a process dies (PRESENCE_TTL_SECONDS)


def _log_out(server, http: requests.Session) -> None:
    page = http.get(f"{server.base_url}/me", timeout=10)
    response = http.post(
        f"{server.base_url}/account/logout",
        data={"csrf_token": csrf_token(page.text)},
        headers={"Origin": server.base_url, "Referer": f"{server.base_url}/me"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text


def _speak(client, consultation_id: int) -> dict:
    return client.call("speak", {"consultation_id": consultation_id, "client_id": uuid.uuid4().hex, "body": "发言"})


def _wait(predicate, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


@pytest.mark.redis
def test_two_sites_on_one_redis_do_not_touch_each_other(tmp_path, servers, room_clients):
    """Site A (two processes) and site B (one) share a Redis and, here, even a database and its users:
    A's logout, A's speak limit and A's presence leave B alone, while A's own processes share them."""
    database_url = f"sqlite:///{tmp_path / 'yishi.sqlite3'}"
    redis_url = redis_url_or_fail()
    settings = {"RATELIMIT_SPEAK": f"{SPEAK_LIMIT} per minute"}
    env_a = site_env(database_url, mode="eventlet", redis_url=redis_url, **settings)
    env_b = site_env(database_url, mode="eventlet", redis_url=redis_url, **settings)
    for env, prefix in ((env_a, "site-a"), (env_b, "site-b")):
        env["REDIS_PREFIX"] = f"{prefix}-{uuid.uuid4().hex[:8]}"
        env.pop("SOCKETIO_CHANNEL")  # every name follows the site's prefix
        env.pop("RATELIMIT_KEY_PREFIX")
    prepare_site(env_a)
    a1, a2, b = servers(env_a), servers(env_a), servers(env_b)
    consultation_id = open_consultation_id(database_url)

    chair_a1 = log_in(a1, CHAIR)
    chair_a2_http = requests.Session()
    chair_a2_http.cookies.update(chair_a1.cookies)  # the same login, its socket on the other process
    chair_b_http = log_in(b, CHAIR)
    on_a1 = room_clients(a1, chair_a1)
    on_a2 = room_clients(a2, chair_a2_http)
    on_b = room_clients(b, chair_b_http)

    # presence: A counts its two processes together, B only its own member
    assert on_a1.join(consultation_id)["presence"] == {"count": 1}
    assert on_a2.join(consultation_id)["presence"] == {"count": 2}
    assert on_b.join(consultation_id)["presence"] == {"count": 1}

    # the speak limit: spent on A (across its processes), untouched on B
    for client in (on_a1, on_a2, on_a1):
        assert _speak(client, consultation_id)["ok"]
    refused = _speak(on_a2, consultation_id)
    assert refused["ok"] is False and refused["error"]["code"] == "rate_limited"
    assert _speak(on_b, consultation_id)["ok"]

    # logout on A1: A2 hears it on A's control channel and drops the socket; B hears nothing
    _log_out(a1, chair_a1)
    assert _wait(lambda: not on_a1.sio.connected and not on_a2.sio.connected, 10), "A's sockets stayed"
    time.sleep(1.0)  # time enough for a message on a shared channel to arrive
    assert on_b.sio.connected
    assert _speak(on_b, consultation_id)["ok"]


@pytest.mark.redis
def test_a_crashed_process_presence_is_gone_within_15_seconds(tmp_path, servers, room_clients):
    database_url = f"sqlite:///{tmp_path / 'yishi.sqlite3'}"
    env = site_env(database_url, mode="eventlet", redis_url=redis_url_or_fail())
    prepare_site(env)
    a, b = servers(env), servers(env)
    consultation_id = open_consultation_id(database_url)
    owner = room_clients(a, log_in(a, OWNER))
    chair = room_clients(b, log_in(b, CHAIR))
    assert owner.join(consultation_id)["presence"] == {"count": 1}
    assert chair.join(consultation_id)["presence"] == {"count": 2}
    time.sleep(6)  # past one heartbeat: B's member was re-stamped once more before the crash

    b.process.kill()  # SIGKILL: no disconnect, no clean-up, as in a crash
    killed = time.monotonic()
    b.process.wait(timeout=10)
    counts = []
    while time.monotonic() - killed < PRESENCE_GONE_WITHIN + 5:
        count = owner.join(consultation_id)["presence"]["count"]
        counts.append(count)
        if count == 1:
            break
        time.sleep(0.25)
    gone_after = time.monotonic() - killed
    print(f"presence of the killed process gone after {gone_after:.1f} s")
    assert counts[0] == 2, "the crashed process's member should count until it expires"
    assert counts[-1] == 1, f"still counted {gone_after:.1f} s after the crash"
    assert gone_after <= PRESENCE_GONE_WITHIN + 0.5  # the poll's step


class TcpRelay:
    """Forwards a local port to PostgreSQL until closed (every connection cut), and can open again."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()

    def open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        if self.listener is not None:
            with contextlib.suppress(OSError):  # shutdown wakes the accepting thread; close() alone would not
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        with self.lock:
            connections, self.connections = self.connections, []
        for s in connections:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()


def _lines(server, start: int) -> list[str]:
    return server.log().splitlines()[start:]


@pytest.mark.postgres
def test_a_database_outage_logs_one_line_and_one_when_it_is_back(servers):
    """The ballot sealer runs every second; with the database gone it must not log every second."""
    with postgres_site_url() as direct_url:
        url = make_url(direct_url)
        relay = TcpRelay(url.host or "127.0.0.1", url.port or 5432)
        relay.open()
        try:
            relayed = url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
            env = site_env(relayed, mode="eventlet", DATABASE_POOL_TIMEOUT="2")
            prepare_site(env)
            server = servers(env)
            ready = requests.get(f"{server.base_url}/readyz", timeout=5)
            assert ready.status_code == 200, ready.text
            before = len(server.log().splitlines())

            relay.close()
            outage = 20.0
            time.sleep(outage)
            alive = requests.get(f"{server.base_url}/healthz", headers={"Accept": "text/html"}, timeout=10)
            assert alive.status_code == 200 and alive.json()["database"] == "unreachable"
            not_ready = requests.get(f"{server.base_url}/readyz", headers={"Accept": "text/html"}, timeout=10)
            assert not_ready.status_code == 503 and not_ready.json()["database"] == "unreachable"
            during = _lines(server, before)
            print(f"{len(during)} log lines in {outage:.0f} s of database outage:\n" + "\n".join(during))
            failing = [line for line in during if "ballot sealer failing" in line]
            assert len(failing) == 1, "\n".join(during)
            assert " ERROR app.voting.services.sealer [-] " in failing[0]
            assert "Traceback" not in "\n".join(during)
            assert len(during) <= 3, "\n".join(during)

            relay.open()
            assert _wait(
                lambda: any("ballot sealer recovered" in line for line in _lines(server, before)), 45, step=0.5
            ), server.log()
            assert requests.get(f"{server.base_url}/readyz", timeout=10).status_code == 200
        finally:
            relay.close()


def test_every_redis_key_and_channel_starts_with_the_site_prefix(tmp_path, servers, room_clients, throwaway_redis):
    """On an empty Redis of its own, a site that logs in, joins a room, speaks and counts presence writes
    nothing and listens to nothing outside its prefix."""
    import redis

    database_url = f"sqlite:///{tmp_path / 'yishi.sqlite3'}"
    env = site_env(database_url, mode="eventlet", redis_url=throwaway_redis.url, REDIS_PREFIX="siteone")
    env.pop("SOCKETIO_CHANNEL")
    env.pop("RATELIMIT_KEY_PREFIX")
    prepare_site(env)
    server = servers(env)
    consultation_id = open_consultation_id(database_url)
    chair = room_clients(server, log_in(server, CHAIR))
    chair.join(consultation_id)
    assert _speak(chair, consultation_id)["ok"]

    client = redis.Redis.from_url(throwaway_redis.url, decode_responses=True)
    try:
        keys = client.keys("*")
        channels = client.pubsub_channels("*")
    finally:
        client.close()
    assert any(key.startswith("siteone:presence:") for key in keys), keys
    assert any(key.startswith("siteone:limits:") for key in keys), keys
    assert all(key.startswith("siteone:") for key in keys), keys
    assert set(channels) == {"siteone:socketio", "siteone:control"}, channels
