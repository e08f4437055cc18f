"""Two server processes, one site: shared PostgreSQL, shared Redis, rooms and rate limits across both."""

from __future__ import annotations

import uuid

import pytest

from tests.serving.conftest import (
    CHAIR,
    OWNER,
    RESIDENT,
    log_in,
    open_consultation_id,
    post_login,
    postgres_site_url,
    prepare_site,
    redis_url_or_fail,
    scalar,
    site_env,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

LOGIN_LIMIT = 3


@pytest.fixture
def two_processes(servers):
    """Processes A and B of one site (same database, secret key, Redis), each on its own port."""
    with postgres_site_url() as database_url:
        env = site_env(
            database_url, mode="eventlet", redis_url=redis_url_or_fail(), RATELIMIT_LOGIN=f"{LOGIN_LIMIT} per minute"
        )
        prepare_site(env)
        a, b = servers(env), servers(env)
        try:
            yield database_url, a, b
        finally:
            a.stop()
            b.stop()


def test_a_speech_through_one_process_reaches_a_client_on_the_other(two_processes, room_clients):
    database_url, a, b = two_processes
    consultation_id = open_consultation_id(database_url)
    chair = room_clients(a, log_in(a, CHAIR))
    owner = room_clients(b, log_in(b, OWNER))
    chair.join(consultation_id)
    # presence counts the room across both processes: the chair on A and the owner on B
    assert owner.join(consultation_id)["presence"] == {"count": 2}

    client_id = uuid.uuid4().hex
    sent = chair.speak(consultation_id, "经过进程 A 发言", client_id)

    received = owner.wait_for(client_id)
    assert received is not None, f"not received on B\nA:\n{a.log()}\nB:\n{b.log()}"
    assert received["id"] == sent["id"]
    # and back: the chair on A gives the floor to the owner on B, whose speech reaches A
    assert owner.call("raise_hand", {"consultation_id": consultation_id})["ok"]
    owner_id = scalar(database_url, "select id from users where phone = :p", p=OWNER)
    granted = chair.call("grant_floor", {"consultation_id": consultation_id, "user_id": owner_id})
    assert granted["ok"], granted
    back = uuid.uuid4().hex
    owner.speak(consultation_id, "经过进程 B 回应", back)
    assert chair.wait_for(back) is not None
    assert scalar(database_url, "select count(*) from speeches where client_id in (:a, :b)", a=client_id, b=back) == 2


def test_login_attempts_on_one_process_count_on_the_other(two_processes):
    _database_url, a, b = two_processes
    for _ in range(LOGIN_LIMIT):
        assert post_login(a, RESIDENT, password="wrong-password").status_code == 401

    refused = post_login(b, RESIDENT, password="wrong-password")

    assert refused.status_code == 429
    # the right password is refused too while the limit holds: the limit is on attempts, not failures
    assert post_login(a, RESIDENT).status_code == 429
