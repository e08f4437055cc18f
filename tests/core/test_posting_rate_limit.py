"""New posts (golden ideas, comments, contest entries, objections) share one allowance per member
(RATELIMIT_POST); a retry of a stored post is not a new post, and nothing is stored once refused."""

from __future__ import annotations

import uuid

import pytest

from app.contests import services as contests
from app.contests.models import Entry, Phase
from app.core.ratelimit import RateLimited
from app.extensions import db
from app.ideas.models import Idea, IdeaComment
from app.objections.models import Objection
from tests.conftest import running_app
from tests.contests import contest_in, count, viewer
from tests.ideas import logged_in, make_idea
from tests.ideas import viewer as idea_viewer


@pytest.fixture
def app(tmp_path):
    """The root `app` fixture, with rate limits on (memory storage) and room for three posts a minute."""
    with running_app(tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_POST="3 per minute") as application:
        yield application


def test_comments_over_the_limit_are_refused_with_a_clear_message(app, world):
    idea = make_idea(world, "owner")  # the owner's first post
    http = logged_in(app, world.users["resident"], "en")
    ids = [uuid.uuid4().hex for _ in range(4)]
    codes = [
        http.post(f"/ideas/{idea.id}/comments", data={"client_id": ids[n], "body": f"第{n}条意见"}).status_code
        for n in range(4)
    ]
    assert codes == [302, 302, 302, 429]
    refused = http.post(f"/ideas/{idea.id}/comments", data={"client_id": uuid.uuid4().hex, "body": "再说一句"})
    assert refused.status_code == 429
    assert "You are sending too fast. Please wait a moment." in refused.get_data(as_text=True)
    assert count(IdeaComment, author_id=world.users["resident"].id) == 3
    # a retry of a stored comment answers as before; another member has their own allowance
    again = http.post(f"/ideas/{idea.id}/comments", data={"client_id": ids[0], "body": "第0条意见"})
    assert again.status_code == 302
    other = logged_in(app, world.users["leader_a"], "en")
    assert other.post(f"/ideas/{idea.id}/comments", data={"client_id": "x", "body": "同意"}).status_code == 302


def test_ideas_comments_and_entries_share_the_allowance(app, world):
    contest, _ = contest_in(world, Phase.SUBMISSION, entries=0)
    resident = world.users["resident"]
    idea = make_idea(world, "resident")  # 1
    from app.ideas import services as ideas

    ideas.comment(idea_viewer(world, "resident"), idea, client_id="c1", body="补充一点")  # 2
    db.session.commit()
    contests.submit_entry(
        viewer(resident, contest),
        contest,
        client_id="e1",
        title="加装扶手",
        summary="楼道加装扶手，方便老人上下。",
        budget_fen=100,
    )  # 3
    with pytest.raises(RateLimited):
        contests.submit_entry(
            viewer(resident, contest),
            contest,
            client_id="e2",
            title="增设座椅",
            summary="在花园增设休息座椅两张。",
            budget_fen=100,
        )
    with pytest.raises(RateLimited):
        make_idea(world, "resident")
    assert count(Entry, author_id=resident.id) == 1
    assert count(Idea, author_id=resident.id) == 1


def test_objections_count_too(app, world):
    contest, _ = contest_in(world, Phase.ANNOUNCED, votes=[("resident", [0])])
    objector = world.users["leader_a"]  # no entry of theirs: the whole allowance left
    for n in range(3):
        contests.object_to(viewer(objector, contest), contest, client_id=f"o{n}", body=f"第{n}份异议：计票有误")
    with pytest.raises(RateLimited):
        contests.object_to(viewer(objector, contest), contest, client_id="o3", body="第3份异议：计票有误")
    assert (
        contests.object_to(viewer(objector, contest), contest, client_id="o0", body="第0份异议：计票有误").client_id
        == "o0"
    )
    assert count(Objection, author_id=objector.id) == 3
