"""Projects made for another feature's sake: a draft from an adopted golden idea, a project granted outright
for a winning contest entry. The flows above the features (app/flows) call these."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.communities import access
from app.communities.access import Viewer
from app.core import audit, validation
from app.core.errors import Conflict, DomainError, Forbidden
from app.extensions import db
from app.microprojects import ledger, permissions, signals
from app.microprojects.models import MicroProject, ProjectEvent, ProjectStatus
from app.microprojects.services.applications import (
    application_by_client,
    budget_lines,
    fund_for,
    title_and_purpose,
)


def _applicant_may_apply(viewer: Viewer, applicant: User) -> None:
    if not permissions.can_apply(access.viewer(applicant, viewer.community)):
        raise DomainError(
            "applicant_cannot_apply",
            _l("The applicant is not (or no longer) a verified resident or social organisation of this community."),
            status=409,
        )


def draft_from_idea(viewer: Viewer, *, idea_id: int, applicant: User, title, purpose) -> MicroProject:
    """Staff adopt a golden idea as a draft application in its submitter's name, linked to the idea.

    The draft has no budget yet: the applicant (told in the inbox and live) completes the budget and sends
    it; sending still needs at least one line (see `move`). Called by flows.ideas.adopt_as_micro_project,
    which changes the idea's status afterwards; every check here comes before anything is written.
    """
    if not permissions.can_review(viewer):
        raise Forbidden()
    _applicant_may_apply(viewer, applicant)
    title = title.strip()[:100] if isinstance(title, str) else ""
    purpose = purpose.strip()[:5000] if isinstance(purpose, str) else ""
    title, purpose = title_and_purpose(title, purpose)
    if db.session.scalar(select(MicroProject.id).where(MicroProject.idea_id == idea_id)) is not None:
        raise Conflict("already_adopted", _l("A micro-project was already made from this idea."))
    project = MicroProject(
        community_id=viewer.community_id,
        applicant_id=applicant.id,
        idea_id=idea_id,
        title=title,
        purpose=purpose,
        status=ProjectStatus.DRAFT,
    )
    db.session.add(project)
    db.session.flush()
    audit.record(viewer.user, "project.from_idea", project, community_id=viewer.community_id, idea_id=idea_id)
    signals.project_drafted_for_applicant.send(project, actor=viewer.user)
    return project


def projects_of_idea(idea_id: int) -> list[MicroProject]:
    return list(db.session.scalars(select(MicroProject).where(MicroProject.idea_id == idea_id)))


def create_granted(
    viewer: Viewer,
    *,
    applicant: User,
    title: str,
    purpose: str,
    lines,
    granted_fen: int,
    year: int,
    source_note: str,
    client_id: str | None = None,
) -> MicroProject:
    """A micro-project granted outright (e.g. a winning proposal-contest entry), with its budget lines,
    approved with `granted_fen` allocated from the fund of `year` of the viewer's community, in the
    caller's transaction (this commits nothing).

    `viewer`: the community's staff, or street/district staff overseeing it (they run street- and
    district-wide contests). `applicant`: the entry's author, a verified resident or social organisation
    of the community. `lines`: (item, quantity, unit price in fen) as for an application.
    `source_note`: shown in the project's history (e.g. "2026 proposal contest, entry #12"), at most 1000
    characters. `client_id` (optional, e.g. "contest-entry-12"): a retry with the same one returns the
    first project and grants nothing more.

    Refuses, with nothing written, when the fund is missing or cannot cover `granted_fen`
    (DomainError "no_fund" / "over_fund", 409), and on any bad input (400) or role (403).
    """
    if not permissions.can_grant(viewer):
        raise Forbidden()
    community = viewer.community
    if client_id is not None:
        client_id = validation.client_id(client_id)
        existing = application_by_client(community.id, applicant.id, client_id)
        if existing is not None:
            return existing
    _applicant_may_apply(viewer, applicant)
    title, purpose = title_and_purpose(title, purpose)
    parsed = budget_lines(lines)
    if not isinstance(granted_fen, int) or isinstance(granted_fen, bool) or granted_fen <= 0:
        raise DomainError("bad_amount", _l("Enter the amount granted."), field="amount")
    if not isinstance(year, int) or isinstance(year, bool):
        raise DomainError("bad_request", _l("Choose a year."), field="year")
    source_note = source_note.strip() if isinstance(source_note, str) else ""
    if len(source_note) > 1000:
        raise DomainError("bad_request", _l("A comment is at most 1000 characters."), field="comment")
    fund = fund_for(community, year)
    if fund is None:
        raise DomainError(
            "no_fund", _l("There is no micro-fund for %(year)s yet.", year=year), field="year", status=409
        )
    project = MicroProject(
        community_id=community.id,
        applicant_id=applicant.id,
        client_id=client_id,
        title=title,
        purpose=purpose,
        status=ProjectStatus.APPROVED,
        fund_id=fund.id,
        granted_fen=granted_fen,
        lines=parsed,
    )
    try:
        with db.session.begin_nested():  # a refusal (over_fund) or a lost race undoes this project only
            db.session.add(project)
            db.session.flush()
            ledger.allocate(fund, project, granted_fen, actor_id=viewer.user_id, note=title)  # locks the fund row
            db.session.add(
                ProjectEvent(
                    project_id=project.id,
                    actor_id=viewer.user_id,
                    from_status=None,
                    to_status=ProjectStatus.APPROVED,
                    comment=source_note,
                )
            )
            audit.record(viewer.user, "project.granted", project, community_id=community.id, granted_fen=granted_fen)
            db.session.flush()
    except IntegrityError:
        existing = application_by_client(community.id, applicant.id, client_id) if client_id else None
        if existing is None:
            raise
        return existing
    return project
