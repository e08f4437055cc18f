"""Every golden-idea page and action, allowed and denied, for every member key of the world and an
anonymous visitor. A denied request changes nothing.

The ideas here are submitted by the owner, who (a resident) may not endorse her own idea: support is what
others give it.

Members of another community and outsiders get 403 for the community's list (the community is
public, its ideas are not theirs) and 404 for an idea (its existence is not confirmed). Only
verified residents submit and endorse; verified members (the official parties too, not experts)
comment; only community staff change statuses and adopt.

The module runs on one world; each case makes its own idea.
"""

from __future__ import annotations

import uuid

import pytest

from app.consultations.models import Consultation, Phase
from app.extensions import db
from app.flows import ideas as flows
from app.ideas.models import Endorsement, Idea, IdeaComment, IdeaEvent, IdeaStatus
from app.notifications.models import Notification
from app.procedure.shipped import ensure_shipped
from tests import conftest as root
from tests.conftest import running_app
from tests.ideas import count, logged_in, make_idea, page, viewer

ANONYMOUS = "anonymous"
RESIDENTS = {"resident", "owner", "leader_a", "leader_b", "group_leader", "resident_rep", "owners_committee"}
COMMENTERS = RESIDENTS | {"property_manager", "staff", "social_org"}
PENDING = {"pending_a", "pending_b", "unverified"}
MEMBERS = COMMENTERS | {"expert"} | PENDING
OVERSEERS = {"street_staff", "district_staff"}
VISIBLE = MEMBERS | OVERSEERS
INVISIBLE = {"other_staff", "other_resident", "outsider"}
REVIEWERS = {"staff"}
AUTHOR = "owner"  # submits the ideas of the matrix
ENDORSERS = RESIDENTS - {AUTHOR}
WORLD_KEYS = sorted(VISIBLE | INVISIBLE)
KEYS = [*WORLD_KEYS, ANONYMOUS]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with running_app(
        tmp_path_factory.mktemp("imports"), UPLOAD_DIR=str(tmp_path_factory.mktemp("uploads"))
    ) as application:
        yield application


@pytest.fixture(scope="module")
def world(app):
    return root.world.__wrapped__(app)


@pytest.fixture(scope="module")
def rule_set(app):
    return ensure_shipped()[0]


def expected(key: str, allowed: set[str], ok: int, *, invisible: int = 404) -> int:
    """The status for `key`: `ok` if allowed, 403 for other readers, `invisible` for strangers."""
    if key == ANONYMOUS:
        return 302
    if key in allowed:
        return ok
    return invisible if key in INVISIBLE else 403


def client_for(app, world, key: str):
    return logged_in(app, None if key == ANONYMOUS else world.users[key])


def snapshot(idea: Idea | None = None) -> tuple:
    """Everything a denied request must leave as it was."""
    db.session.expire_all()
    counts = tuple(count(m) for m in (Idea, Endorsement, IdeaComment, IdeaEvent, Consultation, Notification))
    if idea is None:
        return counts
    return (*counts, idea.status, idea.endorsement_count, idea.comment_count, idea.consultation_id)


def check_anonymous(key, response):
    if key == ANONYMOUS:
        assert "/account/login" in response.headers["Location"]


def test_the_matrix_covers_every_member_of_the_world(world):
    assert set(WORLD_KEYS) == set(world.users)


@pytest.mark.parametrize("key", KEYS)
def test_index(app, world, key):
    make_idea(world, "owner", title="小区东门加装雨棚")
    response = client_for(app, world, key).get(f"/c/{world.community.slug}/ideas")
    assert response.status_code == expected(key, VISIBLE, 200, invisible=403), key
    check_anonymous(key, response)
    if response.status_code == 200:
        html = response.get_data(as_text=True)
        assert "小区东门加装雨棚" in html
        assert (f'href="/c/{world.community.slug}/ideas/new"' in html) == (key in RESIDENTS)


