"""Meetings on PostgreSQL: one person scanning from several phones at once is signed in once (the others told
they are already in), a tick racing a scan stores one row, and the online count and quorum agree."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.communities.models import Role
from app.consultations import services as consultation_services
from app.consultations.models import Phase
from app.core.errors import DomainError
from app.core.models import utcnow
from app.meetings import services
from app.meetings.models import AgendaItem, Meeting, MeetingAttendance, MeetingState, Via
from app.procedure.shipped import ensure_shipped
from tests import factories
from tests.consultations.conftest import viewer_of

pytestmark = pytest.mark.postgres


@pytest.fixture
def hall(pg_app, pg_db):
    community = factories.community(slug="pghall", name="测试社区")
    building = factories.building(community, "1栋")
    people = {}
    for key, roles in {"staff": (Role.COMMUNITY_STAFF,), "alice": (Role.RESIDENT,), "bob": (Role.RESIDENT,)}.items():
        user = factories.user(name=key)
        household = factories.household(building) if Role.RESIDENT in roles else None
        factories.membership(user, community, *roles, household_=household)
        people[key] = user
    pg_db.session.commit()
    simple = next(r for r in ensure_shipped() if r.key == "simple")
    consultation = consultation_services.create_draft(
        viewer_of(people["staff"], community),
        title="测试议题",
        background="",
        building_id=None,
        parties=["residents"],
        chair_id=people["staff"].id,
        rule_set_id=simple.id,
    )
    consultation_services.set_phase(viewer_of(people["staff"], consultation), consultation, Phase.OPEN)
    now = utcnow()
    meeting = Meeting(
        community_id=community.id,
        consultation=consultation,
        created_by_id=people["staff"].id,
        client_id="pg-1",
        title="议事会",
        place="议事厅",
        starts_at=now + timedelta(minutes=5),
        ends_at=now + timedelta(hours=1),
        state=MeetingState.SCHEDULED,
    )
    pg_db.session.add(meeting)
    pg_db.session.flush()
    pg_db.session.add(AgendaItem(meeting_id=meeting.id, position=1, title="议题", outcome=""))
    pg_db.session.commit()
    return meeting, people


def _race(pg_app, n, work):
    start, answers, errors = threading.Barrier(n), [], []

    def run(i):
        with pg_app.app_context():
            from app.extensions import db

            try:
                start.wait()
                answers.append(work(i, db))
                db.session.commit()
            except DomainError as err:
                db.session.rollback()
                answers.append(err.code)
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return answers


def test_one_person_scanning_from_many_phones_at_once_is_signed_in_once(pg_app, pg_db, hall):
    meeting, people = hall
    meeting_id, alice_id, code = meeting.id, people["alice"].id, services.token(meeting)

    def scan(_i, db):
        from app.accounts.models import User

        m = db.session.get(Meeting, meeting_id)
        services.sign_in(viewer_of(db.session.get(User, alice_id), m.community), m, code)
        return "signed"

    answers = _race(pg_app, 6, scan)
    assert sorted(answers) == ["already_signed_in"] * 5 + ["signed"]
    pg_db.session.expire_all()
    count = pg_db.session.scalar(select(func.count()).select_from(MeetingAttendance))
    assert count == 1


def test_a_tick_racing_a_scan_stores_one_row(pg_app, pg_db, hall):
    meeting, people = hall
    meeting_id, bob_id, staff_id, code = meeting.id, people["bob"].id, people["staff"].id, services.token(meeting)

    def either(i, db):
        from app.accounts.models import User

        m = db.session.get(Meeting, meeting_id)
        if i % 2:
            services.tick(viewer_of(db.session.get(User, staff_id), m.community), m, bob_id)
            return "ticked"
        services.sign_in(viewer_of(db.session.get(User, bob_id), m.community), m, code)
        return "signed"

    answers = _race(pg_app, 2, either)
    assert len([a for a in answers if a in ("ticked", "signed")]) >= 1
    pg_db.session.expire_all()
    rows = list(pg_db.session.scalars(select(MeetingAttendance)))
    assert len(rows) == 1 and rows[0].via in (Via.HALL, Via.TICKED)


def test_online_and_hall_make_the_quorum_on_postgres(pg_app, pg_db, hall):
    meeting, people = hall
    consultation = meeting.consultation
    services.open_meeting(viewer_of(people["staff"], meeting.community), meeting)
    pg_db.session.commit()
    consultation_services.room_state(viewer_of(people["alice"], consultation), consultation)
    pg_db.session.commit()
    services.sign_in(viewer_of(people["bob"], meeting.community), meeting, services.token(meeting))
    pg_db.session.commit()
    quorum = services.quorum(meeting)
    assert (quorum.hall, quorum.online, quorum.present) == (1, 1, 2)
    assert quorum.met
