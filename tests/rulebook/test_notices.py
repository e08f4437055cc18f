"""Who hears of the rules: comments open (verified members), the vote open (verified residents), the vote
closing tomorrow (residents who have not voted, once), adopted (verified members); the tick closes a vote whose
date has passed; the home page asks a resident who has not voted."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.notifications import schedule
from app.notifications.models import Notification
from app.procedure import versions
from app.rulebook import services
from app.rulebook.models import DraftState
from tests.home import needs
from tests.rulebook import RESIDENTS, draft_in, logged_in, viewer


def _told(key: str) -> set[int]:
    return set(db.session.scalars(select(Notification.user_id).where(Notification.key == key)))


def test_comments_open_and_the_vote_open_are_told(app, world):
    with app.test_request_context():
        draft, _now = draft_in(world, DraftState.VOTING)
    verified = {*RESIDENTS, "staff", "property_manager", "social_org", "expert"}
    members = {u.id for k, u in world.users.items() if k in verified}
    assert _told(f"rules_comments:{draft.id}") == members
    assert _told(f"vote_opened:rules:{draft.id}") == {world.users[k].id for k in RESIDENTS}


def test_the_tick_reminds_the_day_before_and_closes_at_the_date(app, world):
    with app.test_request_context():
        draft, _now = draft_in(world, DraftState.VOTING, votes=[("resident", "yes"), ("owner", "yes")])
        day_before = draft.vote_closes_at - timedelta(microseconds=1) - timedelta(days=1)
        assert schedule.tick(day_before - timedelta(days=1))["rules_closing"] == 0  # two days before
        first = schedule.tick(day_before)["rules_closing"]
        assert schedule.tick(day_before)["rules_closing"] == 0  # once per person
        reminded = _told(f"vote_closing:rules:{draft.id}")
        assert first == len(reminded) == len(RESIDENTS) - 2
        assert world.users["resident"].id not in reminded and world.users["staff"].id not in reminded
        for key in ("leader_a", "leader_b", "group_leader", "resident_rep", "owners_committee"):
            services.vote(viewer(world, key), draft, "yes", now=day_before)
        db.session.commit()
        assert schedule.tick(draft.vote_closes_at - timedelta(seconds=1))["rules_votes_closed"] == 0
        assert schedule.tick(draft.vote_closes_at)["rules_votes_closed"] == 1
    db.session.expire_all()
    assert draft.state == DraftState.ADOPTED and versions.current(world.community.id).number == 1
    assert world.users["expert"].id in _told(f"rules_adopted:{draft.id}")


def test_not_adopted_tells_no_one_it_was(app, world):
    with app.test_request_context():
        draft, _now = draft_in(world, DraftState.REJECTED)
    assert _told(f"rules_adopted:{draft.id}") == set()


def test_home_asks_a_resident_who_has_not_voted(app, world):
    draft, now = draft_in(world, DraftState.VOTING)
    link = f"/rules/drafts/{draft.id}#vote"

    def items(key):
        response = logged_in(app, world.users[key]).get("/c/cuizhuyuan/")
        assert response.status_code == 200
        return [(text, detail, url) for text, detail, url in needs(response)]

    mine = [i for i in items("owner") if i[2] == link]
    assert len(mine) == 1 and draft.title in mine[0][0]
    assert not [i for i in items("staff") if i[2] == link]  # staff do not vote
    services.vote(viewer(world, "owner"), draft, "no", now=now)
    db.session.commit()
    assert not [i for i in items("owner") if i[2] == link]
