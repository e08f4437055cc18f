"""The /notifications namespace: who may connect, what arrives, and when a socket is closed."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

import pytest
from flask import g
from sqlalchemy import func, select

from app.communities import access
from app.communities import services as communities
from app.communities.models import Membership, MembershipStatus
from app.core.errors import Conflict
from app.core.realtime import emit_after_commit, user_room
from app.core.web import perform
from app.extensions import db, socketio
from app.notifications.models import Notification
from app.notifications.services import notify
from tests.conftest import Auth

NS = "/notifications"
ALLOWED_ORIGIN = "http://localhost"  # TestingConfig.SOCKETIO_ALLOWED_ORIGINS
POLLING = "/socket.io/?EIO=4&transport=polling"


@pytest.fixture(autouse=True)
def _fresh_g_per_request(app):
    """Forget the cached user and locale after every request and socket event.

    The `app` fixture keeps one app context pushed for the whole test, and Flask reuses it for
    every request (and Flask-SocketIO for every event) of that app, so they all share `g`:
    Flask-Login caches the current user there (g._login_user) and Flask-Babel the locale
    (g._flask_babel). Without this, the second client of a test is taken for the first one.
    """

    @app.teardown_request
    def _forget(exc):
        g.pop("_login_user", None)
        g.pop("_flask_babel", None)


def _login(client, user) -> None:
    response = Auth(client).login(user)
    assert response.status_code == 302, response.status_code


def _connect(socket_client, client, user, **kwargs):
    """Log `user` in on the HTTP `client` and open a /notifications socket with its cookie."""
    _login(client, user)
    sc = socket_client(NS, flask_client=client, **kwargs)
    assert sc.is_connected(NS)
    return sc


def _events(sc, name: str = "notification") -> list:
    return [packet["args"][0] for packet in sc.get_received(NS) if packet["name"] == name]


# -- who may connect -----------------------------------------------------------------------------


def test_anonymous_connection_is_refused(socket_client):
    sc = socket_client(NS)
    assert not sc.is_connected(NS)


def test_logged_in_connection_is_accepted_into_own_room(app, client, world, socket_client):
    user = world.users["resident"]
    _connect(socket_client, client, user)
    rooms = socketio.server.manager.rooms[NS]
    assert user_room(user.id) in rooms
    assert len(rooms[user_room(user.id)]) == 1


def test_connection_is_refused_once_the_session_has_logged_out(client, auth, world, socket_client):
    _login(client, world.users["resident"])
    auth.logout()
    assert not socket_client(NS).is_connected(NS)


# -- the Origin check ----------------------------------------------------------------------------
#
# Flask-SocketIO's SocketIOTestClient calls the Socket.IO server's connect handler directly and
# never goes through engineio.Server.handle_request, which is where cors_allowed_origins is
# enforced; a test client with a foreign Origin header would be let in. So these tests speak the
# real Engine.IO polling protocol through the WSGI middleware (the Flask test client reaches it,
# since Flask-SocketIO wraps app.wsgi_app) and see what a browser would see.


@pytest.fixture
def eio(app):
    """The Engine.IO server, handling messages inline; its background task is stopped afterwards."""
    server = socketio.server.eio
    server.async_handlers = False  # no handler threads: the polling exchange stays deterministic
    yield server
    for sock in list(server.sockets.values()):
        sock.close(wait=False, abort=True)  # nobody polls any more: don't wait for the queue to drain
    server.sockets.clear()
    for _ in range(100):  # the service task sets its event only once its thread has started
        if server.service_task_handle is None or server.service_task_event is not None:
            break
        time.sleep(0.01)
    if server.service_task_handle is not None:
        server.shutdown()


def _handshake(client, origin: str | None):
    headers = {"Origin": origin} if origin else {}
    return client.get(POLLING, headers=headers)


def _polling_connect(client, namespace: str = NS, origin: str = ALLOWED_ORIGIN) -> str:
    """Open an Engine.IO session, ask for the namespace, return the server's answer packet."""
    opened = _handshake(client, origin)
    assert opened.status_code == 200, opened.data
    assert opened.data.startswith(b"0")
    sid = json.loads(opened.data[1:])["sid"]
    headers = {"Origin": origin}
    posted = client.post(f"{POLLING}&sid={sid}", data=f"40{namespace},", headers=headers)
    assert posted.status_code == 200, posted.data
    answer = client.get(f"{POLLING}&sid={sid}", headers=headers)
    assert answer.status_code == 200, answer.data
    return answer.get_data(as_text=True)


