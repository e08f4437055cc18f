"""A live room's socket whose login has ended acts no more, even if its disconnect never came (a process that
missed the word): every event is refused, the vote (which skips the database until its batch) included."""

from __future__ import annotations

from sqlalchemy import event, func, select, update

from app.accounts import sessions
from app.accounts.models import UserSession
from app.consultations import services
from app.consultations.models import Speech
from app.core import generations
from app.core.errors import DomainError
from app.core.models import utcnow
from app.extensions import db, socketio
from app.voting.models import Ballot
from tests.consultations.conftest import ack, code, committed, logged_in, viewer_of
from tests.consultations.test_vote_batches import put_to_vote

NS = "/consultations"


def socket_of(app, user):
    """A /consultations socket on a login of its own; returns (socket, login id)."""
    http = logged_in(app, user)
    with http.session_transaction() as session:
        token = session["_user_id"]
    client = socketio.test_client(app, namespace=NS, flask_test_client=http)
    assert client.is_connected(NS)
    login_id = db.session.scalar(select(UserSession.id).where(UserSession.token_hash == sessions.hash_token(token)))
    return client, login_id


def end_unannounced(login_id: int, *, counted: bool = True) -> None:
    """End the login as another process did whose word (disconnect its sockets) this one missed: in the
    database, and (`counted`) the user's counter moved on, as `sessions._end` does before the word."""
    db.session.execute(
        update(UserSession).where(UserSession.id == login_id).values(ended_at=utcnow(), ended_reason="elsewhere")
    )
    db.session.commit()
    if counted:
        user_id = db.session.scalar(select(UserSession.user_id).where(UserSession.id == login_id))
        generations.bump(generations.rights(user_id))


def ballots(motion) -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.poll_id == motion.id))


def test_every_event_of_a_socket_whose_login_ended_is_refused(app, world, consultation):
    resident = world.users["resident"]
    motion = put_to_vote(consultation, world.users)
    ended, ended_login = socket_of(app, resident)
    other_phone, _other_login = socket_of(app, resident)  # the same resident, another login
    assert ack(ended, "join", consultation_id=consultation.id)["ok"]

    end_unannounced(ended_login)

    assert ended.is_connected(NS)  # nobody told this process: the socket is still there, but
    assert code(ack(ended, "join", consultation_id=consultation.id)) == "not_authenticated"
    speak = ack(ended, "speak", consultation_id=consultation.id, client_id="after-end", body="我还在吗？")
    assert code(speak) == "not_authenticated"
    assert code(ack(ended, "raise_hand", consultation_id=consultation.id)) == "not_authenticated"
    assert code(ack(ended, "vote", motion_id=motion.id, choice="for")) == "not_authenticated"
    assert db.session.scalar(select(func.count()).select_from(Speech).where(Speech.client_id == "after-end")) == 0
    assert ballots(motion) == 0
    # the resident's other phone votes as ever
    assert ack(other_phone, "vote", motion_id=motion.id, choice="for")["ok"]
    assert ballots(motion) == 1


def test_a_batch_refuses_the_votes_of_ended_logins_and_counts_the_live_ones(app, world, consultation):
    users = world.users
    motion = put_to_vote(consultation, users)
    owner_ended, _token = sessions.start(users["owner"], remember=True)
    owner_live, _token = sessions.start(users["owner"], remember=True)
    resident_live, _token = sessions.start(users["resident"], remember=False)
    resident_expired, _token = sessions.start(users["resident"], remember=False)
    db.session.commit()
    end_unannounced(owner_ended.id)
    db.session.execute(update(UserSession).where(UserSession.id == resident_expired.id).values(expires_at=utcnow()))
    db.session.commit()
    R = services.VoteRequest
    batch = [
        R(users["owner"].id, motion.id, "for", owner_ended.id),  # ended: refused, not merged with the next
        R(users["owner"].id, motion.id, "for", owner_live.id),
        R(users["resident"].id, motion.id, "against", resident_expired.id),  # expired
        R(users["resident"].id, motion.id, "against", owner_live.id),  # another user's login: no
        R(users["group_leader"].id, motion.id, "for"),  # over HTTP: the request's login was checked there
    ]

    outcomes = services.write_votes(batch)

    answers = [o.code if isinstance(o, DomainError) else o.choice for o in outcomes]
    assert answers == ["not_authenticated", "for", "not_authenticated", "not_authenticated", "for"]
    assert ballots(motion) == 2
    # the resident's live login still votes
    [voted] = services.write_votes([R(users["resident"].id, motion.id, "against", resident_live.id)])
    assert voted.choice == "against"


def test_the_same_vote_over_http_needs_no_socket_login(app, world, consultation):
    motion = put_to_vote(consultation, world.users)
    voted = committed(services.vote(viewer_of(world.users["owner"], motion), motion, "for"))
    assert voted.choice == "for"


def test_a_socket_keeps_its_login_between_events_without_a_query(app, world, consultation):
    ended, _login = socket_of(app, world.users["resident"])
    consultation_id = consultation.id
    assert ack(ended, "join", consultation_id=consultation_id)["ok"]
    db.session.expunge_all()  # as a server's event: nothing of this test's loaded already
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert ack(ended, "raise_hand", consultation_id=consultation_id)["ok"]
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert statements and not any("user_sessions" in s or "FROM memberships" in s for s in statements), statements


def test_a_login_ended_while_the_counter_was_lost_acts_no_more_after_the_recheck(app, world, consultation):
    """Redis lost the bump (and the word): the kept login is trusted LOGIN_RECHECK_SECONDS at most."""
    ended, ended_login = socket_of(app, world.users["resident"])
    assert ack(ended, "join", consultation_id=consultation.id)["ok"]
    end_unannounced(ended_login, counted=False)
    assert ack(ended, "join", consultation_id=consultation.id)["ok"]  # kept: nothing said it changed
    recheck, app.config["LOGIN_RECHECK_SECONDS"] = app.config["LOGIN_RECHECK_SECONDS"], 0
    try:
        assert code(ack(ended, "join", consultation_id=consultation.id)) == "not_authenticated"
    finally:
        app.config["LOGIN_RECHECK_SECONDS"] = recheck
