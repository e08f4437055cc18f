"""Every route and socket event of the slow mode, per role: allowed and denied (a refusal to see is a 404).

The consultation is for 1栋 (building A) with the residents' committee and the residents as parties: residents of
1栋 and staff take part; 2栋's residents (its leader, the resident representative, the owners' committee member)
read along; the property manager is not a party; other communities and outsiders do not see it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.consultations.models import Motion
from app.extensions import db, socketio
from app.slow import services
from app.slow.models import Position, Reply, ReplyReaction
from tests.consultations.conftest import logged_in
from tests.slow.conftest import NOT_SEE, SEE, http, in_beijing, put_proposal, viewer_of

TAKE_PART = {"resident", "owner", "leader_a", "group_leader", "staff"}  # 1栋's residents, staff, the chair
VOTE = TAKE_PART - {"leader_a"}  # the chair is neutral under 线上协商规则


@pytest.fixture
def a_slow(world, slow):
    return slow(building=world.building_a)


def _rows(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


@pytest.mark.parametrize("key", [*SEE, *NOT_SEE, None])
def test_the_page(app, world, a_slow, key):
    response = http(app, world, key).get(f"/consultations/{a_slow.id}/slow")
    expected = 302 if key is None else (200 if key in SEE else 404)
    assert response.status_code == expected
    if expected == 200:
        page = response.get_data(as_text=True)
        assert "Write a reply" in page or "can read along" in page or "Only verified" in page


@pytest.mark.parametrize("key", [*SEE, *NOT_SEE, None])
def test_replying(app, world, a_slow, key):
    response = http(app, world, key).post(
        f"/consultations/{a_slow.id}/slow/replies",
        data={"client_id": f"c-{key}", "body": "车棚建在哪里？", "stance": "question"},
    )
    stored = _rows(Reply, consultation_id=a_slow.id)
    if key in TAKE_PART:
        assert response.status_code == 302 and stored == 1
    else:
        assert response.status_code == {None: 302}.get(key, 404 if key in NOT_SEE else 403)
        assert stored == 0


def _reply(world, consultation, by="owner", **kw):
    from app.slow import services
    from tests.slow.conftest import viewer_of

    reply = services.post(
        viewer_of(world.users[by], consultation), consultation, client_id=f"r-{by}-{kw}", body="我赞成建在2栋旁", **kw
    )
    db.session.commit()
    return reply


@pytest.mark.parametrize("key", [*SEE, *NOT_SEE])
def test_reacting(app, world, a_slow, key):
    reply = _reply(world, a_slow)
    response = http(app, world, key).post(f"/slow/replies/{reply.id}/react", data={"kind": "agree"})
    stored = _rows(ReplyReaction, reply_id=reply.id)
    if key in TAKE_PART - {"owner"}:
        assert response.status_code == 303 and stored == 1
    else:  # the author on their own reply; those who read along; those who do not see it
        assert response.status_code == (404 if key in NOT_SEE else 403) and stored == 0


@pytest.mark.parametrize("key", [*SEE, *NOT_SEE])
def test_editing(app, world, a_slow, key):
    reply = _reply(world, a_slow, by="resident") if key != "owner" else _reply(world, a_slow, by="owner")
    author = "owner" if key == "owner" else "resident"
    response = http(app, world, key).post(f"/slow/replies/{reply.id}/edit", data={"body": "改过的话"})
    db.session.refresh(reply)
    if key == author or key == "resident":
        assert response.status_code == 303 and reply.edited_at is not None and reply.body == "改过的话"
    else:
        assert response.status_code == (404 if key in NOT_SEE else 403) and reply.edited_at is None


@pytest.mark.parametrize("key", [*SEE, *NOT_SEE])
def test_reporting(app, world, a_slow, key):
    reply = _reply(world, a_slow, by="resident")
    response = http(app, world, key).post(f"/slow/replies/{reply.id}/report", data={"reason": "人身攻击"})
    verified = key in SEE and key not in ("pending_a", "street_staff", "district_staff")
    if key in NOT_SEE:
        assert response.status_code == 404
    else:
        assert response.status_code == (303 if verified else 403)


@pytest.mark.parametrize("key", [*SEE, *NOT_SEE])
def test_hiding(app, world, a_slow, key):
    reply = _reply(world, a_slow, by="resident")
    response = http(app, world, key).post(f"/slow/replies/{reply.id}/hide", data={"reason": "跑题"})
    db.session.refresh(reply)
    if key in ("leader_a", "staff"):  # the chair and staff moderate
        assert response.status_code == 303 and reply.is_hidden
    else:
        assert response.status_code == (404 if key in NOT_SEE else 403) and not reply.is_hidden


@pytest.mark.parametrize("key", [*SEE, *NOT_SEE])
def test_muting_and_locking(app, world, a_slow, key):
    client = http(app, world, key)
    mute = client.post(
        f"/consultations/{a_slow.id}/slow/mute",
        data={"user_id": world.users["owner"].id, "minutes": 60, "reason": "刷屏"},
    )
    lock = client.post(f"/consultations/{a_slow.id}/slow/lock", data={"reason": "冷静一下"})
    db.session.refresh(a_slow)
    if key in ("leader_a", "staff"):
        assert mute.status_code == 303 and lock.status_code == 303 and a_slow.locked
    else:
        assert mute.status_code == lock.status_code == (404 if key in NOT_SEE else 403)
        assert not a_slow.locked


@pytest.mark.parametrize("key", [*SEE, *NOT_SEE])
def test_putting_a_proposal(app, world, a_slow, key):
    response = http(app, world, key).post(
        f"/consultations/{a_slow.id}/slow/proposal",
        data={"client_id": f"p-{key}", "text": "车棚建在2栋东侧", "closes_at": in_beijing(days=2)},
    )
    stored = _rows(Motion, consultation_id=a_slow.id)
    if key in TAKE_PART:  # the parties, and the chair who manages it
        assert response.status_code == 302 and stored == 1
    else:
        assert response.status_code == (404 if key in NOT_SEE else 403) and stored == 0


@pytest.mark.parametrize("key", [*SEE, *NOT_SEE])
def test_stating_a_position(app, world, a_slow, key):
    motion = put_proposal(world, a_slow)
    response = http(app, world, key).post(
        f"/consultations/{a_slow.id}/slow/position", data={"choice": "for", "reason": "离我家近"}
    )
    stored = _rows(Position, motion_id=motion.id)
    if key in VOTE:
        assert response.status_code == 302 and stored == 1
    else:
        assert response.status_code == (404 if key in NOT_SEE else 403 if key != "leader_a" else 422) and stored == 0


@pytest.mark.parametrize("key", [*SEE, *NOT_SEE])
def test_switching_between_slow_and_live(app, world, a_slow, key):
    response = http(app, world, key).post(f"/consultations/{a_slow.id}/slow/mode", data={"mode": "formal"})
    db.session.refresh(a_slow.rule_set)
    if key in ("leader_a", "staff"):
        assert response.status_code == 302 and a_slow.rule_set.mode == "formal"
    else:
        assert response.status_code == (404 if key in NOT_SEE else 403) and a_slow.rule_set.mode == "slow"


@pytest.mark.parametrize("key", [*SEE, *NOT_SEE])
def test_joining_the_room(app, world, a_slow, key):
    client = socketio.test_client(app, namespace="/slow", flask_test_client=logged_in(app, world.users[key]))
    try:
        answer = client.emit("join", {"consultation_id": a_slow.id}, namespace="/slow", callback=True)
        if key in SEE:
            assert answer["ok"] and answer["mode"] == "slow"
        else:
            assert answer == {"ok": False, "error": {"code": "not_found", "message": answer["error"]["message"]}}
        left = client.emit("leave", {"consultation_id": a_slow.id}, namespace="/slow", callback=True)
        assert left["ok"] == (key in SEE)
    finally:
        client.disconnect(namespace="/slow")


def test_anonymous_sockets_are_refused(app, world, a_slow):
    client = socketio.test_client(app, namespace="/slow", flask_test_client=logged_in(app, None))
    assert not client.is_connected("/slow")


@pytest.mark.parametrize("key", [*SEE, *NOT_SEE])
def test_restoring(app, world, a_slow, key):
    reply = _reply(world, a_slow, by="resident")
    services.hide(viewer_of(world.users["staff"], a_slow), reply, "跑题")
    db.session.commit()
    client = http(app, world, key)
    form = f'action="/slow/replies/{reply.id}/restore"'
    shown = client.get(f"/consultations/{a_slow.id}/slow")
    response = client.post(f"/slow/replies/{reply.id}/restore")
    db.session.refresh(reply)
    if key in ("leader_a", "staff"):  # the chair and staff moderate
        assert form in shown.get_data(as_text=True)
        assert response.status_code == 303 and not reply.is_hidden
    else:
        assert response.status_code == (404 if key in NOT_SEE else 403) and reply.is_hidden
