"""An organisation's showcase (/orgs/<id>/showcase): what it has done, read from the features that record
it. The page is a list of sections, each built by a function of its own from one feature's queries
(`@section(order)`): the contests' entries and results here; the service projects' section is added the
same way from `procurement.queries.org_projects(org)`. A section with nothing to show is left out.

Who sees what is each feature's rule: the organisation itself as the registry shows it (404 for who may
not see it); its contest entries through the access rule (a community's contests for its members and the
staff over it; the titles and results of closed contests for anyone)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.contests import queries as contests
from app.contests.labels import PHASE_LABELS, STATUS_LABELS
from app.home import bp
from app.orgs import permissions as org_permissions
from app.orgs.labels import AREA_LABELS, KIND_LABELS
from app.orgs.labels import STATUS_LABELS as ORG_STATUS_LABELS
from app.orgs.models import Organisation
from app.orgs.routes import load_org


@dataclass(frozen=True)
class Section:
    """One part of the showcase: a heading, the partial template that shows it, and what it shows."""

    key: str
    title: Any
    template: str
    items: list
    context: dict


Builder = Callable[[Organisation, Any], Section | None]
SECTIONS: list[tuple[int, Builder]] = []


def section(order: int):
    """Register a section builder: `builder(org, user) -> Section | None`, shown in `order`."""

    def register(builder: Builder) -> Builder:
        SECTIONS.append((order, builder))
        SECTIONS.sort(key=lambda pair: pair[0])
        return builder

    return register


def sections(org: Organisation, user) -> list[Section]:
    built = (builder(org, user) for _order, builder in SECTIONS)
    return [s for s in built if s is not None]


@section(10)
def contest_entries(org: Organisation, user) -> Section | None:
    """Its entries in proposal contests (项目推介会 / 创意赛) and how they fared."""
    items = contests.org_entries(org.id, user)
    if not items:
        return None
    return Section(
        key="contests",
        title=_l("Contest entries and results"),
        template="home/_showcase_contests.html",
        items=items,
        context={"phase_labels": PHASE_LABELS, "status_labels": STATUS_LABELS},
    )


@bp.route("/orgs/<int:org_id>/showcase")
@login_required
def org_showcase(org_id: int):
    """The organisation's showcase: who it is, then each section that has something to show."""
    org, viewer = load_org(org_id)
    return render_template(
        "home/showcase.html",
        org=org,
        sections=sections(org, current_user),
        is_agent=org_permissions.is_agent(viewer, org),
        kind_labels=KIND_LABELS,
        area_labels=AREA_LABELS,
        status_labels=ORG_STATUS_LABELS,
    )