@pytest.mark.parametrize("key", KEYS)
def test_new_form(app, world, key):
    response = client_for(app, world, key).get(f"/c/{world.community.slug}/ideas/new")
    assert response.status_code == expected(key, RESIDENTS, 200, invisible=403), key
    check_anonymous(key, response)
    if response.status_code == 200:
        assert 'enctype="multipart/form-data"' in response.get_data(as_text=True)


@pytest.mark.parametrize("key", KEYS)
def test_submit(app, world, key):
    before = snapshot()
    title = f"垃圾分类点加盖 {uuid.uuid4().hex[:6]}"
    response = client_for(app, world, key).post(
        f"/c/{world.community.slug}/ideas/new",
        data={
            "client_id": uuid.uuid4().hex,
            "title": title,
            "category": "environment",
            "description": "夏天垃圾桶味道大，建议加盖并每天清洗。",
        },
    )
    assert response.status_code == expected(key, RESIDENTS, 302, invisible=403), key
    check_anonymous(key, response)
    if key in RESIDENTS:
        idea = db.session.scalars(db.select(Idea).filter_by(title=title)).one()
        assert idea.author_id == world.users[key].id
        assert idea.community_id == world.community.id
        assert response.headers["Location"].endswith(f"/ideas/{idea.id}")
    else:
        assert snapshot() == before


@pytest.mark.parametrize("key", KEYS)
def test_show(app, world, key):
    idea = make_idea(world, "owner")
    response = client_for(app, world, key).get(f"/ideas/{idea.id}")
    assert response.status_code == expected(key, VISIBLE, 200), key
    check_anonymous(key, response)
    if response.status_code == 200:
        doc = page(response)
        assert bool(doc.xpath(f'//form[@action="/ideas/{idea.id}/endorse"]')) == (key in ENDORSERS)
        own = "You submitted this idea: other residents endorse it." in response.get_data(as_text=True)
        assert own == (key == AUTHOR)
        assert bool(doc.xpath(f'//form[@action="/ideas/{idea.id}/comments"]')) == (key in COMMENTERS)
        assert bool(doc.xpath(f'//form[@action="/ideas/{idea.id}/status"]')) == (key in REVIEWERS)
        assert bool(doc.xpath(f'//form[@action="/ideas/{idea.id}/adopt"]')) is False  # only under review


@pytest.mark.parametrize("key", KEYS)
def test_endorse(app, world, key):
    idea = make_idea(world, "owner")
    before = snapshot(idea)
    response = client_for(app, world, key).post(f"/ideas/{idea.id}/endorse")
    assert response.status_code == expected(key, ENDORSERS, 302), key
    check_anonymous(key, response)
    if key == AUTHOR:  # told why, not just "forbidden"
        assert "You submitted this idea: other residents endorse it." in response.get_data(as_text=True)
    if key in ENDORSERS:
        db.session.expire_all()
        assert idea.endorsement_count == 1
        assert count(Endorsement, idea_id=idea.id, user_id=world.users[key].id) == 1
    else:
        assert snapshot(idea) == before


@pytest.mark.parametrize("key", KEYS)
def test_comment(app, world, key):
    idea = make_idea(world, "owner")
    before = snapshot(idea)
    response = client_for(app, world, key).post(
        f"/ideas/{idea.id}/comments", data={"client_id": uuid.uuid4().hex, "body": "支持！我家老人也需要。"}
    )
    assert response.status_code == expected(key, COMMENTERS, 302), key
    check_anonymous(key, response)
    if key in COMMENTERS:
        db.session.expire_all()
        assert idea.comment_count == 1
        assert count(IdeaComment, idea_id=idea.id, author_id=world.users[key].id) == 1
    else:
        assert snapshot(idea) == before


@pytest.mark.parametrize("key", KEYS)
def test_change_status(app, world, key):
    idea = make_idea(world, "owner")
    before = snapshot(idea)
    response = client_for(app, world, key).post(
        f"/ideas/{idea.id}/status", data={"status": "under_review", "reason": "居委会本周讨论。"}
    )
    assert response.status_code == expected(key, REVIEWERS, 302), key
    check_anonymous(key, response)
    if key in REVIEWERS:
        db.session.expire_all()
        assert idea.status == IdeaStatus.UNDER_REVIEW
    else:
        assert snapshot(idea) == before


