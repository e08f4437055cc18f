"""One eventlet process holds thousands of connections (SERVER_MAX_CONNECTIONS), not eventlet's default 1024."""

from __future__ import annotations

import socket
import time

import pytest
import requests

from app.core.serving import raise_open_files_limit
from tests.serving.conftest import CHAIR, log_in, open_consultation_id, prepare_site, site_env

HELD = 2100


def _hold_connections(base_port: int, count: int) -> list[socket.socket]:
    """Open `count` connections, each with half an HTTP request: each keeps a server green thread busy."""
    held = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", base_port), timeout=10)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no blank line: the request never ends
        held.append(s)
    return held


def _answers(server) -> bool:
    try:
        return requests.get(f"{server.base_url}/healthz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def _answers_while_holding(server, count: int) -> bool:
    held = _hold_connections(server.port, count)
    try:
        time.sleep(1)  # let the server accept them all
        return _answers(server)
    finally:
        for s in held:
            s.close()


@pytest.fixture
def site(tmp_path):
    soft, _hard = raise_open_files_limit(HELD + 500)  # this test process holds the client ends
    if soft != -1 and soft < HELD + 300:
        pytest.skip(f"the open files limit here ({soft}) is too low to hold {HELD} connections")
    database_url = f"sqlite:///{tmp_path / 'yishi.sqlite3'}"
    env = site_env(database_url, mode="eventlet")
    prepare_site(env)
    return database_url, env


def test_one_process_holds_over_two_thousand_connections(site, servers, room_clients):
    database_url, env = site
    server = servers(env)

    # one set of held connections for both checks: closing a set and opening another at once would race
    # the server's own closing of the first under a loaded machine
    held = _hold_connections(server.port, HELD)
    try:
        time.sleep(1)  # let the server accept them all
        assert _answers(server)
        # and a live room still connects while they are held
        client = room_clients(server, log_in(server, CHAIR))
        assert client.join(open_consultation_id(database_url))["ok"]
    finally:
        for s in held:
            s.close()


def test_the_limit_is_the_setting(site, servers):
    """The control: with SERVER_MAX_CONNECTIONS=1000, 1100 held connections starve the next request."""
    _database_url, env = site
    server = servers({**env, "SERVER_MAX_CONNECTIONS": "1000"})

    assert "up to 1000 connections" in server.log()
    assert not _answers_while_holding(server, 1100)
