"""Who may do what with needs, their screening and the guidance list. Community pages take the `Viewer`
(communities.access) first; the street- and district-wide pages (experts' screening, the street's list, the
aggregated views, naming experts) are not a community's pages: their rules are written here from offices,
expert appointments and memberships, and those pages show counts and titles only, never residents' names."""

from __future__ import annotations

from sqlalchemy import select

from app.communities import experts
from app.communities.access import Viewer, offices_of
from app.communities.models import (
    Community,
    District,
    ExpertAppointment,
    Membership,
    MembershipStatus,
    OfficeRole,
    Role,
    Street,
)
from app.extensions import db
from app.needs.models import Need, NeedStatus

OPEN = (NeedStatus.SUBMITTED, NeedStatus.SCREENING, NeedStatus.LISTED)


def can_view(viewer: Viewer, need: Need) -> bool:
    """Members of the community (unverified too) and the street and district staff overseeing it."""
    return viewer.may_see and viewer.community_id == need.community_id


def can_submit(viewer: Viewer) -> bool:
    """Verified residents (building leaders among them), community staff and the social workers' station."""
    return viewer.has_role(Role.RESIDENT, Role.BUILDING_LEADER, Role.COMMUNITY_STAFF, Role.SOCIAL_ORG)


def can_support(viewer: Viewer, need: Need) -> bool:
    """ "我家也需要": a verified resident with a household, for an open need of their community."""
    return (
        viewer.has_role(Role.RESIDENT)
        and viewer.membership.household_id is not None
        and viewer.community_id == need.community_id
        and need.status in OPEN
    )


def can_withdraw(viewer: Viewer, need: Need) -> bool:
    """The author, while the need is not yet decided."""
    return viewer.is_user(need.author_id) and need.status in (NeedStatus.SUBMITTED, NeedStatus.SCREENING)


def can_review(viewer: Viewer) -> bool:
    """Community staff put needs to the experts, close the screening, decline them and make guidance items."""
    return viewer.is_staff


def can_screen(user, need: Need) -> bool:
    """An expert named for the need's street or district sees it while it is before the experts or after
    (only its title, description, households, affected group and place: never who raised it)."""
    if need.status not in (NeedStatus.SCREENING, NeedStatus.LISTED, NeedStatus.DECLINED):
        return False
    community = db.session.get(Community, need.community_id)
    return experts.is_expert_for(user, community)


def can_score(user, need: Need) -> bool:
    """An expert covering the community scores a need before the experts until staff close the screening."""
    return need.status == NeedStatus.SCREENING and need.screening_closed_at is None and can_screen(user, need)


def is_expert(user) -> bool:
    return bool(experts.appointments_of(user))


def _street_offices(user) -> set[int]:
    return {o.street_id for o in offices_of(user) if o.role == OfficeRole.STREET_STAFF}


def _district_offices(user) -> set[int]:
    return {o.district_id for o in offices_of(user) if o.role == OfficeRole.DISTRICT_STAFF}


def oversees_street(user, street: Street) -> bool:
    """Street staff of this street, or district staff of its district."""
    return street.id in _street_offices(user) or street.district_id in _district_offices(user)


def has_offices(user) -> bool:
    return bool(offices_of(user))


def can_make_street_guidance(user, street: Street) -> bool:
    """Street staff make the street-wide items of their street's guidance list."""
    return street.id in _street_offices(user)


def can_view_street_guidance(user, street: Street) -> bool:
    """The street's published list: its staff and the district's, its experts, and the members of its
    communities (any status)."""
    if oversees_street(user, street) or experts.is_expert_for_street(user, street):
        return True
    query = (
        select(Membership.id)
        .join(Community, Membership.community_id == Community.id)
        .where(
            Membership.user_id == user.id,
            Community.street_id == street.id,
            Membership.status != MembershipStatus.REJECTED,
        )
        .limit(1)
    )
    return db.session.scalar(query) is not None


def appointing_scopes(user) -> tuple[list[Street], list[District]]:
    """Where the user names experts: street staff for their streets, district staff for their district."""
    streets = [db.session.get(Street, sid) for sid in sorted(_street_offices(user))]
    districts = [db.session.get(District, did) for did in sorted(_district_offices(user))]
    return streets, districts


def can_appoint(user) -> bool:
    return has_offices(user)


def can_end_appointment(user, appointment: ExpertAppointment) -> bool:
    """Street staff end their street's appointments, district staff the district's."""
    if appointment.ended_at is not None:
        return False
    if appointment.street_id is not None:
        return appointment.street_id in _street_offices(user)
    return appointment.district_id in _district_offices(user)
