"""Read-only questions other features ask of the registry: the verified organisations of a district, the
organisations a user acts for, and the registry's list as a viewer may see it."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.communities.models import District
from app.extensions import db
from app.orgs.models import OrgAgent, Organisation, OrgStatus
from app.orgs.permissions import OrgViewer


def verified_orgs(district: District | int) -> list[Organisation]:
    """The district's verified organisations, by name (qualifications loaded: `qualified_on(day)` asks them)."""
    district_id = district if isinstance(district, int) else district.id
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.district_id == district_id, Organisation.status == OrgStatus.VERIFIED)
            .options(selectinload(Organisation.qualifications))
            .order_by(Organisation.name, Organisation.id)
        )
    )


def orgs_of(user) -> list[Organisation]:
    """The organisations `user` acts for (any status), by name."""
    user_id = getattr(user, "id", user)
    if not isinstance(user_id, int):
        return []
    return list(
        db.session.scalars(
            select(Organisation)
            .join(OrgAgent, OrgAgent.organisation_id == Organisation.id)
            .where(OrgAgent.user_id == user_id)
            .options(selectinload(Organisation.qualifications))
            .order_by(Organisation.name, Organisation.id)
        )
    )


def listing(viewer: OrgViewer) -> list[Organisation]:
    """The registry as `viewer` sees it: every verified organisation; pending and suspended ones only to
    their agents and to the staff who may verify them."""
    if viewer.user is None:
        return []
    agent_of = select(OrgAgent.organisation_id).where(OrgAgent.user_id == viewer.user_id)
    seen = or_(
        Organisation.status == OrgStatus.VERIFIED,
        Organisation.id.in_(agent_of),
        Organisation.district_id.in_(viewer.oversight.district_ids),
        Organisation.street_id.in_(viewer.oversight.street_ids),
    )
    return list(
        db.session.scalars(
            select(Organisation)
            .where(seen)
            .options(selectinload(Organisation.qualifications), selectinload(Organisation.agents))
            .order_by(Organisation.status == OrgStatus.VERIFIED, Organisation.name, Organisation.id)
        )
    )
