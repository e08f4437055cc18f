"""The objections kernel itself: one objection per client_id, the owner's 公示 window, the body's limits; and a
poll's objections (an owners' decision's published result) seen, reported and hidden through the poll's feature's
own rule (the "poll" owner kind registered by app/flows/objections.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.errors import DomainError
from app.decisions import services as decisions
from app.extensions import db
from app.objections import services as objections
from app.objections.models import Objection
from tests.contests import viewer
from tests.decisions.conftest import owners  # noqa: F401
from tests.decisions.test_routes import _published
from tests.meetings.conftest import login


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Objection))


def raise_one(world, *, client_id="c-1", body="计票有误，请复核。", window_open=True):
    return objections.object_to(
        "meeting",
        1,
        community_id=world.community.id,
        author_id=world.users["resident"].id,
        client_id=client_id,
        body=body,
        window_open=window_open,
    )


def test_the_same_client_id_records_one_objection(world):
    first = raise_one(world)
    db.session.commit()
    again = raise_one(world)
    assert again.id == first.id and stored() == 1
    other = raise_one(world, client_id="c-2")
    assert other.id != first.id and [o.id for o in objections.of("meeting", 1)] == [first.id, other.id]
    assert objections.of("poll", 1) == []


def test_outside_the_window_nothing_is_taken(world):
    with pytest.raises(DomainError) as refused:
        raise_one(world, window_open=False)
    assert refused.value.code == "wrong_phase" and refused.value.status_code == 409
    assert stored() == 0


@pytest.mark.parametrize("body", ["短", "长" * 2001, "a\x00bcdef", None])
def test_a_body_out_of_bounds_is_refused_on_its_field(world, body):
    with pytest.raises(DomainError) as refused:
        raise_one(world, body=body)
    assert refused.value.field == "body" and stored() == 0


def test_an_answer_is_kept_beside_it_and_get_finds_it_only_under_its_owner(world):
    found = raise_one(world)
    objections.answer(found, world.users["staff"].id, "已核对。")
    assert found.answer == "已核对。" and found.answered_by_id == world.users["staff"].id
    with pytest.raises(DomainError):
        objections.answer(found, world.users["staff"].id, "好")
    assert objections.get("meeting", 1, found.id) is found
    for kind, owner, objection_id in (("poll", 1, found.id), ("meeting", 2, found.id), ("meeting", 1, "1")):
        with pytest.raises(DomainError) as missing:
            objections.get(kind, owner, objection_id)
        assert missing.value.status_code == 404


def test_a_decisions_objection_is_moderated_through_the_decisions_own_rule(app, owners, client):  # noqa: F811
    decision = _published(owners)
    found = decisions.object_to(
        viewer(owners.users["owner"], decision), decision, client_id="o-1", body="请复核2栋的计票，辱骂内容。"
    )
    db.session.commit()
    assert (found.owner_kind, found.community_id) == ("poll", decision.community_id)
    login(client, owners.users["resident"])
    response = client.post(f"/objections/{found.id}/report", data={"reason": "辱骂"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/decisions/{decision.id}#objection-{found.id}")
    login(client, owners.users["other_resident"])
    assert client.post(f"/objections/{found.id}/report", data={"reason": "辱骂"}).status_code == 404
    login(client, owners.users["owner"])
    assert client.post(f"/objections/{found.id}/hide", data={"reason": "辱骂"}).status_code == 403
    login(client, owners.users["staff"])
    assert client.post(f"/objections/{found.id}/hide", data={"reason": "含有辱骂内容"}).status_code == 303
    for url in (f"/decisions/{decision.id}", f"/decisions/{decision.id}/notice"):
        page = client.get(url).get_data(as_text=True)
        assert "含有辱骂内容" in page and "请复核2栋的计票，辱骂内容。" not in page
