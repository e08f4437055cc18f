"""Each async mode serves the site for real: `python wsgi.py`, pages, login, a live room.

SQLite in a temporary directory for the three modes; the production pairing
(eventlet, PostgreSQL, Redis) runs too when TEST_DATABASE_URL and
TEST_REDIS_URL are set.
"""

from __future__ import annotations

import threading
import uuid

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.serving.conftest import (
    CHAIR,
    OWNER,
    log_in,
    open_consultation_id,
    postgres_site_url,
    prepare_site,
    redis_url_or_fail,
    scalar,
    site_env,
)

MODES = ["eventlet", "gevent", "threading"]


def _smoke(server, database_url, room_clients):
    health = server.health()
    assert health == {"ok": True, "database": "ok", "realtime": "ok"}

    page = requests.get(f"{server.base_url}/", timeout=10)
    assert page.status_code == 200 and "议事" in page.text

    consultation_id = open_consultation_id(database_url)
    chair_http, owner_http = log_in(server, CHAIR), log_in(server, OWNER)
    room_page = owner_http.get(f"{server.base_url}/consultations/{consultation_id}", timeout=10)
    assert room_page.status_code == 200 and 'id="room"' in room_page.text

    chair, owner = room_clients(server, chair_http), room_clients(server, owner_http)
    chair.join(consultation_id)
    owner.join(consultation_id)
    client_id = uuid.uuid4().hex
    message = chair.speak(consultation_id, "冒烟测试：大家好", client_id)

    assert message["client_id"] == client_id and "冒烟测试" in message["body_html"]
    received = owner.wait_for(client_id)
    assert received is not None, f"the room did not receive the speech\n{server.log()}"
    assert received["id"] == message["id"]
    assert scalar(database_url, "select count(*) from speeches where client_id = :c", c=client_id) == 1


@pytest.mark.parametrize("mode", MODES)
def test_each_async_mode_serves_pages_login_and_a_live_room(mode, tmp_path, servers, room_clients):
    database_url = f"sqlite:///{tmp_path / 'yishi.sqlite3'}"
    env = site_env(database_url, mode=mode)
    prepare_site(env)

    server = servers(env)

    assert f"async mode: {mode}" in server.log()
    _smoke(server, database_url, room_clients)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.parametrize("mode", ["eventlet", "gevent"])
def test_production_pairing_postgresql_and_redis(mode, servers, room_clients):
    with postgres_site_url() as database_url:
        env = site_env(database_url, mode=mode, redis_url=redis_url_or_fail())
        prepare_site(env)
        server = servers(env)
        try:
            _smoke(server, database_url, room_clients)
        finally:
            server.stop()  # before the schema is dropped


@pytest.mark.postgres
@pytest.mark.parametrize("mode", ["eventlet", "gevent"])
def test_a_slow_query_does_not_block_the_event_loop(mode, servers):
    """psycogreen: while one request waits on a PostgreSQL lock, the same process answers others.

    Without it, psycopg2 blocks the whole process in the waiting call and
    /healthz would time out.
    """
    with postgres_site_url() as database_url:
        env = site_env(database_url, mode=mode)
        prepare_site(env)
        server = servers(env)
        try:
            consultation_id = open_consultation_id(database_url)
            http = log_in(server, OWNER)
            locker = create_engine(database_url, poolclass=NullPool)
            result: dict = {}
            with locker.connect() as conn:
                conn.execute(text("LOCK TABLE consultations IN ACCESS EXCLUSIVE MODE"))

                def load_room():
                    try:
                        result["status"] = http.get(
                            f"{server.base_url}/consultations/{consultation_id}", timeout=30
                        ).status_code
                    except requests.RequestException as err:
                        result["error"] = err

                waiting = threading.Thread(target=load_room)
                waiting.start()
                _wait_for_lock_waiter(database_url)

                health = requests.get(f"{server.base_url}/healthz", timeout=3)

                assert health.status_code == 200
                assert "status" not in result  # the room page is still waiting on the lock
                conn.rollback()  # release the lock
            waiting.join(timeout=30)
            locker.dispose()
            assert result.get("status") == 200, result
        finally:
            server.stop()


def _wait_for_lock_waiter(database_url: str, timeout: float = 10) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = scalar(
            database_url,
            "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()",
        )
        if waiting:
            return
        time.sleep(0.1)
    pytest.fail("the room request never waited on the lock")
