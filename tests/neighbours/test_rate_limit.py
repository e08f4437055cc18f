"""Help posts count against the members' posting allowance (RATELIMIT_POST), like ideas and comments."""

from __future__ import annotations

import pytest

from app.neighbours.models import HelpPost
from tests.conftest import running_app
from tests.neighbours import count, login


@pytest.fixture
def app(tmp_path):
    with running_app(tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_POST="2 per minute") as application:
        yield application


def test_posts_over_the_limit_are_refused_with_a_clear_message(client, world, groups):
    login(client, world.users["resident"])

    def send(client_id):
        data = {"client_id": client_id, "kind": "request", "category": "other", "title": f"求助 {client_id}"}
        return client.post(f"/groups/{groups.a.id}/help/new", data=data)

    assert [send(f"r-{n}").status_code for n in range(3)] == [302, 302, 429]
    refused = send("r-9")
    assert refused.status_code == 429
    assert "You are sending too fast. Please wait a moment." in refused.get_data(as_text=True)
    assert send("r-0").status_code == 302  # a retry of a stored post is no new post
    assert count(HelpPost) == 2
