"""Who may do what with needs, their screening and the guidance list. Community pages take the `Viewer`
(communities.access) first; the street- and district-wide pages (experts' screening, the street's list, the
aggregated views, naming experts) are not a community's pages: their rules are written here from the access
rule's district half (`access.oversight`), expert appointments and memberships, and those pages show counts and
titles only, never residents' names."""

from __future__ import annotations

from sqlalchemy import select

from app.communities import access, experts
from app.communities.access import Viewer
from app.communities.models import (
    Community,
    District,
    ExpertAppointment,
    Membership,
    MembershipStatus,
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


def oversees_street(user, street: Street) -> bool:
    """Street staff of this street, or district staff of its district."""
    return access.oversees(user, street=street)


def has_offices(user) -> bool:
    return bool(access.oversight(user))


def can_make_street_guidance(user, street: Street) -> bool:
    """Street staff make the street-wide items of their street's guidance list."""
    return access.oversight(user).staffs_street(street.id)


def can_make_guidance(user, street: Street, community: Community | None) -> bool:
    """Items of a community's list: its staff; street-wide items (community None): the street's staff."""
    if community is None:
        return can_make_street_guidance(user, street)
    return can_review(access.viewer(user, community))


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
    found = access.oversight(user)
    streets = [db.session.get(Street, sid) for sid in sorted(found.street_ids)]
    districts = [db.session.get(District, did) for did in sorted(found.district_ids)]
    return streets, districts


def can_appoint(user) -> bool:
    return has_offices(user)


def can_end_appointment(user, appointment: ExpertAppointment) -> bool:
    """Street staff end their street's appointments, district staff the district's."""
    if appointment.ended_at is not None:
        return False
    found = access.oversight(user)
    if appointment.street_id is not None:
        return found.staffs_street(appointment.street_id)
    return found.oversees(district=appointment.district_id)
