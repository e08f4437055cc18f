"""A consultation of the world fixture's community, and meetings of it in each state."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.consultations.models import Consultation
from app.core.models import utcnow
from app.extensions import db
from app.meetings import services
from app.meetings.models import AgendaItem, Meeting, MeetingState
from app.procedure.shipped import ensure_shipped
from tests import factories
from tests.consultations.conftest import make_consultation, viewer_of


@pytest.fixture
def rules_templates(app):
    return {r.key: r for r in ensure_shipped()}


@pytest.fixture
def consultation(world, rules_templates) -> Consultation:
    """An open consultation for the whole community, chaired by 1栋's leader, convened by staff."""
    return make_consultation(world, rules_templates)


def login(client, user) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = factories.login_token(user)
        session["_fresh"] = True


def make_meeting(consultation, world, *, state=MeetingState.DRAFT, starts_in=timedelta(minutes=10), items=2):
    """A meeting starting `starts_in` from now (inside the sign-in window by default), with `items` items."""
    now = utcnow()
    meeting = Meeting(
        community_id=consultation.community_id,
        consultation=consultation,
        created_by_id=world.users["staff"].id,
        client_id=f"m-{now.timestamp()}",
        title="第一次议事会",
        place="社区活动室",
        starts_at=now + starts_in,
        ends_at=now + starts_in + timedelta(minutes=90),
        state=state,
    )
    db.session.add(meeting)
    db.session.flush()
    for n in range(1, items + 1):
        db.session.add(AgendaItem(meeting_id=meeting.id, position=n, title=f"议题 {n}", outcome=""))
    if state != MeetingState.DRAFT:
        meeting.scheduled_at = now - timedelta(days=1)
    if state in (MeetingState.OPEN, MeetingState.CLOSED):
        meeting.opened_at = now - timedelta(minutes=5)
    if state == MeetingState.CLOSED:
        meeting.closed_at = now + timedelta(seconds=1)
    db.session.commit()
    return meeting


@pytest.fixture
def meeting(consultation, world):
    """A scheduled meeting starting in ten minutes: the hall's sign-in is open."""
    return make_meeting(consultation, world, state=MeetingState.SCHEDULED)


def as_viewer(world, key, where):
    return viewer_of(world.users[key], where)


__all__ = ["as_viewer", "login", "make_meeting", "services"]


def the_evening_before(start):
    """20:00 Beijing time on the day before the meeting's (Beijing) day: a "tomorrow" reminder's moment, more than
    an hour before any start (an hour before a meeting at 00:30 is still the day before, but "within the hour")."""
    from app.core.clock import local_time

    local = local_time(start)
    evening = (local - timedelta(days=1)).replace(hour=20, minute=0, second=0, microsecond=0)
    return evening.astimezone(start.tzinfo)
