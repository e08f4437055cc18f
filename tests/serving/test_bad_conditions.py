"""Bad conditions, for real: Redis goes away and comes back; a connection drops during a speech.

Redis here is a throwaway `redis-server` on a free port that the test kills
and restarts (never the machine's own Redis); the site runs two eventlet
processes on it, sharing a SQLite file.
"""

from __future__ import annotations

import socket
import time
import uuid

import pytest
import requests

from tests.serving.conftest import (
    CHAIR,
    NS,
    OWNER,
    STAFF,
    log_in,
    open_consultation_id,
    post_login,
    prepare_site,
    scalar,
    site_env,
)

BANNER = 'id="realtime-degraded"'


def _wait_for_health(server, realtime: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    health = None
    while time.monotonic() < deadline:
        health = server.health()  # 200 all along: pages are served whatever Redis does
        if health["realtime"] == realtime:
            return health
        time.sleep(0.25)
    pytest.fail(f"/healthz did not report realtime={realtime} within {timeout} s (last: {health})\n{server.log()}")


def test_without_redis_the_site_serves_pages_reports_degraded_and_recovers(
    tmp_path, servers, room_clients, throwaway_redis
):
    database_url = f"sqlite:///{tmp_path / 'yishi.sqlite3'}"
    env = site_env(database_url, mode="eventlet", redis_url=throwaway_redis.url)
    prepare_site(env)
    a, b = servers(env), servers(env)
    consultation_id = open_consultation_id(database_url)
    chair_http, owner_http, staff_http = log_in(a, CHAIR), log_in(a, OWNER), log_in(b, STAFF)
    chair, owner, staff = (
        room_clients(a, chair_http),
        room_clients(a, owner_http),
        room_clients(b, staff_http),
    )
    for client in (chair, owner, staff):
        client.join(consultation_id)
    assert a.health()["realtime"] == "ok"
    first = uuid.uuid4().hex
    chair.speak(consultation_id, "Redis 正常时的发言", first)
    assert staff.wait_for(first) is not None  # across processes through Redis

    throwaway_redis.kill()

    _wait_for_health(a, "degraded")
    _wait_for_health(b, "degraded")
    room_url = f"{a.base_url}/consultations/{consultation_id}"
    page = owner_http.get(room_url, timeout=10)
    assert page.status_code == 200 and BANNER in page.text  # the room says live updates are limited
    assert requests.get(f"{b.base_url}/", timeout=10).status_code == 200
    assert post_login(b, OWNER).status_code == 302  # rate limits count in memory meanwhile
    during = uuid.uuid4().hex
    stored = chair.speak(consultation_id, "Redis 断开时的发言", during)  # acknowledged and stored
    assert owner.wait_for(during) is not None  # the same process's room still works
    assert staff.wait_for(during, timeout=1) is None  # the other process cannot hear it: degraded
    assert scalar(database_url, "select count(*) from speeches where id = :i", i=stored["id"]) == 1
    assert chair.sio.connected and owner.sio.connected and staff.sio.connected
    assert a.process.poll() is None and b.process.poll() is None

    throwaway_redis.start()  # the same port

    _wait_for_health(a, "ok")
    _wait_for_health(b, "ok")
    after = uuid.uuid4().hex
    chair.speak(consultation_id, "Redis 恢复后的发言", after)
    assert staff.wait_for(after) is not None, f"B did not hear A after Redis returned\n{b.log()}"
    page = owner_http.get(room_url, timeout=10)
    assert page.status_code == 200 and BANNER not in page.text


def test_a_speech_retried_after_a_dropped_connection_is_stored_once(tmp_path, servers, room_clients):
    """The phone sends, the connection drops before the answer, it reconnects and sends again."""
    database_url = f"sqlite:///{tmp_path / 'yishi.sqlite3'}"
    env = site_env(database_url, mode="eventlet")
    prepare_site(env)
    server = servers(env)
    consultation_id = open_consultation_id(database_url)
    http = log_in(server, CHAIR)
    client_id = uuid.uuid4().hex
    payload = {"consultation_id": consultation_id, "client_id": client_id, "body": "断线重发的发言"}

    first = room_clients(server, http)
    first.join(consultation_id)
    first.sio.emit("speak", payload, namespace=NS)  # no acknowledgement awaited: the line drops now
    _wait_until(lambda: _stored(database_url, client_id) == 1, "the first attempt was not stored")
    _drop(first)

    second = room_clients(server, http)  # a new connection, as socket.io's reconnect makes
    joined = second.join(consultation_id)
    ack = second.call("speak", payload)  # the retry, same client_id

    assert ack["ok"], ack
    assert ack["message"]["client_id"] == client_id
    assert _stored(database_url, client_id) == 1
    assert [m["id"] for m in joined["messages"] if m["client_id"] == client_id] == [ack["message"]["id"]]


def test_a_speech_sent_as_the_connection_drops_is_stored_at_most_once_then_once(tmp_path, servers, room_clients):
    """The drop races the speech: whether or not the first attempt landed, the retry leaves exactly one."""
    database_url = f"sqlite:///{tmp_path / 'yishi.sqlite3'}"
    env = site_env(database_url, mode="eventlet")
    prepare_site(env)
    server = servers(env)
    consultation_id = open_consultation_id(database_url)
    http = log_in(server, CHAIR)
    ids = [uuid.uuid4().hex for _ in range(5)]

    first = room_clients(server, http)
    first.join(consultation_id)
    for client_id in ids:
        first.sio.emit("speak", {"consultation_id": consultation_id, "client_id": client_id, "body": client_id}, NS)
    _drop(first)
    time.sleep(0.5)  # let the server finish whatever it received
    landed = sum(_stored(database_url, c) for c in ids)
    assert all(_stored(database_url, c) <= 1 for c in ids)

    second = room_clients(server, http)
    second.join(consultation_id)
    acks = [second.call("speak", {"consultation_id": consultation_id, "client_id": c, "body": c}) for c in ids]

    assert all(ack["ok"] for ack in acks), acks
    assert [_stored(database_url, c) for c in ids] == [1] * len(ids)
    assert len({ack["message"]["id"] for ack in acks}) == len(ids)
    assert 0 <= landed <= len(ids)


def _drop(client) -> None:
    """Cut the TCP connection under the client, no close packet: a phone losing its signal."""
    sock = client.sio.eio.ws.sock
    sock.shutdown(socket.SHUT_RDWR)
    _wait_until(lambda: not client.sio.connected, "the client did not notice the dropped connection")
    sock.close()  # the client has let go of it: close it here rather than leave it to the garbage collector


def _stored(database_url: str, client_id: str) -> int:
    return scalar(database_url, "select count(*) from speeches where client_id = :c", c=client_id)


def _wait_until(condition, message: str, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    pytest.fail(message)
