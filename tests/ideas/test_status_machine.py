"""An idea's statuses (PRODUCT.md "Golden ideas"): every allowed change succeeds, with an event in
the history and a notification to the submitter; every other change is refused (409) and changes
nothing. A reason is always required; a merge needs another idea of the same community; adopting
makes a draft consultation, linked to the idea, and only from "under review".

The module runs on one world; each case makes its own ideas.
"""

from __future__ import annotations

import itertools

import pytest

from app.consultations.models import Consultation, Phase
from app.extensions import db
from app.ideas import services
from app.ideas.models import Idea, IdeaEvent, IdeaStatus
from app.notifications.models import Notification
from app.procedure.shipped import ensure_shipped
from tests import conftest as root
from tests.conftest import running_app
from tests.ideas import count, logged_in, make_idea, page, text_of

ALLOWED = sorted((old, new) for old, targets in services.TRANSITIONS.items() for new in targets)
REFUSED = sorted(
    pair for pair in itertools.product(IdeaStatus, IdeaStatus) if pair[1] not in services.TRANSITIONS[pair[0]]
)


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


@pytest.fixture
def staff(app, world):
    return logged_in(app, world.users["staff"])


def snapshot(idea: Idea) -> tuple:
    db.session.expire_all()
    return (
        idea.status,
        idea.merged_into_id,
        idea.consultation_id,
        count(IdeaEvent, idea_id=idea.id),
        count(Notification),
        count(Consultation),
    )


def test_the_machine_is_the_one_of_the_product():
    """submitted → under review → adopted / merged / declined → implemented (PRODUCT.md)."""
    assert len(ALLOWED) == 7
    assert len(REFUSED) == 36 - 7
    assert services.TRANSITIONS[IdeaStatus.ADOPTED] == {IdeaStatus.IMPLEMENTED}
    for final in (IdeaStatus.MERGED, IdeaStatus.DECLINED, IdeaStatus.IMPLEMENTED):
        assert services.TRANSITIONS[final] == set()


@pytest.mark.parametrize(("old", "new"), ALLOWED, ids=lambda s: s.value)
def test_every_allowed_change_is_recorded_and_told_to_the_submitter(app, world, staff, old, new):
    idea = make_idea(world, "owner", status=old)
    target = make_idea(world, "resident")
    author = world.users["owner"]
    told_before = count(Notification, user_id=author.id, kind="idea_status")
    reason = f"理由：{old.value} 到 {new.value}"
    data = {"status": new.value, "reason": reason}
    if new == IdeaStatus.MERGED:
        data["merged_into_id"] = str(target.id)

    response = staff.post(f"/ideas/{idea.id}/status", data=data)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/ideas/{idea.id}")
    db.session.expire_all()
    assert idea.status == new
    event = idea.events[-1]
    assert (event.from_status, event.to_status, event.reason, event.actor_id) == (
        old,
        new,
        reason,
        world.users["staff"].id,
    )
    assert idea.merged_into_id == (target.id if new == IdeaStatus.MERGED else None)
    assert count(Notification, user_id=author.id, kind="idea_status") == told_before + 1
    told = db.session.scalars(
        db.select(Notification).filter_by(user_id=author.id, kind="idea_status").order_by(Notification.id.desc())
    ).first()
    assert reason in told.text
    assert told.url == f"/ideas/{idea.id}"
    # need → feedback: the history, with the reason, is there for everyone who reads the idea
    for key in ("owner", "resident", "unverified", "street_staff"):
        doc = page(logged_in(app, world.users[key]).get(f"/ideas/{idea.id}"))
        assert reason in text_of(doc, '//ol[@class="timeline"]'), key


@pytest.mark.parametrize(("old", "new"), REFUSED, ids=lambda s: s.value)
def test_every_other_change_is_refused_and_changes_nothing(world, staff, old, new):
    idea = make_idea(world, "owner", status=old)
    target = make_idea(world, "resident")
    before = snapshot(idea)

    response = staff.post(
        f"/ideas/{idea.id}/status", data={"status": new.value, "reason": "试试看", "merged_into_id": str(target.id)}
    )

    assert response.status_code == 409
    assert "cannot become" in response.get_data(as_text=True)
    assert snapshot(idea) == before


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "blank"])
def test_a_reason_is_required(world, staff, reason):
    idea = make_idea(world, "owner")
    before = snapshot(idea)
    response = staff.post(f"/ideas/{idea.id}/status", data={"status": "declined", "reason": reason})
    assert response.status_code == 400
    doc = page(response)
    assert "Give a reason" in text_of(doc, '//*[@id="status-reason-error"]')
    assert snapshot(idea) == before


def test_an_unknown_status_is_refused(world, staff):
    idea = make_idea(world, "owner")
    before = snapshot(idea)
    response = staff.post(f"/ideas/{idea.id}/status", data={"status": "approved", "reason": "好"})
    assert response.status_code == 400
    assert snapshot(idea) == before


