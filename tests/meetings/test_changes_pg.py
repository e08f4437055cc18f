"""Changing, cancelling and reordering on PostgreSQL: the 'cancelled' state passes the migrated CHECK, and
several taps moving items at the same instant leave the agenda a permutation (one position each, no error),
the meeting's row lock taking them one at a time; many people signing in at once each store one row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.core.models import utcnow
from app.meetings import services
from app.meetings.models import AgendaItem, Meeting, MeetingAttendance, MeetingState
from tests.consultations.conftest import viewer_of
from tests.services.conftest import pg_app, pg_db, pg_schema, pg_url  # noqa: F401  (fixtures)
from tests.services.test_meetings_pg import _race, hall  # noqa: F401  (fixture)

pytestmark = pytest.mark.postgres


def _items(db, meeting_id) -> list[tuple[int, str]]:
    db.session.expire_all()
    rows = db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id))
    return sorted((i.position, i.title) for i in rows)


def test_a_cancelled_meeting_is_stored_with_its_reason(pg_app, pg_db, hall):  # noqa: F811
    meeting, people = hall
    meeting.starts_at = utcnow() + timedelta(days=1)
    pg_db.session.commit()
    services.cancel(viewer_of(people["staff"], meeting.community), meeting, "场地漏水")
    pg_db.session.commit()
    pg_db.session.expire_all()
    stored = pg_db.session.get(Meeting, meeting.id)
    assert stored.state == MeetingState.CANCELLED and stored.cancel_reason == "场地漏水"


def test_moves_at_the_same_instant_keep_one_item_per_place(pg_app, pg_db, hall):  # noqa: F811
    meeting, people = hall
    for n in range(2, 6):
        pg_db.session.add(AgendaItem(meeting_id=meeting.id, position=n, title=f"议题{n}", outcome=""))
    pg_db.session.commit()
    meeting_id, staff_id = meeting.id, people["staff"].id
    plan = [(item.id, "up" if n % 2 else "down", item.position) for n, item in enumerate(meeting.items)]

    def move(i, db):
        m = db.session.get(Meeting, meeting_id)
        item_id, direction, at = plan[i % len(plan)]
        services.move_item(viewer_of(db.session.get(User, staff_id), m.community), m, item_id, direction, at)
        return "moved"

    answers = _race(pg_app, 8, move)
    assert set(answers) <= {"moved", "wrong_state"}
    items = _items(pg_db, meeting_id)
    assert [p for p, _t in items] == [1, 2, 3, 4, 5]
    assert sorted(t for _p, t in items) == ["议题", "议题2", "议题3", "议题4", "议题5"]


def test_many_people_signing_in_at_once_store_one_row_each(pg_app, pg_db, hall):  # noqa: F811
    meeting, people = hall
    meeting_id, code = meeting.id, services.token(meeting)
    ids = [people["alice"].id, people["bob"].id, people["alice"].id, people["bob"].id]

    def scan(i, db):
        m = db.session.get(Meeting, meeting_id)
        services.sign_in(viewer_of(db.session.get(User, ids[i]), m.community), m, code)
        return "signed"

    answers = _race(pg_app, 4, scan)
    assert sorted(answers) == ["already_signed_in", "already_signed_in", "signed", "signed"]
    pg_db.session.expire_all()
    assert len(list(pg_db.session.scalars(select(MeetingAttendance)))) == 2
