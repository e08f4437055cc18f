"""Pages first (core.priority, issue 20): socket events that can wait let the HTTP requests in flight go
first, a few of them at a time, never none, and say busy (retry after) past their wait."""

from __future__ import annotations

import threading
import time

import pytest

from app.core import priority
from app.core.sockets import Namespace, acknowledged, remember_socket_user
from app.extensions import socketio

NAMESPACE = "/pages-first-test"


class _Work(Namespace):
    """Handlers that can wait, each held until the test lets it go; `started` counts those that began."""

    def __init__(self, namespace):
        super().__init__(namespace)
        self.lock = threading.Lock()
        self.started = 0
        self.go = threading.Event()

    def on_connect(self, auth=None):
        remember_socket_user(1, 1)

    @acknowledged(database=False, yields_to_pages=True)
    def on_work(self, data):
        with self.lock:
            self.started += 1
        assert self.go.wait(10)
        return {"n": data["n"]}


@pytest.fixture
def work(app):
    """The namespace, and a page (GET /slow-page) that stays in flight until `page.set()`."""
    handler = _Work(NAMESPACE)
    socketio.on_namespace(handler)
    page, serving = threading.Event(), threading.Event()

    def slow_page():
        serving.set()
        assert page.wait(10)
        return "ok"

    app.add_url_rule("/slow-page", view_func=slow_page)
    app.config.update(SOCKET_DEFERRED_CONCURRENCY=8, SOCKET_DEFERRED_DURING_PAGES=1, SOCKET_SLOT_WAIT_SECONDS=5)
    clients = [socketio.test_client(app, namespace=NAMESPACE) for _ in range(6)]
    try:
        yield handler, clients, page, serving
    finally:
        page.set()
        handler.go.set()
        for client in clients:
            client.disconnect(namespace=NAMESPACE)
        socketio.server.namespace_handlers.pop(NAMESPACE, None)


