"""deploy/nginx/yishi.conf in front of two gunicorn processes: what a phone meets on a real deployment."""

from __future__ import annotations

import re
import threading
import time
import uuid

import pytest
import requests
import socketio

from tests.deploy.conftest import csrf_token, start_deployment
from tests.serving.conftest import CHAIR, NS, OWNER, RESIDENT, STAFF, open_consultation_id, scalar

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

LOGIN_LIMIT = 3


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from start_deployment(
        tmp_path_factory.mktemp("deploy"),
        RATELIMIT_LOGIN=f"{LOGIN_LIMIT} per minute",
        RATELIMIT_SPEAK="1000 per minute",
    )


class Phone:
    """A python-socketio client in /consultations through nginx, from its own address."""

    def __init__(self, site, address: str, http: requests.Session, transport: str = "websocket", reconnect=False):
        self.site = site
        self.messages: list[dict] = []
        self.connects = 0
        self.arrived = threading.Condition()
        extra = {}
        if transport == "websocket":
            # the WebSocket leaves from this phone's address too (a connection made beforehand)
            extra["websocket_extra_options"] = {"socket": site.tls_socket(address)}
        self.sio = socketio.Client(reconnection=reconnect, http_session=http, **extra)
        self.sio.on("message", self._on_message, namespace=NS)
        self.sio.on("connect", self._on_connect, namespace=NS)
        cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
        headers = {"Cookie": cookie}
        if transport != "websocket":
            headers["Origin"] = site.base_url
        self.sio.connect(site.base_url, headers=headers, namespaces=[NS], transports=[transport], wait_timeout=10)

    def _on_connect(self):
        with self.arrived:
            self.connects += 1
            self.arrived.notify_all()

    def _on_message(self, data):
        with self.arrived:
            self.messages.append(data)
            self.arrived.notify_all()

    def call(self, event: str, data: dict, timeout: float = 10) -> dict:
        return self.sio.call(event, data, namespace=NS, timeout=timeout)

    def join_again(self, consultation_id: int, within: float = 30) -> dict:
        """Join once the phone is back: reconnected (after one or more drops) and answering."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.sio.connected:
                try:
                    ack = self.call("join", {"consultation_id": consultation_id}, timeout=3)
                except socketio.exceptions.SocketIOError:
                    pass  # dropped meanwhile: socket.io reconnects
                else:
                    if ack.get("ok"):
                        return ack
            time.sleep(0.2)
        pytest.fail(f"the phone did not get back into the room within {within} s")

    def wait_for(self, client_id: str, timeout: float = 10) -> dict | None:
        def found():
            return next((m for m in self.messages if m.get("client_id") == client_id), None)

        with self.arrived:
            self.arrived.wait_for(lambda: found() is not None, timeout)
            return found()

    def close(self) -> None:
        self.sio.shutdown()


def test_each_phone_is_seen_at_its_own_address(site):
    """The app sees the phone's address, not nginx's: one phone's failed logins do not lock out another."""
    for _ in range(LOGIN_LIMIT):
        assert site.login("127.0.0.2", RESIDENT, password="wrong-password").status_code == 401
    assert site.login("127.0.0.2", RESIDENT, password="wrong-password").status_code == 429
    # another phone, another bucket: it logs in
    assert site.login("127.0.0.3", OWNER).status_code == 302
    # and the first is still refused, on whichever process it comes back to
    assert site.login("127.0.0.2", RESIDENT).status_code == 429


def test_a_qr_poster_carries_the_public_scheme_and_host(site):
    staff = site.logged_in("127.0.0.4", STAFF)
    invite_id = scalar(site.database_url, "select id from invite_codes order by id limit 1")
    poster = staff.get(f"{site.base_url}/c/cuizhuyuan/invites/{invite_id}/poster", timeout=10)
    assert poster.status_code == 200, poster.text
    shown = re.search(r'class="poster-url-text">([^<]+)<', poster.text).group(1)
    assert shown.startswith(f"{site.base_url}/join?"), shown
    # the session cookie is HTTPS-only in production, and nginx passes the scheme on: it works
    assert any(cookie.secure for cookie in staff.cookies)


def test_plain_http_moves_to_https(site):
    response = requests.get(f"http://127.0.0.1:{site.nginx.http_port}/account/login", allow_redirects=False, timeout=5)
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://127.0.0.1")


def test_a_websocket_upgrades_through_nginx_and_a_speech_crosses_processes(site):
    on = site.addresses_on_each_app(first=10)
    (port_a, address_a), (port_b, address_b) = on.items()
    assert port_a != port_b
    consultation_id = open_consultation_id(site.database_url)
    chair = Phone(site, address_a, site.logged_in(address_a, CHAIR))
    owner = Phone(site, address_b, site.logged_in(address_b, OWNER))
    try:
        assert chair.sio.transport() == "websocket" and owner.sio.transport() == "websocket"
        assert chair.call("join", {"consultation_id": consultation_id})["ok"]
        assert owner.call("join", {"consultation_id": consultation_id})["ok"]
        client_id = uuid.uuid4().hex
        ack = chair.call("speak", {"consultation_id": consultation_id, "client_id": client_id, "body": "经 nginx 发言"})
        assert ack["ok"], ack
        received = owner.wait_for(client_id)
        assert received is not None, "the speech did not reach the phone on the other process"
        assert received["id"] == ack["message"]["id"]
    finally:
        chair.close()
        owner.close()
    # nginx logged the upgrade: 101 Switching Protocols, from each address
    access = (site.nginx.directory / "access.log").read_text()
    for address in (address_a, address_b):
        assert re.search(
            rf"^{re.escape(address)} .*GET /socket\.io/\?[^ ]*transport=websocket[^ ]* HTTP/1\.1\" 101 ", access, re.M
        )