@pytest.mark.parametrize("case", ["missing", "unknown", "itself", "other_community", "merged", "not_a_number"])
def test_a_merge_needs_another_idea_of_the_same_community(world, staff, case):
    idea = make_idea(world, "owner")
    merged = make_idea(world, "resident", status=IdeaStatus.MERGED)
    far = make_idea(world, "other_resident", community=world.other)
    target = {
        "missing": "",
        "unknown": "999999",
        "itself": str(idea.id),
        "other_community": str(far.id),
        "merged": str(merged.id),
        "not_a_number": "abc",
    }[case]
    before = snapshot(idea)

    response = staff.post(
        f"/ideas/{idea.id}/status", data={"status": "merged", "reason": "与之前的点子重复", "merged_into_id": target}
    )

    assert response.status_code == 400
    assert text_of(page(response), '//*[@id="status-merged-into-error"]')
    assert snapshot(idea) == before


def test_a_merged_idea_links_to_the_one_it_was_merged_into(app, world, staff):
    first = make_idea(world, "resident", title="东门加装雨棚")
    idea = make_idea(world, "owner")
    staff.post(f"/ideas/{idea.id}/status", data={"status": "merged", "reason": "重复", "merged_into_id": first.id})
    doc = page(logged_in(app, world.users["owner"]).get(f"/ideas/{idea.id}"))
    links = doc.xpath(f'//a[@href="/ideas/{first.id}"]')
    assert links
    assert "东门加装雨棚" in links[0].text_content()


def test_adopting_makes_a_draft_consultation_linked_to_the_idea(app, world, staff, rule_set):
    idea = make_idea(world, "owner", status=IdeaStatus.UNDER_REVIEW, title="楼下空地改成健身角")
    told_before = count(Notification, user_id=world.users["owner"].id, kind="idea_status")

    response = staff.post(
        f"/ideas/{idea.id}/adopt",
        data={"chair_id": world.users["leader_a"].id, "rule_set_id": rule_set.id, "reason": "交居民议事决定。"},
    )

    assert response.status_code == 302
    db.session.expire_all()
    consultation = db.session.get(Consultation, idea.consultation_id)
    assert consultation is not None
    assert response.headers["Location"].endswith(f"/consultations/{consultation.id}")
    assert consultation.phase == Phase.DRAFT
    assert consultation.community_id == world.community.id
    assert consultation.title == "楼下空地改成健身角"
    assert consultation.chair_id == world.users["leader_a"].id
    assert f"#{idea.id}" in consultation.background
    assert idea.status == IdeaStatus.ADOPTED
    assert (idea.events[-1].from_status, idea.events[-1].to_status) == (IdeaStatus.UNDER_REVIEW, IdeaStatus.ADOPTED)
    assert count(Notification, user_id=world.users["owner"].id, kind="idea_status") == told_before + 1
    assert services.ideas_of_consultation(consultation.id) == [idea]
    # the idea's page links to the consultation; once adopted, the adopt form is gone
    doc = page(staff.get(f"/ideas/{idea.id}"))
    assert doc.xpath(f'//a[@href="/consultations/{consultation.id}"]')
    assert not doc.xpath(f'//form[@action="/ideas/{idea.id}/adopt"]')


@pytest.mark.parametrize("old", [s for s in IdeaStatus if s != IdeaStatus.UNDER_REVIEW], ids=lambda s: s.value)
def test_adopting_is_only_from_under_review(world, staff, rule_set, old):
    idea = make_idea(world, "owner", status=old)
    before = snapshot(idea)
    response = staff.post(
        f"/ideas/{idea.id}/adopt",
        data={"chair_id": world.users["leader_a"].id, "rule_set_id": rule_set.id, "reason": "交居民议事决定。"},
    )
    assert response.status_code == 409
    assert snapshot(idea) == before


def test_the_adopt_form_is_offered_under_review_only(world, staff):
    idea = make_idea(world, "owner", status=IdeaStatus.UNDER_REVIEW)
    doc = page(staff.get(f"/ideas/{idea.id}"))
    assert doc.xpath(f'//form[@action="/ideas/{idea.id}/adopt"]//select[@name="chair_id"]')
    options = doc.xpath(f'//form[@action="/ideas/{idea.id}/status"]//select[@name="status"]/option/@value')
    assert options == ["adopted", "merged", "declined"]


@pytest.mark.parametrize(
    "change",
    [{"reason": ""}, {"chair_id": "resident"}, {"rule_set_id": 999999}],
    ids=["no_reason", "chair_not_a_convenor", "unknown_rule_set"],
)
def test_a_refused_adoption_makes_nothing(world, staff, rule_set, change):
    idea = make_idea(world, "owner", status=IdeaStatus.UNDER_REVIEW)
    data = {"chair_id": world.users["leader_a"].id, "rule_set_id": rule_set.id, "reason": "交居民议事决定。"}
    data.update({k: world.users[v].id if k == "chair_id" else v for k, v in change.items()})
    before = snapshot(idea)
    response = staff.post(f"/ideas/{idea.id}/adopt", data=data)
    assert response.status_code == 400
    assert snapshot(idea) == before


def test_a_blank_adoption_reason_makes_no_consultation(world, staff, rule_set):
    idea = make_idea(world, "owner", status=IdeaStatus.UNDER_REVIEW)
    before = snapshot(idea)
    response = staff.post(
        f"/ideas/{idea.id}/adopt",
        data={"chair_id": world.users["leader_a"].id, "rule_set_id": rule_set.id, "reason": "   "},
    )
    assert response.status_code == 400
    assert snapshot(idea) == before