def test_foreign_origin_is_refused_at_the_handshake(client, eio):
    response = _handshake(client, "http://evil.example")
    assert response.status_code == 400
    assert b"Not an accepted origin" in response.data
    assert eio.sockets == {}


def test_foreign_origin_is_refused_even_with_a_logged_in_session(client, world, eio):
    _login(client, world.users["resident"])
    for origin in ("http://evil.example", "http://localhost:5000", "https://localhost", "null"):
        response = _handshake(client, origin)
        assert response.status_code == 400, origin
    assert eio.sockets == {}


def test_allowed_origin_is_accepted(client, world, eio):
    _login(client, world.users["resident"])
    response = _handshake(client, ALLOWED_ORIGIN)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert "*" not in socketio.server.eio.cors_allowed_origins


def test_polling_client_with_session_and_allowed_origin_joins_the_namespace(client, world, eio):
    _login(client, world.users["resident"])
    answer = _polling_connect(client)
    assert answer.startswith(f"40{NS},"), answer
    assert '"sid"' in answer


def test_polling_client_without_session_gets_a_connect_error(client, eio):
    answer = _polling_connect(client)
    assert answer.startswith(f"44{NS},"), answer


def test_connect_error_carries_the_stable_code(client, eio):
    answer = _polling_connect(client)
    assert answer.startswith(f"44{NS},")
    assert "not_authenticated" in answer


def test_socketio_test_client_with_allowed_origin_is_accepted(client, world, socket_client):
    _connect(socket_client, client, world.users["resident"], headers={"Origin": ALLOWED_ORIGIN})


# -- notifications arrive after the commit, to their recipient only -------------------------------


def test_committed_notification_reaches_only_its_recipient(app, client, world, socket_client):
    resident, owner = world.users["resident"], world.users["owner"]
    mine = _connect(socket_client, client, resident)
    theirs = _connect(socket_client, app.test_client(), owner)
    mine.get_received(NS), theirs.get_received(NS)

    item = notify(resident, "test", "会议改到周五", url="/c/cuizhuyuan/")
    assert _events(mine) == []  # nothing leaves before the commit
    db.session.commit()

    received = _events(mine)
    assert len(received) == 1
    event = received[0]
    assert event == {
        "id": item.id,
        "kind": "test",
        "text": "会议改到周五",
        "url": "/c/cuizhuyuan/",
        "created_at": event["created_at"],
    }
    sent_at = datetime.fromisoformat(event["created_at"])
    assert sent_at.utcoffset() == timedelta(0)  # an aware UTC time, whatever the database returns
    stored = db.session.get(Notification, item.id)
    assert stored.user_id == resident.id
    assert sent_at.replace(tzinfo=None) == stored.created_at.replace(tzinfo=None)
    assert _events(theirs) == []


def test_notification_reaches_every_socket_of_the_recipient(app, client, world, socket_client):
    resident = world.users["resident"]
    phone = _connect(socket_client, client, resident)
    laptop_client = app.test_client()
    laptop = _connect(socket_client, laptop_client, resident)

    notify(resident, "test", "两处都收到")
    db.session.commit()

    assert [e["text"] for e in _events(phone)] == ["两处都收到"]
    assert [e["text"] for e in _events(laptop)] == ["两处都收到"]


def test_rolled_back_transaction_emits_nothing(client, world, socket_client):
    resident = world.users["resident"]
    sc = _connect(socket_client, client, resident)
    sc.get_received(NS)

    db.session.add(Notification(user_id=resident.id, kind="test", text="never", url=""))
    db.session.flush()
    emit_after_commit("notification", {"text": "never"}, namespace=NS, to=user_room(resident.id))
    db.session.rollback()
    assert _events(sc) == []

    # The next, unrelated commit must not carry the dropped event out either.
    notify(resident, "test", "after")
    db.session.commit()
    assert [e["text"] for e in _events(sc)] == ["after"]


