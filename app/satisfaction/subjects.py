"""What a campaign judges: a registry of subject kinds, so more kinds arrive without changing the campaigns
(the lead adds "service_project" and "milestone" from app/flows once procurement is in):

    subjects.register(subjects.SubjectKind(
        name="service_project",
        label=_l("Service project"),
        choices=lambda community: [(id, name), ...],     # what staff may pick in this community
        public=True,                                     # residents read its results after the close
        is_subject=lambda viewer, subject_id: ...,       # the one judged (reads their own results)
    ))

Built in: community workers (their results are theirs and the street's and district's only), social
organisations and micro-projects (their results are public to the community's members after the close).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.communities.access import Viewer
from app.communities.models import Community, MemberRole, Membership, MembershipStatus, Role, Street
from app.extensions import db
from app.microprojects import services as microprojects
from app.microprojects.models import MicroProject, ProjectStatus
from app.orgs.models import OrgAgent, Organisation, OrgStatus


def default_questions(label: str) -> list[dict]:
    """Overall satisfaction 1–5, responsiveness 1–5 and a comment, naming the subject."""
    return [
        {
            "kind": "scale",
            "text": str(_l("Overall, how satisfied are you with %(name)s?", name=label)),
            "min": 1,
            "max": 5,
        },
        {
            "kind": "scale",
            "text": str(_l("How quickly and well did %(name)s respond to residents?", name=label)),
            "min": 1,
            "max": 5,
        },
        {"kind": "text", "text": str(_l("Anything you want to say (optional)")), "required": False},
    ]


@dataclass(frozen=True)
class SubjectKind:
    name: str
    label: Any
    choices: Callable[[Community], list[tuple[int, str]]]
    public: bool
    is_subject: Callable[[Viewer, int], bool]
    questions: Callable[[str], list[dict]] = default_questions
    extras: Callable[[int], dict] = field(default=lambda subject_id: {})  # shown beside its results


_KINDS: dict[str, SubjectKind] = {}


def register(kind: SubjectKind) -> SubjectKind:
    if not kind.name.isascii() or not kind.name.isidentifier() or len(kind.name) > 32:
        raise ValueError(f"a subject kind's name is a short identifier: {kind.name!r}")
    _KINDS[kind.name] = kind
    return kind


def kind(name: str) -> SubjectKind | None:
    return _KINDS.get(name)


def kinds() -> list[SubjectKind]:
    return list(_KINDS.values())


def _workers(community: Community) -> list[tuple[int, str]]:
    members = db.session.scalars(
        select(Membership)
        .join(MemberRole, MemberRole.membership_id == Membership.id)
        .where(
            Membership.community_id == community.id,
            Membership.status == MembershipStatus.VERIFIED,
            MemberRole.role == Role.COMMUNITY_STAFF,
        )
        .order_by(Membership.id)
    ).unique()
    return [(m.user_id, m.user.name) for m in members]


def _organisations(community: Community) -> list[tuple[int, str]]:
    district_id = db.session.scalar(select(Street.district_id).where(Street.id == community.street_id))
    orgs = db.session.scalars(
        select(Organisation)
        .where(Organisation.district_id == district_id, Organisation.status == OrgStatus.VERIFIED)
        .order_by(Organisation.name)
    )
    return [(o.id, o.name) for o in orgs]


def _is_agent(viewer: Viewer, organisation_id: int) -> bool:
    return viewer.user_id is not None and (
        db.session.scalar(
            select(OrgAgent.id).where(OrgAgent.organisation_id == organisation_id, OrgAgent.user_id == viewer.user_id)
        )
        is not None
    )


JUDGED_PROJECTS = (ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED, ProjectStatus.EVALUATED)


def _projects(community: Community) -> list[tuple[int, str]]:
    projects = db.session.scalars(
        select(MicroProject)
        .where(MicroProject.community_id == community.id, MicroProject.status.in_(JUDGED_PROJECTS))
        .order_by(MicroProject.id)
    )
    return [(p.id, p.title) for p in projects]


def _project_ratings(project_id: int) -> dict:
    """The households' own 1–5 ratings of a finished micro-project, shown beside the campaign's results."""
    project = db.session.get(MicroProject, project_id)
    if project is None:
        return {}
    count, total = microprojects.rating_summary(project)
    return {"ratings": (count, Fraction(total, count))} if count else {}


register(
    SubjectKind(
        "worker", _l("Community worker"), _workers, public=False, is_subject=lambda viewer, uid: viewer.is_user(uid)
    )
)
register(SubjectKind("organisation", _l("Social organisation"), _organisations, public=True, is_subject=_is_agent))
register(
    SubjectKind(
        "project",
        _l("Micro-project"),
        _projects,
        public=True,
        is_subject=lambda viewer, project_id: False,
        extras=_project_ratings,
    )
)
