"""Who may do what with the registry of social organisations. An organisation is not a community's thing:
the rules are written from the user's offices (street and district staff verify) and from the agents who
act for it. Every rule takes the `OrgViewer` first and the organisation second.

- Any signed-in user sees verified organisations (name, kind, areas, qualifications' validity).
- A pending or suspended one is seen by its agents and by the staff who may verify it; nobody else learns
  it exists (404).
- Its agents edit it, its qualifications and its agents; an agent of one organisation nothing of another.
- Street staff verify and suspend their street's organisations, district staff all their district's.
- The agents' names and phones are shown to the agents and to the staff who verify, nobody else."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, or_, select

from app.accounts.models import User
from app.communities import access
from app.communities.access import Oversight
from app.communities.models import Role
from app.extensions import db
from app.orgs.models import OrgAgent, Organisation, OrgStatus


@dataclass(frozen=True)
class OrgViewer:
    """A signed-in user as the registry sees them: who they are and which streets and districts they staff
    (the access rule's district half)."""

    user: User | None
    oversight: Oversight

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None

    @property
    def is_office_staff(self) -> bool:
        return bool(self.oversight)


def viewer_of(user) -> OrgViewer:
    """The registry's viewer for `user` (a visitor: no user, no offices)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return OrgViewer(user=None, oversight=Oversight())
    unwrap = getattr(user, "_get_current_object", None)  # never flask_login's proxy, which changes under us
    user = unwrap() if unwrap is not None else user
    return OrgViewer(user=user, oversight=access.oversight(user))


def is_agent(viewer: OrgViewer, org: Organisation) -> bool:
    return org.is_agent(viewer.user_id)


def oversees(viewer: OrgViewer, org: Organisation) -> bool:
    """Street staff of the organisation's street, or district staff of its district."""
    return viewer.oversight.oversees(district=org.district_id) or viewer.oversight.staffs_street(org.street_id)


def can_register(viewer: OrgViewer) -> bool:
    """Any signed-in user registers an organisation (and becomes its first agent)."""
    return viewer.user is not None


def can_view(viewer: OrgViewer, org: Organisation) -> bool:
    if viewer.user is None:
        return False
    return org.status == OrgStatus.VERIFIED or is_agent(viewer, org) or oversees(viewer, org)


def can_edit(viewer: OrgViewer, org: Organisation) -> bool:
    """Its agents: the description, kind and areas, the qualifications, the agents."""
    return is_agent(viewer, org)


def can_see_agents(viewer: OrgViewer, org: Organisation) -> bool:
    """The agents' names and phones: personal data, for the agents and the staff who verify."""
    return is_agent(viewer, org) or oversees(viewer, org)


def can_verify(viewer: OrgViewer, org: Organisation) -> bool:
    """A pending or suspended organisation is verified (again) by the staff over it."""
    return oversees(viewer, org) and org.status != OrgStatus.VERIFIED


def can_suspend(viewer: OrgViewer, org: Organisation) -> bool:
    """A pending or verified organisation is suspended, with a reason, by the staff over it."""
    return oversees(viewer, org) and org.status != OrgStatus.SUSPENDED


def uses_registry(user) -> bool:
    """Those who work with the registry: an organisation's agents, community staff and social-organisation
    members anywhere, street and district staff (the main menu shows them "社会组织"). One query."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    agent = exists().where(OrgAgent.user_id == user.id)
    anywhere = access.works_anywhere_as(user.id, (Role.COMMUNITY_STAFF, Role.SOCIAL_ORG))
    return bool(db.session.scalar(select(or_(agent, anywhere))))
