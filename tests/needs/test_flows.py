"""A need raised from a golden idea or a concluded consultation's outcome (app/flows/needs.py): staff only,
once per source, linked both ways."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.consultations.models import Consultation, Phase
from app.extensions import db
from app.ideas.models import Category, Idea, IdeaStatus
from app.needs.models import Need
from app.procedure.shipped import ensure_shipped


def _idea(world, status=IdeaStatus.UNDER_REVIEW):
    idea = Idea(
        community_id=world.community.id,
        author_id=world.users["resident"].id,
        client_id="i1",
        title="楼下装长椅",
        description="老人走累了没地方坐。",
        category=Category.ELDERLY,
        status=status,
    )
    db.session.add(idea)
    db.session.commit()
    return idea


def _needs() -> int:
    return db.session.scalar(select(func.count()).select_from(Need))


def test_staff_raise_a_need_from_an_idea_once(client, auth, world):
    idea = _idea(world)
    auth.login(world.users["staff"])
    assert "Raise it as a need" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert client.get(f"/ideas/{idea.id}/raise-need").status_code == 200
    assert client.post(f"/ideas/{idea.id}/raise-need").status_code == 302
    assert client.post(f"/ideas/{idea.id}/raise-need").status_code == 302
    [need] = db.session.scalars(select(Need)).all()
    assert (need.source_kind, need.source_id, need.title) == ("idea", idea.id, "楼下装长椅")
    assert f"/ideas/{idea.id}" in client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert f"/needs/{need.id}" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)


def test_a_declined_idea_raises_no_need(client, auth, world):
    idea = _idea(world, IdeaStatus.DECLINED)
    auth.login(world.users["staff"])
    assert client.post(f"/ideas/{idea.id}/raise-need").status_code == 409
    assert _needs() == 0


@pytest.mark.parametrize("role", ["resident", "leader_a", "social_org", "street_staff", "district_staff"])
def test_only_staff_raise_from_an_idea(client, auth, world, role):
    idea = _idea(world)
    auth.login(world.users[role])
    assert client.post(f"/ideas/{idea.id}/raise-need").status_code == 403
    assert _needs() == 0


@pytest.mark.parametrize("role", ["other_staff", "outsider"])
def test_strangers_get_404(client, auth, world, role):
    idea = _idea(world)
    auth.login(world.users[role])
    assert client.post(f"/ideas/{idea.id}/raise-need").status_code == 404


def _consultation(world, phase):
    rules = ensure_shipped()[0]
    c = Consultation(
        community_id=world.community.id,
        title="小区停车协商",
        background="讨论停车位分配。",
        parties=[],
        chair_id=world.users["staff"].id,
        rule_set_id=rules.id,
        phase=phase,
        created_by_id=world.users["staff"].id,
    )
    db.session.add(c)
    db.session.commit()
    return c


def test_staff_raise_a_need_from_a_concluded_consultation(client, auth, world):
    concluded = _consultation(world, Phase.CONCLUDED)
    open_ = _consultation(world, Phase.OPEN)
    auth.login(world.users["staff"])
    assert client.post(f"/consultations/{open_.id}/raise-need").status_code == 409
    assert _needs() == 0
    assert client.post(f"/consultations/{concluded.id}/raise-need").status_code == 302
    need = db.session.scalar(select(Need))
    assert (need.source_kind, need.source_id) == ("consultation", concluded.id)
    auth.logout()
    auth.login(world.users["resident"])
    assert client.post(f"/consultations/{concluded.id}/raise-need").status_code == 403
