"""Owners' decision fixtures: the world's owner linked to their unit on the register, and decisions at each step."""

from __future__ import annotations

from datetime import date

import pytest

from app.decisions import services
from app.extensions import db
from tests.contests import viewer

BODY = "拟使用专项维修资金更换1栋电梯，预算约35万元，由1栋业主分摊。"


def draft(world, *, matter=5, key="owners_committee", client_id="d1", community=None, title="更换1栋电梯"):
    """A draft, committed (as the view does)."""
    decision = services.create(
        viewer(world.users[key], community or world.community),
        client_id=client_id,
        matter=matter,
        title=title,
        body=BODY,
        starts_on=date(2027, 3, 1),
        ends_on=date(2027, 3, 15),
        publicity_days=7,
    )
    db.session.commit()
    return decision


def opened(world, **kw):
    """A decision open for voting, committed (as the view does)."""
    decision = draft(world, **kw)
    services.open_voting(viewer(world.users["owners_committee"], decision), decision)
    db.session.commit()
    return decision


def paper(world, decision, entry, choice, *counters):
    """Enter a paper ballot once per counter key (owners_committee, staff, ...)."""
    state = None
    for n, key in enumerate(counters):
        state = services.enter_paper(
            viewer(world.users[key], decision),
            decision,
            roll_entry_id=entry.id,
            choice=choice,
            client_id=f"{key}-{entry.id}-{n}",
        )
        db.session.commit()
    return state


@pytest.fixture
def owners(world):
    """The world with its owner's account linked to their unit (as verification does): the roll is
    a101 张建国, a102 李秀英 (the `owner` user), b101 王志强, 89.50 m² each."""
    world.households["a102"].owners[0].user_id = world.users["owner"].id
    db.session.commit()
    return world
