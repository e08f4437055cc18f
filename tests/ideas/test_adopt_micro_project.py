"""Staff adopt an idea under review as a draft micro-project in its submitter's name, linked both ways; the
submitter is told (inbox and live) to add the budget. A refused adoption leaves nothing behind."""

from __future__ import annotations

import pytest

from app.core.errors import DomainError
from app.extensions import db
from app.flows import ideas as flows
from app.ideas.models import IdeaEvent, IdeaStatus
from app.microprojects import services as microprojects
from app.microprojects.models import MicroProject, ProjectStatus
from app.notifications.models import Notification
from tests.ideas import count, logged_in, make_idea, page, viewer

LINES = [("扶手", 6, 300_00)]


def _under_review(world, key="resident"):
    return make_idea(world, key, title="楼道加装扶手", status=IdeaStatus.UNDER_REVIEW)


def _adopt(world, idea, reason):
    """Adopt as the staff, committed as the view does."""
    flows.adopt_as_micro_project(viewer(world, "staff"), idea, reason=reason)
    db.session.commit()


def _refused_adoption(world, idea, reason):
    """An adoption that must be refused: the error, after the edge's rollback."""
    with pytest.raises(DomainError) as err:
        flows.adopt_as_micro_project(viewer(world, "staff"), idea, reason=reason)
    db.session.rollback()
    return err


def _snapshot(idea):
    db.session.expire_all()
    return (count(MicroProject), count(IdeaEvent), count(Notification), idea.status)


def test_adoption_makes_a_linked_draft_for_the_submitter(app, world):
    idea = _under_review(world)
    _adopt(world, idea, "适合用微基金实施。")
    db.session.expire_all()
    (project,) = microprojects.projects_of_idea(idea.id)
    assert project.idea_id == idea.id
    assert project.applicant_id == world.users["resident"].id
    assert project.status == ProjectStatus.DRAFT and project.lines == []
    assert project.title == idea.title
    assert idea.description in project.purpose and f"#{idea.id}" in project.purpose
    assert idea.status == IdeaStatus.ADOPTED
    assert idea.events[-1].reason == "适合用微基金实施。"
    kinds = {n.kind for n in db.session.scalars(db.select(Notification).filter_by(user_id=idea.author_id))}
    assert {"idea_status", "project_drafted"} <= kinds


def test_the_submitter_is_told_live(app, world, client, auth, socket_client):
    idea = _under_review(world)
    auth.login(world.users["resident"])
    sc = socket_client("/notifications", flask_client=client)
    assert sc.is_connected("/notifications")
    sc.get_received("/notifications")
    _adopt(world, idea, "适合用微基金实施。")
    kinds = [p["args"][0]["kind"] for p in sc.get_received("/notifications") if p["name"] == "notification"]
    assert sorted(kinds) == ["idea_status", "project_drafted"]


def test_the_draft_is_sent_only_with_a_budget(app, world):
    idea = _under_review(world)
    _adopt(world, idea, "适合用微基金实施。")
    (project,) = microprojects.projects_of_idea(idea.id)
    applicant = viewer(world, "resident")
    with pytest.raises(DomainError) as err:
        microprojects.move(applicant, project, ProjectStatus.SUBMITTED)
    db.session.rollback()
    assert err.value.code == "no_budget" and err.value.status_code == 409
    assert db.session.get(MicroProject, project.id).status == ProjectStatus.DRAFT
    microprojects.save_application(
        applicant, title=project.title, purpose=project.purpose, lines=LINES, project=project
    )
    microprojects.move(applicant, project, ProjectStatus.SUBMITTED)
    db.session.commit()
    assert project.status == ProjectStatus.SUBMITTED and project.budget_fen == 1_800_00


@pytest.mark.parametrize("status", [IdeaStatus.SUBMITTED, IdeaStatus.ADOPTED, IdeaStatus.DECLINED])
def test_only_an_idea_under_review_is_adopted(app, world, status):
    idea = make_idea(world, "resident", status=status)
    before = _snapshot(idea)
    err = _refused_adoption(world, idea, "理由")
    assert err.value.status_code == 409
    assert _snapshot(idea) == before


def test_a_reason_is_needed(app, world):
    idea = _under_review(world)
    before = _snapshot(idea)
    err = _refused_adoption(world, idea, "  ")
    assert err.value.field == "reason"
    assert _snapshot(idea) == before


def test_a_submitter_who_can_no_longer_apply_leaves_nothing(app, world):
    idea = _under_review(world)
    membership = world.memberships["resident"]
    for role in list(membership.roles):
        db.session.delete(role)
    db.session.commit()
    before = _snapshot(idea)
    err = _refused_adoption(world, idea, "理由")
    assert err.value.code == "applicant_cannot_apply" and err.value.status_code == 409
    assert _snapshot(idea) == before


def test_the_pages_link_both_ways(app, world):
    idea = _under_review(world)
    _adopt(world, idea, "适合用微基金实施。")
    (project,) = microprojects.projects_of_idea(idea.id)
    http = logged_in(app, world.users["resident"])
    idea_page = page(http.get(f"/ideas/{idea.id}"))
    assert idea_page.xpath(f'//a[@href="/projects/{project.id}"]')
    project_page = page(http.get(f"/projects/{project.id}"))
    assert project_page.xpath(f'//a[@href="/ideas/{idea.id}"]')
    assert "Add the budget" in http.get(f"/projects/{project.id}").get_data(as_text=True)
    assert http.get(f"/projects/{project.id}/edit").status_code == 200
