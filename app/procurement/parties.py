"""How a user stands towards one call: the `Party` the permissions read, and the loaders the edges use.

Calls are read by people outside their community (organisations' agents, panel experts), so the edges load
through `load_*` here instead of `access.load`; the community part is still `access.viewer` (the one access
rule), and a refusal to see is a 404 as everywhere."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from app.communities import access
from app.communities.access import Oversight, Viewer
from app.core.errors import NotFound
from app.core.validation import MAX_ID
from app.extensions import db
from app.orgs.models import OrgAgent, Organisation, OrgStatus
from app.procurement import permissions
from app.procurement.models import Application, Contract, Milestone, ServiceCall


@dataclass
class Party:
    user: object
    viewer: Viewer
    agent_orgs: list[Organisation] = field(default_factory=list)
    oversight: Oversight = field(default_factory=Oversight)  # the streets and districts the user staffs

    @property
    def agent_org_ids(self) -> set[int]:
        return {o.id for o in self.agent_orgs}

    def verified_agent_org_ids_in(self, district_id: int) -> set[int]:
        return {o.id for o in self.agent_orgs if o.status == OrgStatus.VERIFIED and o.district_id == district_id}


def agent_orgs(user) -> list[Organisation]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    query = select(Organisation).join(OrgAgent).where(OrgAgent.user_id == user.id).order_by(Organisation.id)
    return list(db.session.scalars(query))


def party(user, community) -> Party:
    viewer = access.viewer(user, community)
    user = viewer.user
    return Party(user=user, viewer=viewer, agent_orgs=agent_orgs(user), oversight=access.oversight(user))


def _get(model, object_id):
    found = db.session.get(model, object_id) if isinstance(object_id, int) and 0 < object_id <= MAX_ID else None
    if found is None:
        raise NotFound()
    return found


def load_call(call_id: int, user) -> tuple[ServiceCall, Party]:
    call = _get(ServiceCall, call_id)
    found = party(user, call.community)
    if not permissions.can_view_call(found, call):
        raise NotFound()
    return call, found


def load_application(application_id: int, user) -> tuple[Application, Party]:
    application = _get(Application, application_id)
    found = party(user, application.call.community)
    if not permissions.can_view_application(found, application):
        raise NotFound()
    return application, found


def load_contract(contract_id: int, user) -> tuple[Contract, Party]:
    contract = _get(Contract, contract_id)
    found = party(user, contract.call.community)
    if not permissions.can_view_contract(found, contract):
        raise NotFound()
    return contract, found


def load_milestone(milestone_id: int, user) -> tuple[Milestone, Party]:
    milestone = _get(Milestone, milestone_id)
    found = party(user, milestone.contract.call.community)
    if not permissions.can_view_contract(found, milestone.contract):
        raise NotFound()
    return milestone, found
