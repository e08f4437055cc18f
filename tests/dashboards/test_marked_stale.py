"""Every write of a counted row marks its communities' street and district snapshots stale after the commit
(core.changes): the vote and attendance batches' plain inserts too, one statement per batch; a commit that
touches no counted table, and a rollback, mark nothing."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

from sqlalchemy import event, insert, select, update

from app.consultations.models import Attendance, Motion, MotionState
from app.consultations.services import joining, votes
from app.core import changes
from app.core.models import insert_or_ignore
from app.dashboards import summary
from app.dashboards.models import DashboardSnapshot
from app.extensions import db
from app.notifications.models import Notification
from app.voting import services as voting
from tests.dashboards.conftest import _consultation, at
from tests.dashboards.test_summary import YEAR


@contextmanager
def marks():
    """The statements that mark snapshots stale, as sent to the database."""
    sent = []

    def before(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("UPDATE DASHBOARD_SNAPSHOTS SET STALE_SINCE"):
            sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _kept(app, history) -> None:
    """Fresh snapshots of the district and both its streets."""
    street = history.community.street
    with app.test_request_context():
        for level, scope_id in (
            ("district", street.district_id),
            ("street", street.id),
            ("street", history.far.street_id),
        ):
            summary.refresh(summary._scope_of(level, scope_id), YEAR)
    db.session.commit()
    assert _stale() == set()


def _stale() -> set[tuple[str, int]]:
    db.session.expire_all()
    rows = db.session.scalars(select(DashboardSnapshot).where(DashboardSnapshot.stale_since.is_not(None)))
    found = {(r.level, r.scope_id) for r in rows}
    db.session.commit()
    return found


def _theirs(history) -> set[tuple[str, int]]:
    """The snapshots a change in 翠竹园 concerns: its street's and its district's (not the other street's)."""
    street = history.community.street
    return {("district", street.district_id), ("street", street.id)}


def test_a_vote_batch_marks_its_communitys_snapshots_in_one_statement(app, history):
    consultation = _consultation(history, history.community, opened=at(3, 2))
    consultation.parties = ["residents"]
    motion = Motion(
        consultation_id=consultation.id,
        mover_id=history.users["staff"].id,
        client_id=uuid.uuid4().hex,
        text="动议",
        state=MotionState.VOTING,
    )
    db.session.add(motion)
    db.session.flush()
    voting.open_poll(community_id=history.community.id, poll_type=votes.POLL, subject_id=motion.id)  # opened before
    db.session.commit()
    _kept(app, history)
    batch = [votes.VoteRequest(history.users[key].id, motion.id, "for") for key in ("owner", "resident", "leader_b")]
    with marks() as sent:
        outcomes = votes.write_votes(batch)
    assert [type(o).__name__ for o in outcomes] == ["Voted"] * 3
    assert len(sent) == 1  # one for the batch, not one per vote
    assert _stale() == _theirs(history)


def test_an_attendance_batch_marks_its_communitys_snapshots_in_one_statement(app, history):
    consultation = _consultation(history, history.community, opened=at(3, 2))
    db.session.commit()
    _kept(app, history)
    items = [(consultation.id, history.community.id, history.users[key].id) for key in ("owner", "staff")]
    with marks() as sent:
        joining.write_attendance(items)
    assert db.session.scalar(select(Attendance.id).where(Attendance.consultation_id == consultation.id)) is not None
    assert len(sent) == 1
    assert _stale() == _theirs(history)
    # the same attendances again (a rejoin): the insert changes no row, nothing is marked
    db.session.execute(update(DashboardSnapshot).values(stale_since=None))
    db.session.commit()
    with marks() as sent:
        joining.write_attendance(items[:1])
    assert sent == [] and _stale() == set()


def test_a_plain_statement_that_names_no_community_marks_every_snapshot(app, history):
    _kept(app, history)
    resident = history.users["resident"].id
    db.session.execute(update(Attendance).where(Attendance.user_id == resident).values(first_seen_at=at(3, 4)))
    db.session.commit()
    assert _stale() == _theirs(history) | {("street", history.far.street_id)}


def test_an_orm_bulk_insert_marks_the_communities_its_rows_name(app, history):
    """`session.execute(insert(Model), [rows])` (the ORM's bulk insert, as the benches' generators write): its
    result has no cursor to ask, and it is taken as a change in the communities its rows name."""
    from app.communities.models import Household

    _kept(app, history)
    building = history.community.buildings[0]
    with marks() as sent:
        db.session.execute(
            insert(Household),
            [
                {
                    "community_id": history.community.id,
                    "building_id": building.id,
                    "unit": "9",
                    "room": str(900 + n),
                    "area_centi_m2": 9000,
                }
                for n in range(2)
            ],
        )
        db.session.commit()
    assert len(sent) == 1 and _stale() == _theirs(history)


def test_a_commit_touching_no_counted_table_marks_nothing(app, history):
    _kept(app, history)
    with marks() as sent:
        db.session.add(Notification(user_id=history.users["owner"].id, kind="test", text="你好"))
        db.session.commit()
        db.session.execute(update(DashboardSnapshot).values(millis=1))  # the snapshots themselves are not counted
        db.session.commit()
    assert sent == [] and _stale() == set()


def test_a_rollback_marks_nothing(app, history):
    consultation = _consultation(history, history.community, opened=at(3, 2))
    db.session.commit()
    _kept(app, history)
    with marks() as sent:
        db.session.execute(
            changes.within(
                insert_or_ignore(Attendance.__table__).values(
                    consultation_id=consultation.id, user_id=history.users["owner"].id, first_seen_at=at(3, 3)
                ),
                [history.community.id],
            )
        )
        db.session.rollback()
        db.session.commit()  # nothing left of it to mark
    assert sent == [] and _stale() == set()
