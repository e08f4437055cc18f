"""A slow consultation from first reply to the recorded result: threads one level deep, edits shown, reactions
once per person, the limits of the rules, moderation as in the live room, a proposal with a closing time,
positions changed until the close, the close into the verifiable poll, the switch to a live meeting and back,
the home page's item, the reminder, and bad input refused with a message and nothing stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.consultations import services as consultations
from app.consultations.models import Motion, MotionState, Speech
from app.core.errors import DomainError
from app.core.models import utcnow
from app.extensions import db, socketio
from app.home.needs import needs_of
from app.notifications import schedule
from app.notifications.models import Notification
from app.slow import notices, services
from app.slow.models import Position, Reply
from app.voting import services as voting
from tests.consultations.conftest import logged_in
from tests.slow.conftest import http, in_beijing, put_proposal, viewer_of


def _as(world, key, consultation):
    return viewer_of(world.users[key], consultation)


def _post(world, consultation, key="resident", body="我觉得可以", n=0, **kw):
    reply = services.post(_as(world, key, consultation), consultation, client_id=f"{key}-{n}", body=body, **kw)
    db.session.commit()
    return reply


def _count(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def test_replies_thread_one_level_and_a_retry_stores_once(world, slow):
    c = slow()
    top = _post(world, c, stance="for")
    answer = _post(world, c, "owner", n=1, parent_id=top.id, stance="question")
    deeper = _post(world, c, "staff", n=2, parent_id=answer.id)
    assert answer.parent_id == top.id and deeper.parent_id == top.id  # an answer to an answer joins the thread
    again = _post(world, c, "owner", n=1, parent_id=top.id)
    assert again.id == answer.id and _count(Reply, consultation_id=c.id) == 3
    page = services.threads(_as(world, "resident", c), c)
    assert [(r.id, [a.id for a in answers], n) for r, answers, n in page.threads] == [
        (top.id, [answer.id, deeper.id], 2)
    ]


def test_the_slow_limits_are_enforced(world, slow):
    c = slow(max_replies_per_day=2, slow_mode_seconds=60, max_reply_chars=20)
    viewer = _as(world, "resident", c)
    now = utcnow()
    with pytest.raises(DomainError) as long:
        services.post(viewer, c, client_id="x", body="长" * 21, now=now)
    assert long.value.code == "rule_reply_too_long" and "20" in str(long.value.message)
    db.session.rollback()
    services.post(viewer, c, client_id="a", body="一", now=now)
    with pytest.raises(DomainError) as soon:
        services.post(viewer, c, client_id="b", body="二", now=now + timedelta(seconds=30))
    assert soon.value.code == "rule_slow_mode"
    db.session.rollback()
    services.post(viewer, c, client_id="a", body="一", now=now)
    services.post(viewer, c, client_id="b", body="二", now=now + timedelta(seconds=61))
    with pytest.raises(DomainError) as day:
        services.post(viewer, c, client_id="c", body="三", now=now + timedelta(seconds=200))
    assert day.value.code == "rule_reply_day_limit"
    db.session.rollback()
    # the chair is held to neither count
    chair = _as(world, "leader_a", c)
    for n in range(4):
        services.post(chair, c, client_id=f"chair-{n}", body="提醒", now=now + timedelta(seconds=n))


def test_over_http_a_refusal_says_why_and_stores_nothing(app, world, slow):
    c = slow(max_reply_chars=5)
    client = http(app, world, "resident")
    response = client.post(f"/consultations/{c.id}/slow/replies", data={"client_id": "x", "body": "这句话太长了吧"})
    assert response.status_code == 422 and "at most 5 characters" in response.get_data(as_text=True)
    nul = client.post(f"/consultations/{c.id}/slow/replies", data={"client_id": "y", "body": "坏\x00字"})
    assert nul.status_code == 400
    big = client.post(f"/consultations/{c.id}/slow/replies", data={"client_id": "z", "body": "好", "parent_id": 2**40})
    assert big.status_code == 400
    stance = client.post(
        f"/consultations/{c.id}/slow/replies", data={"client_id": "w", "body": "好", "stance": "maybe"}
    )
    assert stance.status_code == 400
    assert _count(Reply, consultation_id=c.id) == 0
    assert client.get(f"/consultations/{c.id}/slow?before=99999999999999&thread=-3&reasons=x").status_code == 200


def test_an_edit_is_shown_as_edited(app, world, slow):
    c = slow()
    reply = _post(world, c, body="原来的话")
    client = http(app, world, "resident")
    assert client.post(f"/slow/replies/{reply.id}/edit", data={"body": "改过的话"}).status_code == 303
    page = client.get(f"/consultations/{c.id}/slow").get_data(as_text=True)
    assert "改过的话" in page and "(edited)" in page and "原来的话" not in page


def test_reactions_once_per_person_and_taken_back(world, slow):
    c = slow()
    reply = _post(world, c)
    owner = _as(world, "owner", c)
    services.react(owner, reply, "agree")
    services.react(owner, reply, "agree")  # the same again takes it back
    assert (reply.agree_count, reply.useful_count) == (0, 0)
    services.react(owner, reply, "agree")
    services.react(owner, reply, "useful")  # the other replaces it
    services.react(_as(world, "staff", c), reply, "useful")
    db.session.commit()
    assert (reply.agree_count, reply.useful_count) == (0, 2)
    with pytest.raises(DomainError) as own:
        services.react(_as(world, "resident", c), reply, "agree")
    assert own.value.code == "own_reply"
    with pytest.raises(DomainError):
        services.react(owner, reply, "love")


def test_reports_hide_a_reply_and_moderation_holds(app, world, slow):
    c = slow(auto_hide_reports=2)
    reply = _post(world, c, body="骂人的话")
    for key in ("owner", "staff"):
        services.report(_as(world, key, c), reply, "人身攻击")
    db.session.commit()
    assert reply.is_hidden
    page = http(app, world, "resident").get(f"/consultations/{c.id}/slow").get_data(as_text=True)
    assert "骂人的话" not in page and "Hidden" in page
    # a mute in the room holds for replies; a lock lets only the chair write
    consultations.mute(_as(world, "staff", c), c, world.users["owner"].id, 60, "刷屏")
    db.session.commit()
    with pytest.raises(DomainError) as muted:
        services.post(_as(world, "owner", c), c, client_id="m", body="还能说吗")
    assert muted.value.code == "muted"
    db.session.rollback()
    consultations.set_locked(_as(world, "leader_a", c), c, True, "冷静一下")
    db.session.commit()
    with pytest.raises(DomainError) as locked:
        services.post(_as(world, "group_leader", c), c, client_id="l", body="锁了吗")
    assert locked.value.code == "locked"
    db.session.rollback()
    _post(world, c, "leader_a", body="主持人提醒")


def test_a_proposal_closing_in_the_past_is_refused(app, world, slow):
    c = slow()
    client = http(app, world, "resident")
    for closes in (in_beijing(hours=-1), in_beijing(minutes=10), in_beijing(days=40), "明天"):
        response = client.post(
            f"/consultations/{c.id}/slow/proposal", data={"client_id": closes, "text": "建车棚", "closes_at": closes}
        )
        assert response.status_code in (400, 422)
    page = client.post(
        f"/consultations/{c.id}/slow/proposal",
        data={"client_id": "past", "text": "建车棚", "closes_at": in_beijing(hours=-1)},
    ).get_data(as_text=True)
    assert "The closing time is in the past" in page
    assert _count(Motion, consultation_id=c.id) == 0


def test_positions_change_until_the_close_and_are_counted_in_the_verifiable_poll(app, world, slow):
    c = slow()
    motion = put_proposal(world, c, hours=2)
    assert motion.state == MotionState.DEBATE and motion.seconder_id is None
    with pytest.raises(DomainError):  # one pending proposal at a time
        put_proposal(world, c, by="owner")
    db.session.rollback()
    for key, choice in (("resident", "against"), ("owner", "for"), ("group_leader", "for"), ("staff", "abstain")):
        services.state_position(_as(world, key, c), motion, choice=choice, reason=f"{key}的理由")
    services.state_position(_as(world, "resident", c), motion, choice="for", reason="想通了")
    db.session.commit()
    assert services.distribution(motion).as_dict() == {"for": 3, "against": 0, "abstain": 1, "total": 4}
    mine = services.mine(_as(world, "resident", c), motion)
    assert mine.changes == 1 and mine.reason == "想通了"
    # the chair cannot call it: it closes at its time
    with pytest.raises(DomainError) as called:
        consultations.call_vote(_as(world, "leader_a", c), motion)
    assert called.value.code == "slow_proposal"
    db.session.rollback()
    # before its time nothing closes; after it, the tick closes it once
    assert services.close_due(utcnow()) == 0
    later = utcnow() + timedelta(hours=3)
    assert schedule.tick(later)["slow_proposals_close"] == 1
    assert services.close_due(later) == 0
    db.session.refresh(motion)
    assert motion.state == MotionState.CARRIED and (motion.votes_for, motion.votes_against, motion.abstentions) == (
        3,
        0,
        1,
    )
    poll = voting.find_poll(consultations.POLL, motion.id)
    check = voting.verify(poll)
    assert check.ok and check.length == 4 and poll.closed_head is not None
    ballot = voting.find_ballot(consultations.POLL, motion.id, world.users["resident"].id)
    assert ballot.choice == "for" and ballot.receipt
    with pytest.raises(DomainError) as closed:
        services.state_position(_as(world, "owner", c), motion, choice="against", now=later)
    assert closed.value.code == "proposal_closed"
    db.session.rollback()
    page = http(app, world, "resident").get(f"/consultations/{c.id}/slow").get_data(as_text=True)
    assert ballot.receipt in page and "Carried" in page


def test_the_page_closes_a_proposal_past_its_time(app, world, slow):
    c = slow()
    motion = put_proposal(world, c, hours=2)
    services.state_position(_as(world, "owner", c), motion, choice="against")
    motion.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert http(app, world, "resident").get(f"/consultations/{c.id}/slow").status_code == 200
    db.session.refresh(motion)
    assert motion.state == MotionState.FAILED and voting.verify(voting.find_poll(consultations.POLL, motion.id)).ok


def test_the_distribution_is_sent_live_after_the_commit(app, world, slow):
    c = slow()
    motion = put_proposal(world, c)
    watcher = socketio.test_client(app, namespace="/slow", flask_test_client=logged_in(app, world.users["staff"]))
    try:
        assert watcher.emit("join", {"consultation_id": c.id}, namespace="/slow", callback=True)["ok"]
        watcher.get_received("/slow")
        services.state_position(_as(world, "owner", c), motion, choice="for")
        assert not [e for e in watcher.get_received("/slow") if e["name"] == "positions"]  # not before the commit
        db.session.commit()
        sent = [e["args"][0] for e in watcher.get_received("/slow") if e["name"] == "positions"]
        assert sent == [{"motion_id": motion.id, "for": 1, "against": 0, "abstain": 0, "total": 1}]
    finally:
        watcher.disconnect(namespace="/slow")


def test_the_chair_moves_the_room_to_a_live_meeting_and_back(app, world, slow):
    c = slow()
    with pytest.raises(DomainError) as live_speech:
        consultations.speak(_as(world, "resident", c), c, client_id="s", body="现场发言")
    assert live_speech.value.code == "rule_slow_room"
    db.session.rollback()
    chair = http(app, world, "leader_a")
    assert chair.post(f"/consultations/{c.id}/slow/mode", data={"mode": "open"}).status_code == 302
    db.session.refresh(c.rule_set)
    assert c.rule_set.mode == "open"
    consultations.speak(_as(world, "resident", c), c, client_id="s", body="现场发言")
    db.session.commit()
    with pytest.raises(DomainError) as reply:
        services.post(_as(world, "resident", c), c, client_id="r", body="回复")
    assert reply.value.code == "rule_not_slow"
    db.session.rollback()
    assert chair.post(f"/consultations/{c.id}/slow/mode", data={"mode": "slow"}).status_code == 302
    db.session.refresh(c.rule_set)
    assert c.rule_set.mode == "slow" and _count(Speech, consultation_id=c.id) == 1
    _post(world, c)
    assert chair.post(f"/consultations/{c.id}/slow/mode", data={"mode": "sideways"}).status_code == 400


def test_home_asks_for_a_position_on_a_proposal_closing_soon(app, world, slow):
    c = slow()
    motion = put_proposal(world, c, hours=30)
    resident = _as(world, "resident", c)
    assert any("车棚" in n.text for n in needs_of(resident))
    assert not any("车棚" in n.text for n in needs_of(_as(world, "property_manager", c)))  # not a party
    services.state_position(resident, motion, choice="for")
    db.session.commit()
    assert not any("车棚" in n.text for n in needs_of(resident))


def test_the_reminder_goes_once_to_those_who_have_not_taken_a_position(world, slow):
    c = slow()
    motion = put_proposal(world, c, hours=30)
    services.state_position(_as(world, "owner", c), motion, choice="for")
    db.session.commit()
    assert notices.remind_closing(utcnow()) == 0  # more than a day before the close
    soon = utcnow() + timedelta(hours=8)
    sent = notices.remind_closing(soon)
    db.session.commit()
    told = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == notices.KIND)))
    names = {u.id: k for k, u in world.users.items()}
    assert {names[i] for i in told} == {
        "resident",
        "leader_b",
        "group_leader",
        "resident_rep",
        "owners_committee",
        "staff",
    }
    urls = set(db.session.scalars(select(Notification.url).where(Notification.kind == notices.KIND)))
    assert urls == {f"/consultations/{c.id}/slow"}  # built by the URL map, outside any request
    assert sent == len(told)
    assert notices.remind_closing(soon) == 0  # once


def test_a_position_needs_an_open_proposal_and_a_known_choice(app, world, slow):
    c = slow()
    client = http(app, world, "resident")
    assert client.post(f"/consultations/{c.id}/slow/position", data={"choice": "for"}).status_code == 400
    put_proposal(world, c)
    assert client.post(f"/consultations/{c.id}/slow/position", data={"choice": "maybe"}).status_code == 400
    response = client.post(f"/consultations/{c.id}/slow/position", data={"choice": "for", "reason": "长" * 501})
    assert response.status_code == 400
    assert _count(Position, consultation_id=c.id) == 0


def test_moderation_reasons_are_checked(app, world, slow):
    c = slow()
    reply = _post(world, c)
    chair = http(app, world, "leader_a")
    assert chair.post(f"/consultations/{c.id}/slow/lock", data={"reason": "a\x00b"}).status_code == 400
    assert chair.post(f"/slow/replies/{reply.id}/hide", data={"reason": "a\x00b"}).status_code == 400
    assert (
        http(app, world, "owner").post(f"/slow/replies/{reply.id}/report", data={"reason": "长" * 201}).status_code
        == 400
    )
    db.session.refresh(c)
    db.session.refresh(reply)
    assert not c.locked and not reply.is_hidden


def test_the_list_and_the_live_room_lead_to_the_slow_page(app, world, slow):
    c = slow()
    client = http(app, world, "resident")
    assert f"/consultations/{c.id}/slow" in client.get("/c/cuizhuyuan/consultations").get_data(as_text=True)
    room = client.get(f"/consultations/{c.id}").get_data(as_text=True)
    assert "runs in slow mode" in room and f"/consultations/{c.id}/slow" in room


def test_replies_are_found_by_search_and_hidden_ones_are_not(world, slow):
    from app.search import services as search

    c = slow()
    reply = _post(world, c, body="车棚旁边要装路灯")
    resident = _as(world, "resident", c)
    found = search.search(resident, "路灯", search.Filters())
    assert [(h.kind, h.url.endswith(f"/consultations/{c.id}/slow#reply-{reply.id}")) for h in found.hits] == [
        ("reply", True)
    ]
    services.hide(_as(world, "staff", c), reply, "跑题")
    db.session.commit()
    assert search.search(resident, "路灯", search.Filters()).total == 0
