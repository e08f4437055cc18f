"""SIGTERM to a gunicorn process (gunicorn.conf.py): it stops accepting at once, drops its live sockets so
that they reconnect elsewhere, finishes the request in flight, then exits."""

from __future__ import annotations

import gc
import socket
import threading
import time
import warnings

import pytest
import requests
import socketio
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.deploy.conftest import AppProcess, deployment_env
from tests.serving.conftest import (
    NS,
    OWNER,
    csrf_token,
    open_consultation_id,
    postgres_site_url,
    prepare_site,
    redis_url_or_fail,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except (ConnectionRefusedError, ConnectionResetError):  # reset: the listener closed with us in its backlog
        return True
    return False


def _wait_for_lock_waiter(database_url: str, timeout: float = 15) -> None:
    from tests.serving.conftest import scalar

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if scalar(database_url, "select count(*) from pg_locks where not granted"):
            return
        time.sleep(0.05)
    pytest.fail("the request never waited on the lock")


def test_sigterm_drains(tmp_path, record_property):
    with postgres_site_url() as database_url:
        app = AppProcess({}, tmp_path)
        env = deployment_env(database_url, redis_url_or_fail(), tmp_path / "uploads", app.url)
        env.update({"SESSION_COOKIE_SECURE": "0", "PROXY_HOPS": "0", "SERVER_GRACEFUL_TIMEOUT": "30"})
        prepare_site({**env, "YISHI_CONFIG": "production"})
        app.env = {**env, "PORT": str(app.port)}
        started = app.start(supervise=False)
        record_property("gunicorn_start_s", round(started, 2))
        try:
            consultation_id = open_consultation_id(database_url)
            http = requests.Session()
            page = http.get(f"{app.url}/account/login", timeout=10)
            login = http.post(
                f"{app.url}/account/login",
                data={"csrf_token": csrf_token(page.text), "phone": OWNER, "password": env["YISHI_DEMO_PASSWORD"]},
                headers={"Origin": app.url, "Referer": f"{app.url}/account/login"},
                allow_redirects=False,
                timeout=10,
            )
            assert login.status_code == 302
            cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
            dropped = threading.Event()
            phone = socketio.Client(reconnection=False)
            phone.on("disconnect", lambda *args: dropped.set(), namespace=NS)
            phone.connect(app.url, headers={"Cookie": cookie}, namespaces=[NS], transports=["websocket"])

            locker = create_engine(database_url, poolclass=NullPool)
            result: dict = {}
            with locker.connect() as conn:
                conn.execute(text("LOCK TABLE consultations IN ACCESS EXCLUSIVE MODE"))

                def in_flight():
                    try:
                        room = requests.get(
                            f"{app.url}/consultations/{consultation_id}", cookies=http.cookies, timeout=60
                        )
                        result["status"] = room.status_code
                    except requests.RequestException as err:
                        result["error"] = err

                waiting = threading.Thread(target=in_flight)
                waiting.start()
                _wait_for_lock_waiter(database_url)
                # psycogreen under gunicorn's worker: the waiting query does not block the process
                assert requests.get(f"{app.url}/healthz", timeout=3).status_code == 200

                term = time.monotonic()
                app.process.terminate()  # SIGTERM to gunicorn's master, as systemd sends it
                deadline = term + 5
                while not (_refused(app.port) and dropped.is_set()) and time.monotonic() < deadline:
                    time.sleep(0.02)
                stopped_accepting = time.monotonic() - term
                assert _refused(app.port), "the port still accepts connections after SIGTERM"
                assert dropped.is_set(), "the live socket was not dropped"
                time.sleep(1)
                assert app.process.poll() is None, "the process exited with a request in flight"
                assert "status" not in result and "error" not in result
                conn.rollback()  # the query goes on: the request in flight can finish
            finished = time.monotonic()
            waiting.join(timeout=30)
            locker.dispose()
            assert result.get("status") == 200, result
            app.process.wait(timeout=30)
            exited = time.monotonic() - finished
            phone.shutdown()
            http.close()
            # dropped by the server, the socket.io client leaves its end of the WebSocket to the collector
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ResourceWarning)
                del phone
                gc.collect()
        finally:
            app.stop()
    record_property("stopped_accepting_s", round(stopped_accepting, 2))
    record_property("exited_after_last_request_s", round(exited, 2))
    print(
        f"\ngunicorn: up in {started:.2f} s; after SIGTERM refusing and sockets dropped in "
        f"{stopped_accepting:.2f} s; exited {exited:.2f} s after the last request finished"
    )
    assert app.process.returncode == 0
    assert "Draining: listener closed, 1 live socket(s) sent elsewhere" in app.log()
