"""Comments on a draft share the members' allowance of new posts (RATELIMIT_POST), like other comments; a retry of
a stored comment is not a new post, and nothing is stored once refused."""

from __future__ import annotations

import uuid

import pytest

from app.rulebook.models import DraftState, RuleComment
from tests.conftest import running_app
from tests.rulebook import count, draft_in, logged_in


@pytest.fixture
def app(tmp_path):
    with running_app(tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_POST="3 per minute") as application:
        yield application


def test_comments_over_the_limit_are_refused(app, world):
    draft, _ = draft_in(world, DraftState.COMMENTING)
    http = logged_in(app, world.users["owner"])
    ids = [uuid.uuid4().hex for _ in range(4)]
    url = f"/rules/drafts/{draft.id}/comments"
    codes = [http.post(url, data={"client_id": ids[n], "body": f"第{n}条意见"}).status_code for n in range(4)]
    assert codes == [302, 302, 302, 429]
    assert count(RuleComment) == 3
    again = http.post(url, data={"client_id": ids[0], "body": "第0条意见"})  # a retry of a stored one
    assert again.status_code in (302, 429) and count(RuleComment) == 3