def test_phones_of_a_killed_process_are_served_again_by_the_other(site, record_property):
    """A crash (the whole process killed): its phones' pages work at once, their sockets reconnect."""
    on = site.addresses_on_each_app(first=60)
    victim = next(app for app in site.apps if app.port in on)
    address = on[victim.port]
    consultation_id = open_consultation_id(site.database_url)
    http = site.logged_in(address, RESIDENT)
    phone = Phone(site, address, http, transport="polling", reconnect=True)
    try:
        assert phone.call("join", {"consultation_id": consultation_id})["ok"]
        killed = time.monotonic()
        victim.kill()
        # a page, at once: nginx finds the port closed and asks the other process
        page = http.get(f"{site.base_url}/me", timeout=10)
        assert page.status_code == 200
        page_again = time.monotonic() - killed
        # the socket: socket.io's reconnection (about a second), then the room again
        with phone.arrived:
            assert phone.arrived.wait_for(lambda: phone.connects >= 2, 30), "the phone did not reconnect"
        phone.join_again(consultation_id)
        room_again = time.monotonic() - killed
    finally:
        phone.close()
    record_property("page_served_again_s", round(page_again, 2))
    record_property("room_joined_again_s", round(room_again, 2))
    print(f"\nkilled process: pages served again after {page_again:.2f} s, room joined again after {room_again:.2f} s")
    assert page_again < 5
    assert room_again < 15
    victim.wait_ready()  # brought back (Restart=always) for the tests after this one


STREET_STAFF, DISTRICT_STAFF, AGENT, EXPERT = "13800000011", "13800000012", "13800000009", "13800000010"
# The three-socials pipeline's pages and the street's and district's, per demo role (links are followed:
# /dashboard and /workitems send each officer to their own street's or district's page).
PIPELINE_PAGES = {
    RESIDENT: [
        "/c/cuizhuyuan/needs",
        "/c/cuizhuyuan/needs/new",
        "/c/cuizhuyuan/guidance",
        "/c/cuizhuyuan/surveys",
        "/c/cuizhuyuan/satisfaction",
        "/c/cuizhuyuan/procurement",
        "/orgs",
        "/workitems",
    ],
    STAFF: [
        "/c/cuizhuyuan/guidance/new",
        "/c/cuizhuyuan/procurement/new",
        "/c/cuizhuyuan/surveys/new",
        "/c/cuizhuyuan/satisfaction/new",
        "/dashboard",
    ],
    AGENT: ["/orgs", "/orgs/new", "/c/cuizhuyuan/procurement"],
    EXPERT: ["/screening"],
    STREET_STAFF: ["/overview/needs", "/experts", "/dashboard", "/workitems"],
    DISTRICT_STAFF: ["/dashboard", "/workitems", "/satisfaction/assessment", "/experts"],
}


def test_the_pipeline_pages_are_served_through_nginx_by_either_process(site):
    """Each page, asked from a phone on each process, is whole (200, its stylesheets served by nginx)."""
    styles = set()
    for i, (phone, paths) in enumerate(PIPELINE_PAGES.items()):
        for port, address in site.addresses_on_each_app(first=100 + 10 * i).items():
            http = site.logged_in(address, phone)
            for path in paths:
                page = http.get(f"{site.base_url}{path}", timeout=10)
                assert page.status_code == 200, (phone, path, port, page.status_code)
                assert "<main" in page.text, (phone, path)
                styles.update(re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.text))
    assert styles
    http = site.logged_in("127.0.0.90", RESIDENT)
    for href in sorted(styles):
        assert http.get(f"{site.base_url}{href}", timeout=10).status_code == 200, href


def test_a_form_from_one_process_is_accepted_by_the_other(site):
    """A resident opens the need form on one process and sends it to the other: stored once, shown."""
    (_port_a, address_a), (_port_b, address_b) = site.addresses_on_each_app(first=80).items()
    http = site.logged_in(address_a, RESIDENT)
    form = http.get(f"{site.base_url}/c/cuizhuyuan/needs/new", timeout=10)
    assert form.status_code == 200
    client_id = re.search(r'name="client_id"[^>]*value="([^"]+)"', form.text).group(1)
    other = site.http(address_b)
    other.cookies.update(http.cookies)
    data = {
        "csrf_token": csrf_token(form.text),
        "client_id": client_id,
        "title": "经 nginx 提出的需求",
        "description": "从一个进程打开表单，由另一个进程收下。",
        "affected": "elderly",
        "building_id": "",
        "place": "",
    }
    headers = {"Origin": site.base_url, "Referer": f"{site.base_url}/c/cuizhuyuan/needs/new"}
    sent = other.post(f"{site.base_url}/c/cuizhuyuan/needs/new", data=data, headers=headers, timeout=10)
    again = other.post(f"{site.base_url}/c/cuizhuyuan/needs/new", data=data, headers=headers, timeout=10)
    assert sent.status_code == 200 and again.status_code == 200, sent.text[:500]
    assert "经 nginx 提出的需求" in sent.text
    stored = scalar(site.database_url, "select count(*) from needs where title = '经 nginx 提出的需求'")
    assert stored == 1
