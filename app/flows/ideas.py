"""An idea adopted: as a draft consultation, or as a draft micro-project application in its submitter's
name. Each writes to two features (the new draft, and the idea's status and link) in the edge's one
transaction: a refusal from either side leaves neither written, and nobody is told of an adoption that
did not happen (notifications and emits leave after the commit)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.communities.access import Viewer
from app.consultations import services as consultations
from app.extensions import db
from app.ideas import routes as idea_pages
from app.ideas import services as ideas
from app.ideas.models import Idea, IdeaStatus
from app.microprojects import services as microprojects

PARTIES = ["residents_committee", "residents"]


def _from_idea(idea: Idea) -> str:
    return str(_l("%(description)s\n\n(From the golden idea #%(id)d)", description=idea.description, id=idea.id))


def adopt_as_consultation(viewer: Viewer, idea: Idea, *, chair_id: int, rule_set_id: int, reason) -> Idea:
    """Turn an idea under review into a draft consultation, linked both ways (Idea.consultation_id)."""
    ideas.check_adoptable(viewer, idea)
    reason = ideas.reason_for(reason)  # checked before anything is made
    consultation = consultations.create_draft(
        viewer,
        title=idea.title,
        background=_from_idea(idea),
        building_id=None,
        parties=PARTIES,
        chair_id=chair_id,
        rule_set_id=rule_set_id,
    )
    return ideas.change_status(viewer, idea, IdeaStatus.ADOPTED, reason, consultation_id=consultation.id)


def adopt_as_micro_project(viewer: Viewer, idea: Idea, *, reason) -> Idea:
    """Turn an idea under review into a draft micro-project application in its submitter's name, linked
    both ways (MicroProject.idea_id; the idea page lists it). The submitter is told to add the budget."""
    ideas.check_adoptable(viewer, idea)
    reason = ideas.reason_for(reason)  # checked before anything is made
    microprojects.draft_from_idea(
        viewer,
        idea_id=idea.id,
        applicant=db.session.get(User, idea.author_id),
        title=idea.title,
        purpose=_from_idea(idea),
    )
    return ideas.change_status(viewer, idea, IdeaStatus.ADOPTED, reason)


def micro_projects_of(idea: Idea) -> dict:
    """For the idea's page: the micro-projects made from it."""
    return {"micro_projects": microprojects.projects_of_idea(idea.id)}


idea_pages.PAGE_EXTRAS.append(micro_projects_of)