@pytest.mark.parametrize("key", KEYS)
def test_adopt(app, world, rule_set, key):
    idea = make_idea(world, "owner", status=IdeaStatus.UNDER_REVIEW)
    before = snapshot(idea)
    response = client_for(app, world, key).post(
        f"/ideas/{idea.id}/adopt",
        data={"chair_id": world.users["leader_a"].id, "rule_set_id": rule_set.id, "reason": "提交居民议事。"},
    )
    assert response.status_code == expected(key, REVIEWERS, 302), key
    check_anonymous(key, response)
    if key in REVIEWERS:
        db.session.expire_all()
        assert idea.status == IdeaStatus.ADOPTED
        consultation = db.session.get(Consultation, idea.consultation_id)
        assert consultation.phase == Phase.DRAFT
    else:
        assert snapshot(idea) == before


@pytest.mark.parametrize("key", ["resident", "staff", "other_resident", "street_staff"])
def test_a_hidden_idea_is_seen_by_its_author_and_the_staff_only(app, world, key):
    from app.core.models import utcnow

    idea = make_idea(world, "owner", title="被隐藏的点子", hidden_at=utcnow(), hidden_reason="含个人信息")
    for who, status in (("owner", 200), ("staff", 200), (key, 200 if key == "staff" else 404)):
        assert client_for(app, world, who).get(f"/ideas/{idea.id}").status_code == status, who
    listing = client_for(app, world, "staff").get(f"/c/{world.community.slug}/ideas").get_data(as_text=True)
    assert "被隐藏的点子" not in listing


@pytest.mark.parametrize("key", KEYS)
def test_adopt_as_micro_project(app, world, key):
    from app.microprojects.models import MicroProject

    idea = make_idea(world, "owner", status=IdeaStatus.UNDER_REVIEW)
    before = (*snapshot(idea), count(MicroProject))
    response = client_for(app, world, key).post(f"/ideas/{idea.id}/adopt-project", data={"reason": "用微基金实施。"})
    assert response.status_code == expected(key, REVIEWERS, 302), key
    check_anonymous(key, response)
    if key in REVIEWERS:
        db.session.expire_all()
        assert idea.status == IdeaStatus.ADOPTED
        project = db.session.scalars(db.select(MicroProject).filter_by(idea_id=idea.id)).one()
        assert project.applicant_id == world.users["owner"].id
    else:
        assert (*snapshot(idea), count(MicroProject)) == before


@pytest.mark.parametrize("key", KEYS)
def test_the_adopt_as_micro_project_form_is_offered_to_staff_only(app, world, key):
    idea = make_idea(world, "owner", status=IdeaStatus.UNDER_REVIEW)
    response = client_for(app, world, key).get(f"/ideas/{idea.id}")
    if response.status_code == 200:
        form = page(response).xpath(f'//form[@action="/ideas/{idea.id}/adopt-project"]')
        assert bool(form) == (key in REVIEWERS), key
    else:
        assert key not in REVIEWERS


@pytest.mark.parametrize("key", KEYS)
def test_the_adopted_draft_is_seen_and_completed_by_its_applicant(app, world, key):
    """The draft made from the owner's idea: the owner and staff see it; only the owner edits it."""
    from app.microprojects.models import MicroProject

    idea = make_idea(world, "owner", status=IdeaStatus.UNDER_REVIEW)
    flows.adopt_as_micro_project(viewer(world, "staff"), idea, reason="用微基金实施。")
    db.session.commit()
    project = db.session.scalars(db.select(MicroProject).filter_by(idea_id=idea.id)).one()
    http = client_for(app, world, key)
    shown = http.get(f"/projects/{project.id}")
    if key == ANONYMOUS:
        assert shown.status_code == 302
    else:
        assert shown.status_code == (200 if key in {"owner", "staff"} else 404), key
    edit = http.get(f"/projects/{project.id}/edit")
    if key == ANONYMOUS:
        assert edit.status_code == 302
    elif key == "owner":
        assert edit.status_code == 200
    else:
        assert edit.status_code == (403 if key == "staff" else 404), key
