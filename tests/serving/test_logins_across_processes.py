"""Logins end in every process at once (issue 14): real server processes, one site.

With Redis, a logout through process A closes that login's socket on process B at once, and only that
login's; its cookies replayed at B get the login page and no socket. Without Redis (or a process that
missed the message), B refuses the ended login's events at once and disconnects its socket at its next
login sweep (LOGIN_SWEEP_SECONDS).
"""

from __future__ import annotations

import time
import uuid

import pytest
import requests
import socketio

from tests.serving.conftest import (
    DEMO_PASSWORD,
    NS,
    OWNER,
    RESIDENT,
    csrf_token,
    open_consultation_id,
    postgres_site_url,
    prepare_site,
    redis_url_or_fail,
    scalar,
    site_env,
)

DISCONNECTED_WITHIN = 5.0  # seconds, through Redis
SWEEP_SECONDS = 2


def _log_in(server, phone: str, *, remember: bool = True) -> requests.Session:
    http = requests.Session()
    page = http.get(f"{server.base_url}/account/login", timeout=10)
    data = {"csrf_token": csrf_token(page.text), "phone": phone, "password": DEMO_PASSWORD}
    if remember:
        data["remember"] = "y"
    response = http.post(
        f"{server.base_url}/account/login",
        data=data,
        headers={"Origin": server.base_url, "Referer": f"{server.base_url}/account/login"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text
    return http


def _log_out(server, http: requests.Session) -> None:
    page = http.get(f"{server.base_url}/me", timeout=10)
    assert page.status_code == 200
    response = http.post(
        f"{server.base_url}/account/logout",
        data={"csrf_token": csrf_token(page.text)},
        headers={"Origin": server.base_url, "Referer": f"{server.base_url}/me"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text


def _on(server, cookies: dict[str, str]) -> requests.Session:
    """A client of `server` holding these cookies only (the same login, or a replay of it)."""
    http = requests.Session()
    for name, value in cookies.items():
        http.cookies.set(name, value, domain="127.0.0.1", path="/")
    return http


def _opens_me(server, http: requests.Session) -> bool:
    response = http.get(f"{server.base_url}/me", allow_redirects=False, timeout=10)
    if response.status_code == 302:
        assert "/account/login" in response.headers["Location"]
        return False
    assert response.status_code == 200, response.status_code
    return True


def _socket_opens(server, http: requests.Session) -> bool:
    sio = socketio.Client(reconnection=False)
    cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
    try:
        sio.connect(
            server.base_url, headers={"Cookie": cookie}, namespaces=[NS], transports=["websocket"], wait_timeout=10
        )
    except socketio.exceptions.ConnectionError:
        return False
    finally:
        sio.shutdown()
    return True


def _wait(predicate, timeout: float, step: float = 0.05) -> float | None:
    """Seconds until `predicate()` held, or None if it did not within `timeout`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(step)
    return None


@pytest.fixture
def two_processes(servers):
    """Processes A and B of one site on PostgreSQL and Redis (the sweep left at its production pace)."""
    with postgres_site_url() as database_url:
        env = site_env(database_url, mode="eventlet", redis_url=redis_url_or_fail())
        prepare_site(env)
        yield database_url, servers(env), servers(env)


@pytest.mark.postgres
@pytest.mark.redis
def test_a_logout_through_one_process_closes_that_logins_socket_on_the_other(two_processes, room_clients):
    database_url, a, b = two_processes
    consultation_id = open_consultation_id(database_url)
    phone = _log_in(a, RESIDENT)  # logged in through A
    cookies = phone.cookies.get_dict()
    assert set(cookies) == {"session", "remember_token"}
    other_phone = _log_in(a, RESIDENT)  # the same resident on a second phone
    on_b = room_clients(b, _on(b, cookies))  # the first phone's socket landed on B
    other_on_b = room_clients(b, other_phone)
    on_b.join(consultation_id)
    other_on_b.join(consultation_id)
    assert _opens_me(b, _on(b, {"session": cookies["session"]}))  # the control: the cookie works on B

    logged_out = time.monotonic()
    _log_out(a, phone)

    took = _wait(lambda: not on_b.sio.connected, DISCONNECTED_WITHIN)
    assert took is not None, f"the socket on B stayed\nA:\n{a.log()}\nB:\n{b.log()}"
    print(f"\nthe socket on B closed {time.monotonic() - logged_out:.3f} s after the logout through A")
    # only that login: the resident's other phone stays in the room and acts
    assert other_on_b.sio.connected
    raised = other_on_b.call("raise_hand", {"consultation_id": consultation_id})
    assert raised["ok"], raised
    # the old cookies, replayed at B: each alone, and both
    for jar in ({"session": cookies["session"]}, {"remember_token": cookies["remember_token"]}, cookies):
        assert not _opens_me(b, _on(b, jar)), sorted(jar)
        assert not _socket_opens(b, _on(b, jar)), sorted(jar)
    ended = scalar(
        database_url, "select count(*) from user_sessions where ended_reason = 'logout' and ended_at is not null"
    )
    assert ended == 1


@pytest.fixture
def two_processes_without_redis(servers, tmp_path):
    """Processes A and B of one site on one SQLite file and no Redis: B never hears of A's logouts."""
    database_url = f"sqlite:///{tmp_path / 'yishi.sqlite3'}"
    env = site_env(database_url, mode="eventlet", LOGIN_SWEEP_SECONDS=str(SWEEP_SECONDS))
    prepare_site(env)
    return database_url, servers(env), servers(env)


def test_without_the_message_the_other_process_refuses_at_once_and_disconnects_at_its_sweep(
    two_processes_without_redis, room_clients
):
    database_url, a, b = two_processes_without_redis
    consultation_id = open_consultation_id(database_url)
    phone = _log_in(a, OWNER)
    on_b = room_clients(b, _on(b, phone.cookies.get_dict()))
    on_b.join(consultation_id)

    _log_out(a, phone)

    # whatever B's socket sends now acts no more: refused, or the sweep has closed the socket already
    client_id = uuid.uuid4().hex
    try:
        answer = on_b.call("speak", {"consultation_id": consultation_id, "client_id": client_id, "body": "还能说吗"})
        assert answer["ok"] is False and answer["error"]["code"] == "not_authenticated", answer
    except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
        assert not on_b.sio.connected
    assert _wait(lambda: not on_b.sio.connected, SWEEP_SECONDS * 3) is not None, f"B:\n{b.log()}"
    assert scalar(database_url, "select count(*) from speeches where client_id = :c", c=client_id) == 0
