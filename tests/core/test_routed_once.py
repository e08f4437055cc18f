"""A Socket.IO event's request context reuses the URL adapter and the match of its connection's environ
(app.Yishi): the same environ comes back at every event of a connection."""

from __future__ import annotations

import gc
import weakref

from flask import request, url_for
from werkzeug.routing import MapAdapter
from werkzeug.test import EnvironBuilder


def test_one_environ_is_bound_and_matched_once_and_each_context_sees_the_same_route(app, monkeypatch):
    binds, matches = [], []
    bind, match = app.url_map.bind_to_environ, MapAdapter.match
    monkeypatch.setattr(app.url_map, "bind_to_environ", lambda *a, **k: binds.append(1) or bind(*a, **k))
    monkeypatch.setattr(MapAdapter, "match", lambda self, *a, **k: matches.append(1) or match(self, *a, **k))
    environ = EnvironBuilder(path="/consultations/7", base_url="http://127.0.0.1/").get_environ()
    seen = []
    for _ in range(3):  # the events of one connection
        with app.request_context(environ):
            seen.append(
                (request.url_rule.endpoint, dict(request.view_args), url_for("consultations.room", consultation_id=8))
            )
            request.view_args["consultation_id"] = 0  # one context's changes do not reach the next
    assert seen == [("consultations.room", {"consultation_id": 7}, "/consultations/8")] * 3
    assert len(binds) == 1 and len(matches) == 1
    # another environ (every HTTP request has its own) is bound and matched afresh
    other = EnvironBuilder(path="/no/such/page", base_url="http://127.0.0.1/").get_environ()
    for _ in range(2):
        with app.request_context(other):
            assert request.url_rule is None and request.routing_exception.code == 404
    assert len(binds) == 2 and len(matches) == 2


def test_pages_and_socket_events_still_route(client, world, socket_client, auth):
    auth.login(world.users["resident"])
    assert client.get("/me").status_code in (200, 302)
    sc = socket_client("/consultations")
    assert sc.is_connected("/consultations")
    for _ in range(2):
        answer = sc.emit("join", {"consultation_id": 999999}, namespace="/consultations", callback=True)
        assert answer["ok"] is False and answer["error"]["code"] == "not_found"


def test_the_kept_routing_error_keeps_nothing_of_the_first_event(app):
    """The environ of a connection lives as long as the connection: the 404 of its path (/socket.io/ is no page)
    kept there must not hold the first event's frames, nor what they loaded (bench/NOTES.md, memory)."""

    class Loaded:
        pass

    environ = EnvironBuilder(path="/socket.io/", base_url="http://127.0.0.1/").get_environ()

    def first_event():
        loaded = Loaded()  # as the connect's user, login and rows are, in the frames below the match
        with app.request_context(environ):
            assert request.routing_exception.code == 404
        return weakref.ref(loaded)

    gone = first_event()
    gc.collect()
    assert gone() is None
    with app.request_context(environ):  # and the next event still sees the same answer
        assert request.url_rule is None and request.routing_exception.code == 404
