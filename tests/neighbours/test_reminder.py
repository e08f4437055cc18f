"""A request nobody took for a day: the group's leaders hear once (the scheduler's tick)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.core.models import utcnow
from app.extensions import db
from app.neighbours import services
from app.notifications import schedule
from app.notifications.models import Notification
from tests.neighbours import make_post, viewer


def reminded() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Notification.user_id, Notification.key).where(Notification.kind == "help_waiting")
    ).all()
    return sorted(rows)


def test_the_groups_leaders_hear_once_of_a_request_waiting_a_day(world, groups):
    old = make_post(world, groups.a, "resident", title="周四陪我去医院")
    fresh = make_post(world, groups.a, "owner", title="刚发的求助")
    hidden = make_post(world, groups.a, "owner", title="被隐藏的求助")
    taken = make_post(world, groups.a, "owner", title="已被接下的求助")
    offer = make_post(world, groups.a, "owner", title="一个帮忙", kind="offer")
    other = make_post(world, groups.b, "owners_committee", title="2栋的求助")
    for item in (old, hidden, taken, offer, other):
        item.created_at = utcnow() - timedelta(hours=25)
    services.hide(viewer(world, "leader_a"), hidden, "重复")
    services.take(viewer(world, "resident"), taken)
    db.session.commit()

    assert schedule.tick(utcnow())["help_waiting"] == 4  # 1栋's two leaders for `old`, 2栋's two for `other`
    got = reminded()
    assert (world.users["leader_a"].id, f"help_waiting:{old.id}") in got
    assert (world.users["group_leader"].id, f"help_waiting:{old.id}") in got
    assert (world.users["leader_b"].id, f"help_waiting:{other.id}") in got
    assert (world.users["resident_rep"].id, f"help_waiting:{other.id}") in got
    assert not any(key.endswith(f":{item.id}") for _u, key in got for item in (fresh, hidden, taken, offer))
    assert schedule.tick(utcnow())["help_waiting"] == 0  # once
    text = db.session.scalar(select(Notification.text).where(Notification.user_id == world.users["leader_a"].id))
    assert text == "“周四陪我去医院” from resident has waited a day for a neighbour in 1栋睦邻互助会."
