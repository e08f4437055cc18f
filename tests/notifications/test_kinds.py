"""The flows' notifications carry their kinds: a vote opened for an owner is texted (action), a verification
decided too; the kernel's registry gives each its importance."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.core import sms
from app.decisions import services as decision_services
from app.extensions import db
from app.notifications import delivery, kinds, schedule
from app.notifications.kinds import Importance
from app.notifications.models import Notification
from tests.contests import viewer
from tests.decisions.conftest import opened, owners  # noqa: F401 (the fixture)

NOON = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def daytime(monkeypatch):
    monkeypatch.setattr(delivery, "utcnow", lambda: NOON)


def test_the_flows_register_their_kinds_with_an_importance(app):
    assert kinds.get("vote_opened").importance == Importance.ACTION
    assert kinds.get("membership_verified").importance == Importance.ACTION
    assert kinds.get("notice").importance == Importance.INFO
    assert kinds.get("notice_urgent").importance == Importance.URGENT
    assert kinds.get("idea_status").importance == Importance.INFO


def test_opening_an_owners_decision_tells_each_owner_on_the_roll_by_text(app, owners):  # noqa: F811
    owner = owners.users["owner"]
    with app.test_request_context():
        decision = opened(owners)
    [item] = db.session.scalars(select(Notification).where(Notification.kind == "vote_opened"))
    assert item.user_id == owner.id and item.key == f"vote_opened:decision:{decision.id}"
    assert "2027-03-15" in item.text
    [text] = [m for m in sms.backend().recent() if m.phone == owner.phone]
    assert text.template == "notify_action"


DAY_BEFORE_CLOSE = datetime(2027, 3, 14, 2, 0, tzinfo=UTC)  # 10:00 Beijing, 2027-03-14; voting ends 03-15


def _reminded(owners) -> list[int]:  # noqa: F811
    return list(db.session.scalars(select(Notification.user_id).where(Notification.kind == "vote_closing")))


def test_the_tick_reminds_an_owner_who_has_not_voted_the_day_before_the_close_once(app, owners):  # noqa: F811
    owner = owners.users["owner"]
    with app.test_request_context():
        opened(owners)
        db.session.query(Notification).delete()
        db.session.commit()
        assert schedule.tick(datetime(2027, 3, 13, 2, 0, tzinfo=UTC))["decisions_closing"] == 0  # two days before
        assert schedule.tick(DAY_BEFORE_CLOSE)["decisions_closing"] == 1
        assert schedule.tick(DAY_BEFORE_CLOSE)["decisions_closing"] == 0  # once per person per vote
    assert _reminded(owners) == [owner.id]


def test_an_owner_who_voted_is_not_reminded(app, owners):  # noqa: F811
    with app.test_request_context():
        decision = opened(owners)
        decision_services.vote(viewer(owners.users["owner"], decision), decision, "agree")
        db.session.commit()
        assert schedule.tick(DAY_BEFORE_CLOSE)["decisions_closing"] == 0
    assert _reminded(owners) == []


def test_contest_voting_opened_tells_each_verified_resident_once(app, world):
    from app.contests.models import Phase
    from tests.contests import contest_in

    with app.test_request_context():
        contest, _entries = contest_in(world, Phase.VOTING)
        db.session.commit()
    told = set(
        db.session.scalars(select(Notification.user_id).where(Notification.key == f"vote_opened:contest:{contest.id}"))
    )
    residents = {"resident", "owner", "leader_a", "leader_b", "group_leader", "resident_rep", "owners_committee"}
    assert told == {world.users[k].id for k in residents}  # not staff, not pending, not the other community
    assert {m.template for m in sms.backend().recent()} >= {"notify_action"}


def test_a_motion_vote_called_tells_the_participants_but_not_the_chair(app, world):
    from app.consultations import services as consultation_services
    from app.consultations.models import Attendance
    from app.procedure.shipped import ensure_shipped
    from tests.consultations.conftest import make_consultation, viewer_of

    templates = {r.key: r for r in ensure_shipped()}
    with app.test_request_context():
        consultation = make_consultation(world, templates)
        for key in ("leader_a", "owner", "resident"):
            db.session.add(Attendance(consultation_id=consultation.id, user_id=world.users[key].id))
        db.session.commit()
        motion = consultation_services.move(
            viewer_of(world.users["owner"], consultation), consultation, client_id="m-1", text="建充电棚"
        )
        db.session.commit()
        motion = consultation_services.second(viewer_of(world.users["resident"], motion), motion)
        db.session.commit()
        chair = world.users["leader_a"]
        assert consultation.chair_id == chair.id
        consultation_services.call_vote(viewer_of(chair, motion), motion)
        db.session.commit()
    told = set(
        db.session.scalars(select(Notification.user_id).where(Notification.key == f"vote_opened:motion:{motion.id}"))
    )
    assert told == {world.users["owner"].id, world.users["resident"].id}


def test_the_tick_reminds_residents_who_have_not_voted_the_day_before_a_contest_closes(app, world):
    """Once each, the day before the last voting day (Beijing); not two days before; not those who voted."""
    from datetime import timedelta

    from app.contests.models import Phase
    from tests.contests import contest_in

    with app.test_request_context():
        contest, _entries = contest_in(world, Phase.VOTING, votes=[("resident", [0])])
        db.session.query(Notification).delete()
        db.session.commit()
        day_before = contest.voting_ends - timedelta(microseconds=1) - timedelta(days=1)
        assert schedule.tick(day_before - timedelta(days=1))["contests_closing"] == 0  # two days before
        first = schedule.tick(day_before)["contests_closing"]
        assert schedule.tick(day_before)["contests_closing"] == 0  # once per person per contest
    reminded = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "vote_closing")))
    assert first == len(reminded) > 0
    assert world.users["resident"].id not in reminded  # she voted
    assert world.users["owner"].id in reminded and world.users["staff"].id not in reminded
