"""Which communities a dashboard covers, found for the officer asking (404 for anyone else), and its figures."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select, text
from sqlalchemy.orm import joinedload

from app.communities import access
from app.communities.models import Community, District, Household, Role, Street
from app.core.errors import NotFound
from app.dashboards import permissions
from app.dashboards.period import Period
from app.dashboards.registry import ALL, Scope, SectionData, community_unit, sections, street_unit
from app.extensions import db


def _households(scope: Scope) -> Scope:
    """Households on the roster per unit: one grouped query."""
    rows = db.session.execute(
        select(Household.community_id, func.count())
        .where(Household.community_id.in_(scope.community_ids))
        .group_by(Household.community_id)
    )
    for community_id in scope.community_ids:
        scope.households[community_unit(community_id)] = 0
    for street in scope.streets:
        scope.households[street_unit(street.id)] = 0
    scope.households[ALL] = 0
    communities = {c.id: c for c in scope.communities}
    for community_id, count in rows:
        for unit in scope.units_of(communities[community_id]):
            scope.households[unit] += count
    return scope


def with_households(scope: Scope) -> Scope:
    """The scope with its households per unit counted (once): what counting the figures and the open data need,
    not serving a kept snapshot."""
    return scope if scope.households else _households(scope)


def district_scope(user, district_id: int) -> Scope:
    district = db.session.get(District, district_id)
    if district is None or not permissions.can_view_district(access.oversight(user), district):
        raise NotFound()
    return district_scope_of(district)


def district_scope_of(district: District) -> Scope:
    """A district's scope, for whoever was allowed it (or for the summaries' refresh, which shows nobody)."""
    communities = list(
        db.session.scalars(
            select(Community)
            .join(Street, Community.street_id == Street.id)
            .where(Street.district_id == district.id)
            .options(joinedload(Community.street))
            .order_by(Street.id, Community.id)
        )
    )
    streets = list(db.session.scalars(select(Street).where(Street.district_id == district.id).order_by(Street.id)))
    return Scope("district", district.name, communities, streets, ident=district.id)


def street_scope(user, street_id: int) -> Scope:
    street = db.session.get(Street, street_id)
    if street is None or not permissions.can_view_street(access.oversight(user), street):
        raise NotFound()
    return street_scope_of(street)


def street_scope_of(street: Street) -> Scope:
    """A street's scope, for whoever was allowed it (or for the summaries' refresh)."""
    communities = list(
        db.session.scalars(select(Community).where(Community.street_id == street.id).order_by(Community.id))
    )
    return Scope("street", street.name, communities, ident=street.id)


def community_scope(user, slug: str) -> Scope:
    viewer = access.community_viewer(slug, user)  # 404 unless a member or an overseer
    if not permissions.can_view_community(viewer):
        raise NotFound()
    return Scope("community", viewer.community.name, [viewer.community])


def landing(user, memberships) -> str | None:
    """Where /dashboard sends the user: their district's, else their street's, else their own community's."""
    landing = access.oversight(user).landing
    if landing is not None:
        level, place_id = landing
        if level == "district":
            return url_for("dashboards.district", district_id=place_id)
        return url_for("dashboards.street", street_id=place_id)
    staff = next((m for m in memberships if m.has_role(Role.COMMUNITY_STAFF)), None)
    return url_for("dashboards.community", slug=staff.community.slug) if staff is not None else None


WORK_MEM = "64MB"  # PostgreSQL: the district's distinct counts sort some 100,000 rows; in memory, not on disk


def figures(scope: Scope, period: Period) -> list[tuple[object, SectionData]]:
    """Every registered section's figures for the scope and period: a few grouped queries per section."""
    if not scope.communities:
        return [(s, SectionData([])) for s in sections()]
    with_households(scope)
    if db.session.get_bind().dialect.name == "postgresql":  # for this transaction only (a read: the request's)
        db.session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    return [(s, s.build(scope, period)) for s in sections()]
