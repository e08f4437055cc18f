"""Bad input is a clear translated message and nothing stored: a vote or comment period closing in the past,
an empty draft, a comment after the period (or before it), an empty or over-long comment, a vote before the
comment period is over, a draft changed after the vote opened; reports hide a comment automatically."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from app.core.errors import DomainError
from app.core.models import utcnow
from app.extensions import db
from app.moderation.models import Report
from app.procedure import services as rule_sets
from app.rulebook import services
from app.rulebook.models import DraftState, RuleComment, RuleDraft
from app.voting.models import Poll
from tests.rulebook import DAY, count, draft_in, logged_in, make_draft, viewer

YESTERDAY = (date.today() - timedelta(days=2)).isoformat()


def _page(response) -> str:
    return response.get_data(as_text=True)


def test_a_vote_closing_in_the_past_is_refused(app, world):
    draft, _ = draft_in(world, DraftState.COMMENTING)
    draft.comments_close_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    staff = logged_in(app, world.users["staff"])
    response = staff.post(f"/rules/drafts/{draft.id}/open-vote", data={"closes_on": YESTERDAY})
    assert response.status_code == 400 and "The vote must close in the future." in _page(response)
    db.session.expire_all()
    assert draft.state == DraftState.COMMENTING and count(Poll) == 0
    world.users["staff"].locale = "zh_CN"
    db.session.commit()
    zh = logged_in(app, world.users["staff"], "zh-CN").post(
        f"/rules/drafts/{draft.id}/open-vote", data={"closes_on": YESTERDAY}
    )
    assert "表决截止时间必须在将来。" in _page(zh)


def test_comments_closing_in_the_past_are_refused(app, world):
    draft, _ = draft_in(world, DraftState.DRAFTING)
    response = logged_in(app, world.users["staff"]).post(
        f"/rules/drafts/{draft.id}/open-comments", data={"closes_on": YESTERDAY}
    )
    assert response.status_code == 400 and "The comment period must end in the future." in _page(response)
    db.session.expire_all()
    assert draft.state == DraftState.DRAFTING and draft.comments_close_at is None


@pytest.mark.parametrize("closes_on", ["", "明天", "2026-13-40"])
def test_a_bad_date_is_refused(app, world, closes_on):
    draft, _ = draft_in(world, DraftState.DRAFTING)
    response = logged_in(app, world.users["staff"]).post(
        f"/rules/drafts/{draft.id}/open-comments", data={"closes_on": closes_on}
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert draft.state == DraftState.DRAFTING


def test_the_vote_waits_for_the_comment_period(app, world):
    draft, now = draft_in(world, DraftState.COMMENTING)
    with pytest.raises(DomainError) as refused:
        services.open_vote(viewer(world, "staff"), draft, now + 10 * DAY, now=now + DAY)
    assert refused.value.status_code == 409
    db.session.rollback()
    assert count(Poll) == 0


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_an_empty_draft_is_refused(app, world, text):
    draft, _ = draft_in(world, DraftState.DRAFTING)
    before = draft.rule_set.text
    form = {"mode": "formal", "max_speech_chars": "300", "max_speeches_per_motion": "2", "floor_seconds": "120"}
    form |= {"slow_mode_seconds": "0", "quorum_num": "1", "quorum_den": "2", "pass_num": "1", "pass_den": "2"}
    form |= {"auto_hide_reports": "3", "name": "新规则", "text": text}
    response = logged_in(app, world.users["staff"]).post(f"/rules/drafts/{draft.id}/edit", data=form)
    assert response.status_code == 400
    assert "The draft is empty: write the rules in plain words, one per line." in _page(response)
    db.session.expire_all()
    assert draft.rule_set.text == before and draft.rule_set.name != "新规则"


def test_a_draft_from_an_empty_set_is_refused(app, world):
    staff = viewer(world, "staff")
    template = rule_sets.library(world.community)[0][0]
    empty = rule_sets.copy(staff, template, "空白规则")
    empty.text = ""
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        services.create(staff, client_id=uuid.uuid4().hex, source_id=empty.id, name="x")
    assert refused.value.code == "empty_draft"
    db.session.rollback()
    assert count(RuleDraft) == 0


def test_a_source_from_elsewhere_is_refused(app, world):
    other_template = rule_sets.copy(
        viewer(world, "other_staff", world.other), rule_sets.library(world.other)[0][0], "南塘自己的"
    )
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        make_draft(world, source=other_template)
    assert refused.value.field == "source_id"


def test_a_comment_after_the_period_is_refused(app, world):
    draft, _now = draft_in(world, DraftState.COMMENTING)
    draft.comments_close_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = logged_in(app, world.users["resident"]).post(
        f"/rules/drafts/{draft.id}/comments", data={"client_id": uuid.uuid4().hex, "body": "晚了吗？"}
    )
    assert response.status_code == 409
    assert "The comment period has ended: comments are no longer taken." in _page(response)
    assert count(RuleComment) == 0
    world.users["resident"].locale = "zh_CN"
    db.session.commit()
    zh = logged_in(app, world.users["resident"], "zh-CN").post(
        f"/rules/drafts/{draft.id}/comments", data={"client_id": uuid.uuid4().hex, "body": "晚了吗？"}
    )
    assert "征求意见期已经结束" in _page(zh)
    assert count(RuleComment) == 0


def test_a_comment_before_the_period_is_refused(app, world):
    draft, now = draft_in(world, DraftState.DRAFTING)
    with pytest.raises(DomainError) as refused:
        services.comment(viewer(world, "staff"), draft, client_id="c", body="先说两句", now=now)
    assert refused.value.code == "comments_closed"


@pytest.mark.parametrize("body", ["", "   ", "长" * 1001, "坏\x00字"])
def test_a_bad_comment_is_refused(app, world, body):
    draft, _ = draft_in(world, DraftState.COMMENTING)
    response = logged_in(app, world.users["resident"]).post(
        f"/rules/drafts/{draft.id}/comments", data={"client_id": uuid.uuid4().hex, "body": body}
    )
    assert response.status_code == 400
    assert count(RuleComment) == 0


def test_a_bad_ballot_is_refused(app, world):
    draft, _ = draft_in(world, DraftState.VOTING)
    response = logged_in(app, world.users["resident"]).post(f"/rules/drafts/{draft.id}/vote", data={"choice": "x"})
    assert response.status_code == 400
    assert count(Poll) == 1 and services.my_receipt(viewer(world, "resident"), draft) is None


def test_voting_after_the_close_is_refused(app, world):
    draft, _ = draft_in(world, DraftState.VOTING)
    draft.vote_closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = logged_in(app, world.users["resident"]).post(f"/rules/drafts/{draft.id}/vote", data={"choice": "yes"})
    assert response.status_code == 409 and "Voting is not open." in _page(response)
    db.session.expire_all()
    assert draft.state == DraftState.REJECTED  # closed by the visit, counted: nobody voted


def test_reports_hide_a_comment_until_staff_review_it(app, world):
    draft, now = draft_in(world, DraftState.COMMENTING)
    item = services.comment(viewer(world, "resident"), draft, client_id="c", body="某某就是个骗子", now=now)
    for key in ("owner", "leader_a"):
        services.report(viewer(world, key), item, "人身攻击")
    assert not item.is_hidden
    _report, auto = services.report(viewer(world, "leader_b"), item, "人身攻击")  # the draft's threshold: 3
    db.session.commit()
    assert auto is not None and item.is_hidden and count(Report) == 3
    html = _page(logged_in(app, world.users["owner"]).get(f"/rules/drafts/{draft.id}"))
    assert "某某就是个骗子" not in html
    assert "某某就是个骗子" in _page(logged_in(app, world.users["staff"]).get(f"/rules/drafts/{draft.id}"))
    services.restore(viewer(world, "staff"), item)
    db.session.commit()
    assert "某某就是个骗子" in _page(logged_in(app, world.users["owner"]).get(f"/rules/drafts/{draft.id}"))
