"""The live consultation room on PostgreSQL: a speech reaches the other member, a retry stores one,
a missed message is replayed, and concurrent duplicate votes count once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.communities.models import Role
from app.consultations import services
from app.consultations.models import Consultation, Motion, Phase, Speech
from app.extensions import socketio
from app.procedure.shipped import ensure_shipped
from app.voting.models import Ballot
from tests import factories
from tests.consultations.conftest import viewer_of

pytestmark = pytest.mark.postgres


@pytest.fixture
def room(pg_app, pg_db):
    community = factories.community(slug="pgroom", name="测试社区")
    building = factories.building(community, "1栋")
    people = {}
    for key, roles in {
        "chair": (Role.RESIDENT, Role.BUILDING_LEADER),
        "alice": (Role.RESIDENT,),
        "bob": (Role.RESIDENT, Role.OWNER),
        "staff": (Role.COMMUNITY_STAFF,),
    }.items():
        user = factories.user(name=key)
        household = factories.household(building) if Role.RESIDENT in roles else None
        factories.membership(user, community, *roles, household_=household, led_building=building)
        people[key] = user
    pg_db.session.commit()
    simple = next(r for r in ensure_shipped() if r.key == "simple")
    consultation = services.create_draft(
        viewer_of(people["staff"], community),
        title="测试议题",
        background="",
        building_id=None,
        parties=["residents"],
        chair_id=people["chair"].id,
        rule_set_id=simple.id,
    )
    consultation.rule_set.slow_mode_seconds = 0
    consultation.rule_set.chair_neutral = True
    services.set_phase(viewer_of(people["staff"], consultation), consultation, Phase.OPEN)
    pg_db.session.commit()
    return consultation, people


def _socket(app, user):
    http = app.test_client()
    http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert http.post("/account/login", data={"phone": user.phone, "password": factories.PASSWORD}).status_code == 302
    return socketio.test_client(app, namespace="/consultations", flask_test_client=http)


def _ack(client, event, **data):
    return client.emit(event, data, namespace="/consultations", callback=True)


def test_room_on_postgres(pg_app, pg_db, room):
    consultation, people = room
    alice, bob = _socket(pg_app, people["alice"]), _socket(pg_app, people["bob"])
    assert _ack(alice, "join", consultation_id=consultation.id)["ok"]
    assert _ack(bob, "join", consultation_id=consultation.id)["ok"]
    bob.get_received("/consultations")
    said = _ack(alice, "speak", consultation_id=consultation.id, client_id="x1", body="大家好")
    assert said["ok"], said
    received = [e for e in bob.get_received("/consultations") if e["name"] == "message"]
    assert len(received) == 1
    assert (
        _ack(alice, "speak", consultation_id=consultation.id, client_id="x1", body="大家好")["message"]["id"]
        == (said["message"]["id"])
    )
    bob.disconnect("/consultations")
    later = _ack(alice, "speak", consultation_id=consultation.id, client_id="x2", body="第二条")["message"]
    bob.connect("/consultations")
    replay = _ack(bob, "join", consultation_id=consultation.id, after_id=said["message"]["id"])
    assert [m["id"] for m in replay["messages"]] == [later["id"]]
    assert pg_db.session.scalar(select(func.count()).select_from(Speech)) == 2
    for client in (alice, bob):
        client.disconnect("/consultations")


def test_concurrent_duplicate_votes_count_once(pg_app, pg_db, room):
    consultation, people = room
    motion = services.move(viewer_of(people["alice"], consultation), consultation, client_id="m", text="动议")
    services.second(viewer_of(people["bob"], motion), motion)
    services.call_vote(viewer_of(people["chair"], motion), motion)
    pg_db.session.commit()
    motion_id, voter_id = motion.id, people["bob"].id
    receipts, errors = [], []

    def cast():
        with pg_app.app_context():
            from app.accounts.models import User
            from app.extensions import db

            try:
                motion = db.session.get(Motion, motion_id)
                ballot = services.vote(viewer_of(db.session.get(User, voter_id), motion), motion, "for")
                receipts.append(ballot.receipt)
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=cast) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(set(receipts)) == 1 and len(receipts) == 8
    pg_db.session.expire_all()
    count = pg_db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.poll_id == motion_id))
    assert count == 1


def test_a_speech_retried_at_once_from_many_connections_is_stored_once(pg_app, pg_db, room):
    """The same client_id racing itself: the database keeps one, and every retry answers with that one."""
    consultation, people = room
    consultation_id, author_id = consultation.id, people["alice"].id
    answers, errors = [], []
    start = threading.Barrier(8)

    def speak():
        with pg_app.app_context():
            from app.accounts.models import User
            from app.extensions import db

            try:
                author, where = db.session.get(User, author_id), db.session.get(Consultation, consultation_id)
                start.wait(10)
                spoken = services.speak(
                    viewer_of(author, where), where, client_id="same-tap", body="同一次发言，网络重试"
                )
                db.session.commit()  # as the socket handler does
                answers.append((spoken.speech.id, spoken.message["id"], spoken.message["client_id"]))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=speak) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert len(answers) == 8 and len(set(answers)) == 1 and answers[0][2] == "same-tap"
    stored = pg_db.session.scalar(
        select(func.count()).select_from(Speech).where(Speech.consultation_id == consultation_id)
    )
    assert stored == 1
