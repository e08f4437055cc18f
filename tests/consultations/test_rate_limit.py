"""Posting is rate-limited per member, on the same storage as the HTTP limits."""

from __future__ import annotations

import pytest

from app.consultations.models import Speech
from tests.conftest import running_app
from tests.consultations.conftest import ack, make_consultation


@pytest.fixture
def app(tmp_path):
    """The root `app` fixture, with rate limits on (memory storage) and a low limit on speaking."""
    with running_app(tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_SPEAK="3 per minute") as application:
        yield application


def test_speaking_is_rate_limited_per_member(app, world, rules_templates, sockets):
    consultation = make_consultation(
        world, rules_templates, key="simple", slow_mode_seconds=0, max_speeches_per_motion=50
    )
    alice, bob = sockets("resident"), sockets("owner")
    said = [ack(alice, "speak", consultation_id=consultation.id, client_id=f"a{n}", body="说") for n in range(4)]
    assert [r["ok"] for r in said] == [True, True, True, False]
    assert said[3]["error"]["code"] == "rate_limited"
    assert "too fast" in said[3]["error"]["message"]
    # a retry of a stored speech is not a new post, and other members have their own allowance
    assert ack(alice, "speak", consultation_id=consultation.id, client_id="a0", body="说")["ok"]
    assert ack(bob, "speak", consultation_id=consultation.id, client_id="b0", body="说")["ok"]
    assert Speech.query.filter_by(author_id=world.users["resident"].id).count() == 3