def _in_threads(clients, answers: dict) -> list[threading.Thread]:
    def emit(n, client):
        answers[n] = client.emit("work", {"n": n}, namespace=NAMESPACE, callback=True)

    threads = [threading.Thread(target=emit, args=(n, c)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    return threads


def _until(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_a_page_in_flight_holds_the_handlers_that_can_wait_to_a_few_and_they_all_run_after(app, work):
    handler, clients, page, serving = work
    browser = threading.Thread(target=lambda: app.test_client().get("/slow-page"))
    browser.start()
    assert serving.wait(5)
    answers: dict = {}
    threads = _in_threads(clients, answers)
    time.sleep(0.3)
    assert handler.started == 1  # one at a time while the page is served (the others wait their turn)
    page.set()
    browser.join(5)
    assert _until(lambda: handler.started == len(clients))  # the page done: all of them at once (up to 8)
    handler.go.set()
    for thread in threads:
        thread.join(10)
    assert [answers[n] for n in range(len(clients))] == [{"ok": True, "n": n} for n in range(len(clients))]
    assert priority.gate.running == 0 and priority.gate.pages == 0


def test_with_no_page_in_flight_they_run_up_to_the_wide_limit(app, work):
    handler, clients, _page, _serving = work
    app.config["SOCKET_DEFERRED_CONCURRENCY"] = 4
    answers: dict = {}
    threads = _in_threads(clients, answers)
    assert _until(lambda: handler.started == 4)
    time.sleep(0.2)
    assert handler.started == 4
    handler.go.set()
    for thread in threads:
        thread.join(10)
    assert len(answers) == len(clients) and all(a["ok"] for a in answers.values())


def test_one_that_waits_past_its_slot_wait_is_answered_busy_and_retried_after(app, work):
    handler, clients, page, serving = work
    app.config["SOCKET_SLOT_WAIT_SECONDS"] = 0.2
    browser = threading.Thread(target=lambda: app.test_client().get("/slow-page"))
    browser.start()
    assert serving.wait(5)
    answers: dict = {}
    first = _in_threads(clients[:1], answers)
    assert _until(lambda: handler.started == 1)
    started = time.monotonic()
    second = clients[1].emit("work", {"n": 1}, namespace=NAMESPACE, callback=True)
    assert second["ok"] is False and second["error"]["code"] == "busy" and second["error"]["retry_after"] >= 1
    assert time.monotonic() - started < 3 and handler.started == 1  # refused without running
    page.set()
    handler.go.set()
    browser.join(5)
    first[0].join(10)
    assert answers[0] == {"ok": True, "n": 0}
    assert clients[1].emit("work", {"n": 1}, namespace=NAMESPACE, callback=True) == {"ok": True, "n": 1}


def test_a_page_that_never_ends_does_not_starve_them():
    gate = priority.PageFirstGate()
    gate.page_started()
    lock, running, most, done = threading.Lock(), [0], [0], []

    def handler(n):
        assert gate.enter(wide=8, narrow=2, timeout=5)
        try:
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(0.02)
            with lock:
                running[0] -= 1
            done.append(n)
        finally:
            gate.leave()

    threads = [threading.Thread(target=handler, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(done) == list(range(10)) and most[0] == 2
    assert gate.running == 0 and gate.waiting == 0 and gate.pages == 1


def test_a_request_counts_as_a_page_while_the_application_makes_its_response():
    gate = priority.PageFirstGate()
    seen = []

    def application(environ, start_response):
        seen.append(gate.pages)
        if environ.get("PATH_INFO") == "/fails":
            raise RuntimeError("the view failed")
        start_response("200 OK", [])
        return [b"ok"]

    counted = priority.PagesInFlight(application, gate)
    body = counted({"PATH_INFO": "/"}, lambda *a: None)  # never closed: the page is over all the same
    with pytest.raises(RuntimeError):
        counted({"PATH_INFO": "/fails"}, lambda *a: None)
    assert seen == [1, 1] and list(body) == [b"ok"] and gate.pages == 0


def test_after_a_page_the_narrow_limit_holds_for_the_grace_then_all_go():
    """Pages come one after another: the millisecond between two does not let the wide limit in."""
    gate = priority.PageFirstGate()
    gate.page_started()
    started, release = [], threading.Event()

    def handler(n):
        assert gate.enter(wide=8, narrow=1, timeout=5, grace=0.3)
        try:
            started.append(n)
            assert release.wait(5)
        finally:
            gate.leave()

    threads = [threading.Thread(target=handler, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    assert _until(lambda: len(started) == 1 and gate.waiting == 4)
    gate.page_ended()
    ended = time.monotonic()
    gate.page_started()  # the next page, at once
    gate.page_ended()
    time.sleep(0.15)
    assert len(started) == 1  # within the grace: still one
    assert _until(lambda: len(started) == 5)  # the grace over: the others all at once (wide: 8)
    assert time.monotonic() - ended >= 0.3
    release.set()
    for thread in threads:
        thread.join(5)
    assert gate.running == 0 and gate.waiting == 0 and gate.pages == 0


def test_without_a_grace_the_gate_opens_as_the_page_ends():
    gate = priority.PageFirstGate()
    gate.page_started()
    started, release = [], threading.Event()

    def handler():
        assert gate.enter(wide=8, narrow=1, timeout=5)
        try:
            started.append(1)
            assert release.wait(5)
        finally:
            gate.leave()

    threads = [threading.Thread(target=handler) for _ in range(3)]
    for thread in threads:
        thread.start()
    assert _until(lambda: len(started) == 1 and gate.waiting == 2)
    gate.page_ended()
    assert _until(lambda: len(started) == 3, seconds=0.5)
    release.set()
    for thread in threads:
        thread.join(5)


def test_the_grace_setting_reaches_the_gate(app, work):
    handler, clients, page, serving = work
    app.config["SOCKET_PAGES_GRACE_SECONDS"] = 0.4
    browser = threading.Thread(target=lambda: app.test_client().get("/slow-page"))
    browser.start()
    assert serving.wait(5)
    answers: dict = {}
    threads = _in_threads(clients[:3], answers)
    assert _until(lambda: handler.started == 1)
    page.set()
    browser.join(5)
    time.sleep(0.2)
    assert handler.started == 1  # the page is over, its grace is not
    assert _until(lambda: handler.started == 3)
    handler.go.set()
    for thread in threads:
        thread.join(10)
    assert all(answers[n]["ok"] for n in range(3))
