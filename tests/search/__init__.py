"""Search: helpers shared by the search tests. Things are made as rows (the index follows every flush, whoever
writes), or through the services where their rules matter."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from app.consultations import services as consultation_services
from app.consultations.models import Consultation, Phase, Speech
from app.decisions.models import Decision, DecisionState
from app.extensions import db
from app.ideas.models import Category, Idea, IdeaComment
from app.microprojects.models import MicroProject, ProjectStatus
from app.procedure.shipped import ensure_shipped
from tests.ideas import logged_in, page, viewer  # noqa: F401  (re-exported for the tests)


def idea(world, title, description="说明", *, key="resident", community=None, **kw) -> Idea:
    made = Idea(
        community_id=(community or world.community).id,
        author_id=world.users[key].id,
        client_id=uuid.uuid4().hex,
        title=title,
        description=description,
        category=kw.pop("category", Category.OTHER),
        **kw,
    )
    db.session.add(made)
    db.session.commit()
    return made


def consultation(world, title="电梯加装协商", background="背景", *, phase=Phase.OPEN) -> Consultation:
    rules = {r.key: r for r in ensure_shipped()}
    staff = viewer(world, "staff")
    made = consultation_services.create_draft(
        staff,
        title=title,
        background=background,
        building_id=None,
        parties=["residents_committee", "residents"],
        chair_id=world.users["leader_a"].id,
        rule_set_id=rules["nantang"].id,
    )
    if phase != Phase.DRAFT:
        consultation_services.set_phase(staff, made, Phase.OPEN)
    db.session.commit()
    return made


def speech(world, consultation_, body, *, key="resident") -> Speech:
    made = Speech(consultation=consultation_, author_id=world.users[key].id, client_id=uuid.uuid4().hex, body=body)
    db.session.add(made)
    db.session.commit()
    return made


def project(world, title, purpose="目的", *, status=ProjectStatus.SUBMITTED) -> MicroProject:
    made = MicroProject(
        community_id=world.community.id, applicant_id=world.users["social_org"].id, title=title, purpose=purpose
    )
    made.status = status
    db.session.add(made)
    db.session.commit()
    return made


def decision(world, title, body="内容", *, state=DecisionState.VOTING) -> Decision:
    today = date.today()
    made = Decision(
        community_id=world.community.id,
        matter=5,
        title=title,
        body=body,
        state=state,
        voting_starts_on=today,
        voting_ends_on=today + timedelta(days=7),
        client_id=uuid.uuid4().hex,
    )
    db.session.add(made)
    db.session.commit()
    return made


def search(http, world, q="", community=None, **params):
    return http.get(f"/c/{(community or world.community).slug}/search", query_string={"q": q, **params})


def titles(response) -> list[str]:
    """The titles of the results, in order, as shown (marks and all, as text)."""
    return ["".join(a.itertext()).strip() for a in page(response).xpath("//li[contains(@class,'search-hit')]//h2/a")]


def comment(world, idea_, body, *, key="owner") -> IdeaComment:
    made = IdeaComment(idea_id=idea_.id, author_id=world.users[key].id, client_id=uuid.uuid4().hex, body=body)
    db.session.add(made)
    db.session.commit()
    return made
