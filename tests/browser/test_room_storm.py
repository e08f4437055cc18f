"""When the whole community opens the room at once (issue 20), seen from a phone: a join whose answer is lost is
asked again after a back-off (not at once), and the retried join is one member present and one attendance; a
saturated server's "busy, retry after" is said in plain words and the room comes live when it has room."""

from __future__ import annotations

import re
import sqlite3
import time

import pytest

from tests.browser.test_consultation_room import RESIDENT

pytestmark = pytest.mark.browser

JOIN = re.compile(r'^42/consultations,(\d+)\["join"')


def _attendance(tmp_path, phone_number: str) -> tuple[int, int]:
    """(the resident's attendance rows in the demo room, every attendance row there)."""
    with sqlite3.connect(tmp_path / "browser.sqlite3") as conn:
        room = conn.execute("SELECT id FROM consultations WHERE title LIKE '电动车集中充电棚%'").fetchone()[0]
        mine = conn.execute(
            "SELECT count(*) FROM attendances a JOIN users u ON u.id = a.user_id"
            " WHERE a.consultation_id = ? AND u.phone = ?",
            (room, phone_number),
        ).fetchone()[0]
        every = conn.execute("SELECT count(*) FROM attendances WHERE consultation_id = ?", (room,)).fetchone()[0]
    return mine, every


def test_a_join_whose_answer_was_lost_is_retried_later_and_counted_once(serve, tmp_path, phone):
    live_server = serve()
    joins: list[float] = []
    dropped: list[str] = []

    def relay(ws):
        """Between the page and the server: every frame passes, but the answer to the first join is lost."""
        server = ws.connect_to_server()
        first_join: dict = {}

        def from_page(message):
            found = JOIN.match(message) if isinstance(message, str) else None
            if found:
                joins.append(time.monotonic())
                first_join.setdefault("id", found.group(1))
            server.send(message)

        def from_server(message):
            ack = first_join.get("id")
            if isinstance(message, str) and ack and message.startswith(f"43/consultations,{ack}[") and not dropped:
                dropped.append(message)  # the server joined the page, but the page never hears so
                return
            ws.send(message)

        ws.on_message(from_page)
        server.on_message(from_server)

    phone.route_web_socket(re.compile(r".*/socket\.io/.*"), relay)
    before_mine, before_every = _attendance(tmp_path, RESIDENT)
    page, failures = _enter_waiting(phone, live_server)
    page.wait_for_selector("#room.is-live", timeout=40_000)

    assert len(dropped) == 1 and len(joins) == 2
    # asked again only after the first one's wait ran out (15 s), and then after a back-off: not at once
    assert joins[1] - joins[0] >= 15.0 + 0.4  # the old client asked again at once; a back-off waits 0.5–1.5 s
    page.wait_for_selector("#presence:not([hidden])")
    assert re.search(r"\b1\b", page.locator("#presence").text_content())  # one member present, not two
    mine, every = _attendance(tmp_path, RESIDENT)
    assert mine == 1 and every == before_every + (1 - before_mine)
    assert not failures


def test_a_busy_server_is_said_and_the_join_comes_through_after_the_wait(serve, tmp_path, phone):
    live_server = serve(SOCKET_RETRY_AFTER_SECONDS=1)
    answers: list[str] = []

    def relay(ws):
        """The server answers the first join "busy, retry after 1 s" (as a saturated process does)."""
        server = ws.connect_to_server()

        def from_page(message):
            found = JOIN.match(message) if isinstance(message, str) else None
            if found and not answers:
                answers.append(found.group(1))
                ws.send(
                    f"43/consultations,{found.group(1)}"
                    '[{"ok":false,"error":{"code":"busy","message":"很多人正同时进入，稍后自动重试…","retry_after":1}}]'
                )
                return
            server.send(message)

        ws.on_message(from_page)
        server.on_message(lambda message: ws.send(message))

    phone.route_web_socket(re.compile(r".*/socket\.io/.*"), relay)
    page, failures = _enter_waiting(phone, live_server)
    status = page.locator("#live-status")
    status.wait_for(state="visible")
    assert "很多人正同时进入" in status.text_content()
    page.wait_for_selector("#room.is-live", timeout=20_000)
    status.wait_for(state="hidden")
    assert re.search(r"\b1\b", page.locator("#presence").text_content())
    assert _attendance(tmp_path, RESIDENT)[0] == 1
    assert not failures


def _enter_waiting(context, live_server):
    """Into the room without waiting for it to be live."""
    page = context.new_page()
    failures = []
    page.on("pageerror", lambda exc: failures.append(str(exc)))
    page.goto(f"{live_server}/account/login")
    page.locator("input[name=phone]").fill(RESIDENT)
    page.locator("input[name=password]").fill("yishi2026")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/(me|c/.*)$"))
    page.goto(f"{live_server}/c/cuizhuyuan/consultations")
    page.get_by_role("link", name="电动车集中充电棚建在哪里").click()
    return page, failures
