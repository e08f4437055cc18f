"""The documented update, deploy/rolling-restart.sh, under load through nginx: nothing fails, nothing is lost.

Phones read (GET the room) and write (POST a speech, each with its own client_id) without pause while
both processes are restarted one at a time, the way systemd restarts yishi@PORT (SIGTERM, wait for
the exit, start again). A phone retries a request that failed, with the same client_id, as the room's
form does; the test counts every attempt.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
import uuid
from collections import Counter

import pytest
import requests

from tests.deploy.conftest import DEPLOY, start_deployment
from tests.deploy.test_nginx import Phone
from tests.serving.conftest import CHAIR, OWNER, csrf_token, open_consultation_id, scalar

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

WRITERS = 6
ATTEMPTS = 5


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from start_deployment(
        tmp_path_factory.mktemp("rolling"),
        RATELIMIT_SPEAK="100000 per minute",
        RATELIMIT_LOGIN="1000 per minute",
    )


class Load:
    """Writers from their own addresses: GET the room, POST a speech, again, until stopped."""

    def __init__(self, site, consultation_id: int, sessions: list[requests.Session]):
        self.site = site
        self.room_url = f"{site.base_url}/consultations/{consultation_id}"
        self.sessions = sessions
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.counts: Counter = Counter()
        self.acknowledged: list[str] = []  # client_ids whose POST was answered with the redirect
        self.unanswered: list[str] = []  # client_ids given up on after ATTEMPTS tries
        self.upstreams: Counter = Counter()
        self.threads = [threading.Thread(target=self._run, args=(http,), daemon=True) for http in sessions]

    def _count(self, key: str, n: int = 1) -> None:
        with self.lock:
            self.counts[key] += n

    def _attempt(self, kind: str, send, expected: int) -> requests.Response | None:
        for attempt in range(ATTEMPTS):
            self._count(f"{kind} sent")
            try:
                response = send()
            except requests.RequestException as err:
                self._count(f"{kind} failed: {type(err).__name__}")
            else:
                upstream = response.headers.get("X-Test-Upstream", "")
                with self.lock:
                    self.upstreams[upstream.rsplit(":", 1)[-1]] += 1
                if response.status_code == expected:
                    return response
                self._count(f"{kind} failed: HTTP {response.status_code}")
            if attempt == 0:
                self._count(f"{kind} retried")
            time.sleep(0.2)
        self._count(f"{kind} given up")
        return None

    def _run(self, http: requests.Session) -> None:
        while not self.stop.is_set():
            page = self._attempt("GET", lambda: http.get(self.room_url, timeout=30), 200)
            if page is None:
                continue
            token = csrf_token(page.text)
            client_id = uuid.uuid4().hex
            data = {"csrf_token": token, "client_id": client_id, "body": f"滚动更新中的发言 {client_id}"}
            answer = self._attempt(
                "POST",
                lambda data=data: http.post(
                    f"{self.room_url}/speak",
                    data=data,
                    headers={"Origin": self.site.base_url, "Referer": self.room_url},
                    allow_redirects=False,
                    timeout=30,
                ),
                302,
            )
            with self.lock:
                (self.acknowledged if answer is not None else self.unanswered).append(client_id)

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def test_a_rolling_restart_fails_no_request_and_loses_no_write(site, record_property):
    consultation_id = open_consultation_id(site.database_url)
    # writers on both processes (nginx hashes their addresses), and a live phone on each
    on = {}
    for n in range(100, 160):
        address = f"127.0.0.{n}"
        on.setdefault(site.app_for(address).port, []).append(address)
    assert len(on) == 2, "no address reached one of the processes"
    writer_addresses = [address for addresses in on.values() for address in addresses[: WRITERS // 2]]
    load = Load(site, consultation_id, [site.logged_in(address, CHAIR) for address in writer_addresses])
    phones = [
        Phone(site, addresses[-1], site.logged_in(addresses[-1], OWNER), transport="polling", reconnect=True)
        for addresses in on.values()
    ]
    for phone in phones:
        assert phone.call("join", {"consultation_id": consultation_id})["ok"]

    ports = [str(app.port) for app in site.apps]
    pid_dir = site.apps[0].pid_file.parent
    env = {
        **os.environ,
        # systemctl restart yishi@PORT, for this test's processes: SIGTERM, wait for the exit (they are
        # started again like Restart=always does)
        "RESTART_COMMAND": f'p=$(cat {pid_dir}/%s.pid) && kill -TERM "$p" && '
        'while kill -0 "$p" 2>/dev/null; do sleep 0.05; done',
    }
    load.start()
    try:
        time.sleep(3)
        began = time.monotonic()
        restart = subprocess.run(
            [str(DEPLOY / "rolling-restart.sh"), *ports], env=env, capture_output=True, text=True, timeout=180
        )
        restart_seconds = time.monotonic() - began
        time.sleep(3)
    finally:
        load.finish()
    try:
        assert restart.returncode == 0, f"{restart.stdout}\n{restart.stderr}"
        assert all(app.starts == 2 for app in site.apps), "each process was restarted once"
        # the live phones were sent to the other process and came back: each reconnected, and hears the room
        for phone in phones:
            with phone.arrived:
                assert phone.arrived.wait_for(lambda phone=phone: phone.connects >= 2, 20), "a phone did not reconnect"
            phone.join_again(consultation_id)
        # a speech after the update reaches the phones on both processes
        client_id = uuid.uuid4().hex
        http = load.sessions[0]
        page = http.get(load.room_url, timeout=10)
        data = {"csrf_token": csrf_token(page.text), "client_id": client_id, "body": "更新后的发言"}
        headers = {"Origin": site.base_url, "Referer": load.room_url}
        sent = http.post(f"{load.room_url}/speak", data=data, headers=headers, allow_redirects=False, timeout=10)
        assert sent.status_code == 302
        assert all(phone.wait_for(client_id) is not None for phone in phones), "a phone missed the speech"
        reconnects = [phone.connects - 1 for phone in phones]
    finally:
        for phone in phones:
            phone.close()

    counts = load.counts
    stored = {
        client_id: scalar(site.database_url, "select count(*) from speeches where client_id = :c", c=client_id)
        for client_id in load.acknowledged + load.unanswered
    }
    lost = [c for c in load.acknowledged if stored[c] == 0]
    doubled = [c for c, n in stored.items() if n > 1]
    requests_sent = counts["GET sent"] + counts["POST sent"]
    first_failed = counts["GET retried"] + counts["POST retried"]
    figures = {
        "requests sent": requests_sent,
        "GETs": counts["GET sent"],
        "POSTs": counts["POST sent"],
        "writes acknowledged": len(load.acknowledged),
        "requests failed at the first attempt": first_failed,
        "requests failed after retries": counts["GET given up"] + counts["POST given up"],
        "writes lost": len(lost),
        "writes doubled": len(doubled),
        "rolling restart seconds": round(restart_seconds, 1),
        "phone reconnects": reconnects,
        "failures": {k: v for k, v in counts.items() if "failed" in k},
        "answered by port": dict(load.upstreams),
    }
    for key, value in figures.items():
        record_property(key, value)
    print("\nrolling restart:", figures)

    assert len(load.acknowledged) > 50, "the load was too light to show anything"
    assert counts["GET given up"] == 0 and counts["POST given up"] == 0, figures
    assert not load.unanswered
    assert not lost, figures
    assert not doubled, figures
    # each stored speech is one acknowledged write: nothing stored twice under another id
    assert scalar(site.database_url, "select count(*) from speeches where body like '滚动更新中的发言 %'") == len(
        load.acknowledged
    )
    # nginx never had to give a phone an error: not one attempt failed
    assert first_failed == 0, figures
