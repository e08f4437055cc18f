"""Flows between contests and the features beside them: an idea entered in a contest (idea → contest
entry) and the winners granted as micro-projects (contest winners → micro-projects).

Use cases like any feature's: they take the `Viewer`, check with the features' permissions, and flush;
the edge (app/flows/contest_routes.py) commits.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.communities.access import Viewer
from app.contests import services as contests
from app.contests.models import Contest, Entry
from app.core.errors import DomainError
from app.extensions import db
from app.ideas.models import Idea, IdeaStatus
from app.microprojects import services as microprojects
from app.microprojects.models import MicroProject

# -- idea → contest entry -----------------------------------------------------------------------------


def idea_choices(viewer: Viewer, contest: Contest) -> list[Idea]:
    """The viewer's own golden ideas in the contest's community that an entry can start from."""
    return list(
        db.session.scalars(
            select(Idea)
            .where(
                Idea.community_id == contest.community_id,
                Idea.author_id == viewer.user_id,
                Idea.hidden_at.is_(None),
                Idea.status.not_in([IdeaStatus.MERGED, IdeaStatus.DECLINED]),
            )
            .order_by(Idea.id.desc())
        )
    )


def submit_entry(viewer: Viewer, contest: Contest, *, idea_id=None, **fields) -> Entry:
    """Enter a proposal in a contest, from scratch or from one of the viewer's own open golden ideas
    (linked both ways; the idea itself is left as it was). `fields`: as contests.services.submit_entry."""
    contests.check_may_enter(viewer, contest)
    if idea_id is not None and not any(idea.id == idea_id for idea in idea_choices(viewer, contest)):
        raise DomainError("bad_request", _l("Choose one of your own golden ideas."), field="idea_id")
    return contests.submit_entry(viewer, contest, idea_id=idea_id, **fields)


# -- contest winners → micro-projects ----------------------------------------------------------------


def grant_winners(viewer: Viewer, contest: Contest) -> list[MicroProject]:
    """After 公示 (closed), staff turn each winning entry into a micro-project granted its budget from the
    contest's fund year, in the author's name, linked both ways. A winner already granted is skipped, and
    a retry grants nothing twice (the project's client id is the entry's).

    Each winner is granted whole or not at all (the project, its allocation and the entry's link in one
    savepoint). If the fund cannot cover a winner, the refusal is raised with the winners before it still
    granted in the transaction: the edge commits them and says why the rest were not."""
    projects = []
    for entry in contests.winners_to_grant(viewer, contest):
        project = microprojects.create_granted(
            viewer,
            applicant=entry.author,
            title=entry.title,
            purpose=entry.summary if len(entry.summary) >= 10 else f"{entry.summary}（{contest.title}）",
            lines=[(entry.title[:100], 1, entry.budget_fen)],
            granted_fen=entry.budget_fen,
            year=contest.fund_year,
            source_note=str(_l("%(contest)s, winning entry #%(id)d", contest=contest.title, id=entry.id)),
            client_id=f"contest-entry-{entry.id}",
        )
        contests.link_project(viewer, entry, project.id)
        projects.append(project)
    return projects
