"""Every page and action of the community's rules, allowed and denied, for every member key of the world (a
building leader of this building and of another, committee roles, staff, street and district staff, another
community's staff and resident, an outsider) and an anonymous visitor. A denied request changes nothing.

Everyone who may see the community reads its rules and the drafts put to it (a draft being written is the
staff's: 404 to others); community staff draft, open comments and the vote, withdraw, hide, restore and mute;
verified members comment and report; verified residents vote. Others' communities: 404."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from app.core.models import utcnow
from app.extensions import db
from app.moderation.models import ModerationAction, Mute, Report
from app.procedure.shipped import ensure_shipped
from app.rulebook import services
from app.rulebook.models import DraftState, RuleComment, RuleDraft
from app.voting.models import Ballot, Participation
from tests.rulebook import count, draft_in, logged_in, viewer

ANONYMOUS = "anonymous"
RESIDENTS = {"resident", "owner", "leader_a", "leader_b", "group_leader", "resident_rep", "owners_committee"}
VERIFIED = RESIDENTS | {"property_manager", "staff", "social_org", "expert"}
PENDING = {"pending_a", "pending_b", "unverified"}
MEMBERS = VERIFIED | PENDING
OVERSEERS = {"street_staff", "district_staff"}
VISIBLE = MEMBERS | OVERSEERS
INVISIBLE = {"other_staff", "other_resident", "outsider"}
STAFF = {"staff"}
KEYS = [*sorted(VISIBLE | INVISIBLE), ANONYMOUS]


def expected(key: str, allowed: set[str], ok: int, *, seen: set[str] = VISIBLE) -> int:
    """Anonymous: to the login; allowed: `ok`; may see but not allowed: 403; may not see: 404."""
    if key == ANONYMOUS:
        return 302
    if key in allowed:
        return ok
    return 403 if key in seen else 404


def http(app, world, key):
    return logged_in(app, None if key == ANONYMOUS else world.users[key])


def snapshot() -> tuple:
    db.session.expire_all()
    return tuple(
        count(m) for m in (RuleDraft, RuleComment, Ballot, Participation, Report, Mute, ModerationAction)
    ) + tuple((d.id, d.state, d.rule_set.name, d.comments_close_at) for d in db.session.scalars(db.select(RuleDraft)))


def test_the_matrix_covers_every_member_of_the_world(world):
    assert set(KEYS) - {ANONYMOUS} == set(world.users)


@pytest.mark.parametrize("key", KEYS)
def test_rules_page(app, world, key):
    draft, _ = draft_in(world, DraftState.COMMENTING)
    writing, _ = draft_in(world, DraftState.DRAFTING, name="还在起草的规则")
    response = http(app, world, key).get("/c/cuizhuyuan/rules")
    assert response.status_code == expected(key, VISIBLE, 200), key
    if response.status_code == 200:
        html = response.get_data(as_text=True)
        assert draft.title in html
        assert (writing.rule_set.name in html) == (key in STAFF)
        assert ('href="/c/cuizhuyuan/rules/new"' in html) == (key in STAFF)


@pytest.mark.parametrize("key", KEYS)
def test_new_draft_form(app, world, key):
    response = http(app, world, key).get("/c/cuizhuyuan/rules/new")
    assert response.status_code == expected(key, STAFF, 200), key


@pytest.mark.parametrize("key", KEYS)
def test_make_a_draft(app, world, key):
    before = snapshot()
    template = ensure_shipped()[0]
    response = http(app, world, key).post(
        "/c/cuizhuyuan/rules/new",
        data={"client_id": uuid.uuid4().hex, "source_id": str(template.id), "name": "翠竹园规则", "explanation": ""},
    )
    assert response.status_code == expected(key, STAFF, 302), key
    if key in STAFF:
        draft = db.session.scalar(db.select(RuleDraft))
        assert draft.rule_set.name == "翠竹园规则" and draft.state == DraftState.DRAFTING
    else:
        assert snapshot() == before


@pytest.mark.parametrize("key", KEYS)
def test_a_draft_being_written_is_the_staffs(app, world, key):
    draft, _ = draft_in(world, DraftState.DRAFTING)
    response = http(app, world, key).get(f"/rules/drafts/{draft.id}")
    assert response.status_code == expected(key, STAFF, 200, seen=set()), key


@pytest.mark.parametrize("key", KEYS)
def test_a_draft_open_for_comments_is_everyones(app, world, key):
    draft, _ = draft_in(world, DraftState.COMMENTING)
    response = http(app, world, key).get(f"/rules/drafts/{draft.id}")
    assert response.status_code == expected(key, VISIBLE, 200), key
    if response.status_code == 200:
        html = response.get_data(as_text=True)
        assert "Longest speech (characters): 500 → 300" in html
        assert (f'action="/rules/drafts/{draft.id}/comments"' in html) == (key in VERIFIED)
        assert (f'href="/rules/drafts/{draft.id}/edit"' in html) == (key in STAFF)


@pytest.mark.parametrize("key", KEYS)
def test_change_a_draft(app, world, key):
    draft, _ = draft_in(world, DraftState.COMMENTING)
    client = http(app, world, key)
    assert client.get(f"/rules/drafts/{draft.id}/edit").status_code == expected(key, STAFF, 200), key
    before = snapshot()
    form = {name: str(getattr(draft.rule_set, name)) for name in ("max_speech_chars", "max_speeches_per_motion")}
    form |= {"floor_seconds": "120", "slow_mode_seconds": "0", "quorum_num": "1", "quorum_den": "2"}
    form |= {"pass_num": "1", "pass_den": "2", "auto_hide_reports": "3", "mode": "formal", "tie_fails": "y"}
    form |= {"pass_strict": "y", "name": "改过的规则", "text": "1. 主持中立", "explanation": "改"}
    response = client.post(f"/rules/drafts/{draft.id}/edit", data=form)
    assert response.status_code == expected(key, STAFF, 302), key
    db.session.expire_all()
    assert (draft.rule_set.name == "改过的规则") == (key in STAFF)
    if key not in STAFF:
        assert snapshot() == before


@pytest.mark.parametrize("key", KEYS)
def test_open_comments(app, world, key):
    draft, _ = draft_in(world, DraftState.DRAFTING)
    before = snapshot()
    day = (date.today() + timedelta(days=5)).isoformat()
    response = http(app, world, key).post(f"/rules/drafts/{draft.id}/open-comments", data={"closes_on": day})
    assert response.status_code == expected(key, STAFF, 302, seen=set()), key
    db.session.expire_all()
    assert (draft.state == DraftState.COMMENTING) == (key in STAFF)
    if key not in STAFF:
        assert snapshot() == before


@pytest.mark.parametrize("key", KEYS)
def test_open_the_vote(app, world, key):
    draft, _ = draft_in(world, DraftState.COMMENTING)
    draft.comments_close_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    before = snapshot()
    day = (date.today() + timedelta(days=7)).isoformat()
    response = http(app, world, key).post(f"/rules/drafts/{draft.id}/open-vote", data={"closes_on": day})
    assert response.status_code == expected(key, STAFF, 302), key
    db.session.expire_all()
    assert (draft.state == DraftState.VOTING) == (key in STAFF)
    if key not in STAFF:
        assert snapshot() == before


@pytest.mark.parametrize("key", KEYS)
def test_withdraw(app, world, key):
    draft, _ = draft_in(world, DraftState.COMMENTING)
    before = snapshot()
    response = http(app, world, key).post(f"/rules/drafts/{draft.id}/withdraw")
    assert response.status_code == expected(key, STAFF, 302), key
    db.session.expire_all()
    assert (draft.state == DraftState.WITHDRAWN) == (key in STAFF)
    if key not in STAFF:
        assert snapshot() == before


@pytest.mark.parametrize("key", KEYS)
def test_comment(app, world, key):
    draft, _ = draft_in(world, DraftState.COMMENTING)
    before = snapshot()
    response = http(app, world, key).post(
        f"/rules/drafts/{draft.id}/comments", data={"client_id": uuid.uuid4().hex, "body": "发言两分钟太短了。"}
    )
    assert response.status_code == expected(key, VERIFIED, 302), key
    if key in VERIFIED:
        assert count(RuleComment) == 1
    else:
        assert snapshot() == before


@pytest.mark.parametrize("key", KEYS)
def test_vote(app, world, key):
    draft, _ = draft_in(world, DraftState.VOTING)
    before = snapshot()
    response = http(app, world, key).post(f"/rules/drafts/{draft.id}/vote", data={"choice": "yes"})
    assert response.status_code == expected(key, RESIDENTS, 302), key
    if key in RESIDENTS:
        assert count(Ballot, poll_type="rules") == 1
        page = http(app, world, key).get(f"/rules/drafts/{draft.id}").get_data(as_text=True)
        assert services.my_receipt(viewer(world, key), draft) in page
    else:
        assert snapshot() == before


def _commented(world, key="resident"):
    draft, now = draft_in(world, DraftState.COMMENTING)
    item = services.comment(viewer(world, key), draft, client_id="c", body="我反对限制发言次数。", now=now)
    db.session.commit()
    return draft, item


@pytest.mark.parametrize("key", KEYS)
def test_report(app, world, key):
    _draft, item = _commented(world)
    before = snapshot()
    response = http(app, world, key).post(f"/rules/comments/{item.id}/report", data={"reason": "人身攻击"})
    allowed = VERIFIED - {"resident"}  # not one's own comment
    assert response.status_code == expected(key, allowed, 302), key
    assert count(Report) == (1 if key in allowed else 0)
    if key not in allowed:
        assert snapshot() == before


@pytest.mark.parametrize("key", KEYS)
def test_hide_and_restore(app, world, key):
    _draft, item = _commented(world)
    before = snapshot()
    client = http(app, world, key)
    response = client.post(f"/rules/comments/{item.id}/hide", data={"reason": "人身攻击"})
    assert response.status_code == expected(key, STAFF, 302), key
    db.session.expire_all()
    assert item.is_hidden == (key in STAFF)
    if key not in STAFF:
        assert snapshot() == before
        services.hide(viewer(world, "staff"), item, "人身攻击")
        db.session.commit()
        before = snapshot()
    response = client.post(f"/rules/comments/{item.id}/restore")
    assert response.status_code == expected(key, STAFF, 302), key
    db.session.expire_all()
    assert item.is_hidden == (key not in STAFF)
    if key not in STAFF:
        assert snapshot() == before


@pytest.mark.parametrize("key", KEYS)
def test_mute(app, world, key):
    draft, item = _commented(world)
    before = snapshot()
    response = http(app, world, key).post(
        f"/rules/comments/{item.id}/mute", data={"reason": "反复刷屏", "minutes": "60"}
    )
    assert response.status_code == expected(key, STAFF, 302), key
    assert count(Mute) == (1 if key in STAFF else 0)
    if key not in STAFF:
        assert snapshot() == before
    else:
        muted = http(app, world, "resident").post(
            f"/rules/drafts/{draft.id}/comments", data={"client_id": uuid.uuid4().hex, "body": "再说一次"}
        )
        assert muted.status_code == 403 and count(RuleComment) == 1


@pytest.mark.parametrize("key", ["staff", "resident"])
def test_another_communitys_draft_is_not_found(app, world, key):
    other = draft_in(world, DraftState.COMMENTING)[0]
    other.community_id = world.other.id
    other.rule_set.community_id = world.other.id
    db.session.commit()
    client = http(app, world, key)
    assert client.get(f"/rules/drafts/{other.id}").status_code == 404
    assert client.post(f"/rules/drafts/{other.id}/comments", data={"client_id": "x", "body": "x"}).status_code == 404
