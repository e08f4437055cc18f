"""Who is told what: the officer of the district's decision, the district's staff of an urgent request and of
an objection, the reporting staff member of the answer. A refused use case tells nobody."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.errors import DomainError
from app.extensions import db
from app.notifications.models import Notification
from app.workitems import services
from tests.workitems import logged_in, make_objection, make_request, stance_of, urgent_request


def notes(user, kind) -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(Notification).where(Notification.user_id == user.id, Notification.kind == kind))
    )


def test_urgent_request_tells_the_district_staff_and_the_decision_the_officer(app, world):
    before = len(notes(world.users["district_staff"], "workitem_urgent"))
    plain = make_request(world)
    assert len(notes(world.users["district_staff"], "workitem_urgent")) == before
    request = urgent_request(world, title="防汛摸排（通知）")
    told = notes(world.users["district_staff"], "workitem_urgent")
    assert len(told) == before + 1 and "防汛摸排（通知）" in told[-1].text
    assert not notes(world.users["other_district_staff"], "workitem_urgent")

    before = len(notes(world.users["officer"], "workitem_decided"))
    http = logged_in(app, world.users["district_staff"])
    http.post(f"/workitems/requests/{request.id}/decide", data={"decision": "refuse", "reason": "不属于社区职责。"})
    told = notes(world.users["officer"], "workitem_decided")
    assert len(told) == before + 1 and "不属于社区职责。" in told[-1].text
    assert told[-1].url == f"/workitems/requests/{request.id}"
    with pytest.raises(DomainError):  # not urgent, no round: refused, nobody told
        services.decide(stance_of(world, "district_staff"), plain, "admit", "")
    db.session.rollback()
    assert len(notes(world.users["officer"], "workitem_decided")) == before + 1


def test_objection_tells_the_district_staff_and_the_answer_the_reporter(app, world):
    before = len(notes(world.users["district_staff"], "workitem_objection"))
    objection = make_objection(world)
    assert len(notes(world.users["district_staff"], "workitem_objection")) == before + 1
    assert not notes(world.users["street_staff"], "workitem_objection")
    before = len(notes(world.users["staff"], "workitem_answered"))
    http = logged_in(app, world.users["district_staff"])
    http.post(f"/workitems/objections/{objection.id}/answer", data={"answer": ""})  # refused: nobody told
    assert len(notes(world.users["staff"], "workitem_answered")) == before
    http.post(f"/workitems/objections/{objection.id}/answer", data={"answer": "已通知该部门。"})
    told = notes(world.users["staff"], "workitem_answered")
    assert len(told) == before + 1 and told[-1].community_id == world.community.id
