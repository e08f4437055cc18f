"""How a user stands towards one district's admission list (the `Stance`): the district-level counterpart of
communities.access.Viewer. Work items belong to a district, not to a community, so the community access rule
does not decide who sees them; this module gathers, in a few queries, what the permissions ask: district staff
of this district, street staff of its streets, officer of its departments, community staff or a verified
member of its communities.

Objections belong to a community: their pages load them with `access.load` (the community's rule) and ask the
district's stance only for what the district does (answering)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.accounts.models import User
from app.communities import access
from app.communities.models import Community, District, Membership, MembershipStatus, Role, Street
from app.core.errors import NotFound
from app.core.validation import MAX_ID
from app.extensions import db
from app.workitems.models import Department, DepartmentOfficer


@dataclass(frozen=True)
class Stance:
    user: User | None
    district: District
    is_district_staff: bool = False
    street_ids: frozenset[int] = frozenset()  # this district's streets the user is street staff of
    officer_of: frozenset[int] = frozenset()  # this district's departments the user speaks for
    staff_of: frozenset[int] = frozenset()  # this district's communities where the user is community staff
    is_member: bool = False  # a verified member of one of this district's communities

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None

    @property
    def district_id(self) -> int:
        return self.district.id


def _user(user) -> User | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    unwrap = getattr(user, "_get_current_object", None)
    return unwrap() if unwrap is not None else user


def stance(user, district: District) -> Stance:
    """How `user` stands towards `district` (no check: the permissions decide)."""
    user = _user(user)
    if user is None:
        return Stance(None, district)
    oversight = access.oversight(user)
    district_streets = set(db.session.scalars(select(Street.id).where(Street.district_id == district.id)))
    officer_of = db.session.scalars(
        select(DepartmentOfficer.department_id)
        .join(Department, DepartmentOfficer.department_id == Department.id)
        .where(DepartmentOfficer.user_id == user.id, Department.district_id == district.id)
    )
    memberships = list(
        db.session.scalars(
            select(Membership)
            .join(Community, Membership.community_id == Community.id)
            .where(
                Membership.user_id == user.id,
                Membership.status == MembershipStatus.VERIFIED,
                Community.street_id.in_(district_streets),
            )
        )
    )
    return Stance(
        user,
        district,
        is_district_staff=oversight.oversees(district=district),
        street_ids=frozenset(oversight.street_ids & district_streets),
        officer_of=frozenset(officer_of),
        staff_of=frozenset(m.community_id for m in memberships if m.has_role(Role.COMMUNITY_STAFF)),
        is_member=bool(memberships),
    )


def district_by_id(district_id) -> District:
    valid = isinstance(district_id, int) and 0 < district_id <= MAX_ID
    district = db.session.get(District, district_id) if valid else None
    if district is None:
        raise NotFound()
    return district


def districts_of(user) -> list[District]:
    """The districts the user has a tie to (an office, a department, a membership), for the entry page."""
    user = _user(user)
    if user is None:
        return []
    oversight = access.oversight(user)
    ids = set(oversight.district_ids)
    if oversight.street_ids:
        ids.update(db.session.scalars(select(Street.district_id).where(Street.id.in_(oversight.street_ids))))
    ids.update(
        db.session.scalars(
            select(Department.district_id)
            .join(DepartmentOfficer, DepartmentOfficer.department_id == Department.id)
            .where(DepartmentOfficer.user_id == user.id)
        )
    )
    ids.update(
        db.session.scalars(
            select(Street.district_id)
            .join(Community, Community.street_id == Street.id)
            .join(Membership, Membership.community_id == Community.id)
            .where(Membership.user_id == user.id, Membership.status == MembershipStatus.VERIFIED)
        )
    )
    if not ids:
        return []
    return list(db.session.scalars(select(District).where(District.id.in_(ids)).order_by(District.id)))


def communities(ids) -> list[Community]:
    """The communities of `ids` (the ones a user is staff of), for links to their objections."""
    if not ids:
        return []
    return list(db.session.scalars(select(Community).where(Community.id.in_(ids)).order_by(Community.id)))