def test_emit_queued_before_any_sql_is_dropped_by_rollback(client, world, socket_client):
    resident = world.users["resident"]
    sc = _connect(socket_client, client, resident)
    sc.get_received(NS)
    room = user_room(resident.id)  # read now: after the commit it would be reloaded, with SQL
    db.session.commit()  # start from a session with no transaction in progress
    assert not db.session().in_transaction()

    emit_after_commit("notification", {"text": "never"}, namespace=NS, to=room)
    db.session.rollback()
    db.session.commit()

    assert _events(sc) == []


def test_emit_is_held_until_commit(client, world, socket_client):
    resident = world.users["resident"]
    sc = _connect(socket_client, client, resident)
    sc.get_received(NS)

    db.session.add(Notification(user_id=resident.id, kind="test", text="held", url=""))
    db.session.flush()
    emit_after_commit("notification", {"text": "held"}, namespace=NS, to=user_room(resident.id))
    assert _events(sc) == []
    db.session.commit()
    assert [e["text"] for e in _events(sc)] == ["held"]


def test_a_use_case_that_fails_after_notifying_stores_and_sends_nothing(app, client, world, socket_client):
    """Verifying a member notifies them (a signal, inside the transaction); when the use case is refused
    after that, the edge rolls back: no verification, no notification row, nothing on the socket."""
    pending = world.users["pending_a"]
    membership = world.memberships["pending_a"]
    sc = _connect(socket_client, client, pending)
    sc.get_received(NS)
    viewer = access.viewer(world.users["staff"], world.community)
    before = db.session.scalar(select(func.count()).select_from(Notification))

    def verify_then_refuse():
        communities.verify(viewer, membership)
        assert db.session.scalar(select(func.count()).select_from(Notification)) == before + 1  # written...
        raise Conflict("refused", "refused after the notice was written")

    with app.test_request_context():
        outcome = perform(verify_then_refuse)

    assert outcome.status == 409
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == before  # ...and rolled back
    assert db.session.get(Membership, membership.id).status == MembershipStatus.PENDING
    db.session.commit()  # a later, unrelated commit carries nothing of it out either
    assert _events(sc) == []

    # the same use case, not refused: stored once and pushed once, after the edge's commit
    with app.test_request_context():
        assert perform(lambda: communities.verify(viewer, membership)).ok
    assert [e["kind"] for e in _events(sc)] == ["membership_verified"]
    assert db.session.scalar(select(func.count()).select_from(Notification)) == before + 1


# -- HTTP actions reach live sockets --------------------------------------------------------------


def test_verifying_a_member_over_http_notifies_their_socket(app, client, world, socket_client):
    pending = world.users["pending_a"]
    membership_id = world.memberships["pending_a"].id
    sc = _connect(socket_client, client, pending)
    bystander = _connect(socket_client, app.test_client(), world.users["resident"])
    sc.get_received(NS), bystander.get_received(NS)

    staff_client = app.test_client()
    _login(staff_client, world.users["staff"])
    response = staff_client.post(f"/c/cuizhuyuan/members/{membership_id}/verify")
    assert response.status_code == 302, response.status_code

    received = _events(sc)
    assert len(received) == 1
    event = received[0]
    assert set(event) == {"id", "kind", "text", "url", "created_at"}
    assert event["kind"] == "membership_verified"
    assert world.community.name in event["text"]
    assert event["url"].endswith("/c/cuizhuyuan/")
    stored = db.session.get(Notification, event["id"])
    assert stored is not None and stored.user_id == pending.id
    assert _events(bystander) == []


def test_logout_disconnects_the_users_live_socket(app, client, auth, world, socket_client):
    sc = _connect(socket_client, client, world.users["resident"])
    other = _connect(socket_client, app.test_client(), world.users["owner"])

    response = auth.logout()

    assert response.status_code == 302
    assert not sc.is_connected(NS)
    assert other.is_connected(NS)
    rooms = socketio.server.manager.rooms.get(NS, {})
    assert user_room(world.users["resident"].id) not in rooms
    assert user_room(world.users["owner"].id) in rooms
