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
from app.extensions import db
from app.home import bp
from app.orgs import permissions as org_permissions
from app.orgs.labels import AREA_LABELS, KIND_LABELS
from app.orgs.labels import STATUS_LABELS as ORG_STATUS_LABELS
from app.orgs.models import Organisation
from app.orgs.routes import load_org
from app.procurement import parties as procurement_parties
from app.procurement import permissions as procurement_permissions
from app.procurement import queries as procurement
from app.procurement.models import Contract


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


PROJECT_STATUS_LABELS = {"under_way": _l("Under way"), "completed": _l("Completed")}


@section(20)
def service_projects(org: Organisation, user) -> Section | None:
    """Its service projects (公益服务项目): contracts, what was paid, and the residents' satisfaction. Awards are
    published (公示), so anyone who may see the organisation sees these figures; a project's page opens for those
    its own rule lets in."""
    items = procurement.org_projects(org)
    if not items:
        return None
    visible = set()
    for item in items:
        contract = db.session.get(Contract, item.contract_id)
        party = procurement_parties.party(user, contract.call.community)
        if procurement_permissions.can_view_contract(party, contract):
            visible.add(item.contract_id)
    return Section(
        key="projects",
        title=_l("Service projects"),
        template="home/_showcase_projects.html",
        items=items,
        context={"visible": visible, "status_labels": PROJECT_STATUS_LABELS},
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
