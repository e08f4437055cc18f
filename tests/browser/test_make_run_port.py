"""`PORT=NNNN make run` works from a browser at that address: the room goes live on a port other than
5000, because in development the allowed socket origins follow HOST and PORT."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.browser.conftest import _free_port

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 120


@pytest.fixture
def make_run(tmp_path):
    """`make run` as a newcomer types it, on a free port (never 5000), with its own SQLite file."""
    port = _free_port()
    assert port != 5000
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SOCKETIO_ALLOWED_ORIGINS", "YISHI_CONFIG", "SOCKETIO_ASYNC_MODE", "REDIS_URL"}
    }
    env.update(
        {
            "PORT": str(port),
            "HOST": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'yishi.sqlite3'}",
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "SERVER_ACCESS_LOG": "0",
        }
    )
    log_path = tmp_path / "make-run.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # make and the server it starts: one process group, ended together
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"make run exited with {process.returncode}:\n{log_path.read_text()}")
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"make run did not answer within {START_TIMEOUT} s:\n{log_path.read_text()}")
            time.sleep(0.3)
        yield port
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_a_room_is_live_on_a_port_other_than_5000(make_run, phone, host):
    site = f"http://{host}:{make_run}"
    page = phone.new_page()
    failures = []
    page.on("pageerror", lambda exc: failures.append(str(exc)))
    page.goto(f"{site}/account/login")
    page.locator("input[name=phone]").fill("13800000001")
    page.locator("input[name=password]").fill("yishi2026")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/(me|c/.*)$"))
    page.goto(f"{site}/c/cuizhuyuan/consultations")
    page.get_by_role("link", name="电动车集中充电棚建在哪里").click()
    # is-live: the socket connected and the room was joined (a refused origin never gets here)
    page.wait_for_selector("#room.is-live", timeout=20_000)
    assert not failures
