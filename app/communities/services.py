"""Community use cases: tenancy look-ups, joining, verification, roles, invites.

Each use case takes the actor's `Viewer` (communities.access) first, checks communities.permissions with it,
and flushes: the edge (a view through core.web.perform/form_view, the CLI) commits once. Signals are sent
inside the transaction; their subscribers only add rows or queue work for after the commit."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts import recovery
from app.accounts.models import User
from app.communities import access, permissions, signals
from app.communities.access import Viewer
from app.communities.models import (
    Building,
    Community,
    Household,
    HouseholdOwner,
    InviteCode,
    MemberRole,
    Membership,
    MembershipStatus,
    Relation,
    Role,
)
from app.core import audit
from app.core.errors import DomainError, Forbidden, NotFound
from app.core.models import utcnow
from app.extensions import db

INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by the elderly


# -- tenancy: the access rule itself is communities.access ----------------------------------------------


def memberships_of(user: User) -> list[Membership]:
    return list(db.session.scalars(select(Membership).where(Membership.user_id == user.id).order_by(Membership.id)))


def overseen_communities(user: User) -> list[Community]:
    ids = access.overseen_community_ids(user)
    if not ids:
        return []
    return list(db.session.scalars(select(Community).where(Community.id.in_(ids)).order_by(Community.id)))


def community_stats(community_ids: set[int]) -> dict[int, dict[str, int]]:
    """Members by status and households, per community, in two queries."""
    stats = {cid: {"verified": 0, "pending": 0, "rejected": 0, "households": 0} for cid in community_ids}
    rows = db.session.execute(
        select(Membership.community_id, Membership.status, func.count())
        .where(Membership.community_id.in_(community_ids))
        .group_by(Membership.community_id, Membership.status)
    )
    for cid, status, count in rows:
        stats[cid][status.value] = count
    rows = db.session.execute(
        select(Household.community_id, func.count())
        .where(Household.community_id.in_(community_ids))
        .group_by(Household.community_id)
    )
    for cid, count in rows:
        stats[cid]["households"] = count
    return stats


# -- invites and joining ---------------------------------------------------


def _new_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(8))


def create_invite(viewer: Viewer, building_id: int | None = None) -> InviteCode:
    """Staff make a join code for the whole community or one of its buildings."""
    if not permissions.can_manage_invites(viewer):
        raise Forbidden()
    community, actor = viewer.community, viewer.user
    if building_id is not None:
        building = db.session.get(Building, building_id)
        if building is None or building.community_id != community.id:
            raise DomainError("bad_request", _l("Choose a building of this community."), field="building_id")
    invite = InviteCode(community_id=community.id, building_id=building_id, code=_new_code(), created_by_id=actor.id)
    db.session.add(invite)
    db.session.flush()
    audit.record(actor, "invite.create", invite, community_id=community.id, building_id=building_id)
    return invite


def set_invite_active(viewer: Viewer, invite: InviteCode, active: bool) -> InviteCode:
    """Staff switch a code off (a poster was lost) or on again."""
    if invite.community_id != viewer.community_id or not permissions.can_manage_invites(viewer):
        raise Forbidden()
    invite.active = active
    audit.record(
        viewer.user, "invite.activate" if active else "invite.deactivate", invite, community_id=invite.community_id
    )
    db.session.flush()
    return invite


def get_invite(community: Community, invite_id: int) -> InviteCode:
    """One of the community's invite codes (NotFound for another community's)."""
    invite = db.session.get(InviteCode, invite_id)
    if invite is None or invite.community_id != community.id:
        raise NotFound()
    return invite


def invites_of(community: Community) -> list[InviteCode]:
    return list(
        db.session.scalars(select(InviteCode).where(InviteCode.community_id == community.id).order_by(InviteCode.id))
    )


def find_invite(code: str) -> InviteCode:
    """The active invite with this code (case and spaces forgiven)."""
    cleaned = "".join((code or "").split()).upper()
    invite = db.session.scalar(select(InviteCode).where(InviteCode.code == cleaned)) if cleaned else None
    if invite is None or not invite.active:
        raise DomainError(
            "invalid_invite",
            _l("This invite code is not valid. Check the code on your building's poster."),
            field="code",
        )
    return invite


def find_household(community_id: int, building_id: int | None, unit: str, room: str) -> Household:
    """A household of the community's roster, by building, unit and room."""
    building = db.session.get(Building, building_id) if building_id else None
    if building is None or building.community_id != community_id:
        raise DomainError("bad_request", _l("Choose your building."), field="building_id")
    household = db.session.scalar(
        select(Household).where(
            Household.building_id == building.id,
            Household.unit == unit.strip(),
            Household.room == room.strip(),
        )
    )
    if household is None:
        raise DomainError(
            "household_not_found",
            _l("This unit and room are not on the community's roster. Check them, or ask your building leader."),
            field="room",
        )
    return household


def join(
    viewer: Viewer,
    invite: InviteCode,
    *,
    household: Household | None,
    relation: Relation | None,
) -> Membership:
    """Ask to join a community; the membership waits for verification.

    `viewer` is the applicant as seen from the invite's community. Sending the same request again returns
    the same membership; a rejected member may apply again with corrected details.
    """
    if viewer.community_id != invite.community_id or viewer.user is None:
        raise Forbidden()
    user = viewer.user
    if household is not None:
        if household.community_id != invite.community_id:
            raise DomainError("bad_request", _l("This household is not in the community."), field="room")
        if invite.building_id is not None and household.building_id != invite.building_id:
            raise DomainError(
                "wrong_building",
                _l(
                    "This invite code is for %(building)s. Use the code of your own building.",
                    building=invite.building.name,
                ),
                field="building_id",
            )
        if relation is None:
            raise DomainError("bad_request", _l("Say how you live in this household."), field="relation")
    membership = viewer.membership
    if membership is not None and membership.status != MembershipStatus.REJECTED:
        return membership
    try:
        with db.session.begin_nested():  # a savepoint: the same request may race itself
            if membership is None:
                membership = Membership(user_id=user.id, community_id=invite.community_id)
                db.session.add(membership)
            _apply(membership, invite, household, relation)
            db.session.flush()
    except IntegrityError:
        existing = access.membership_of(user, invite.community_id)  # the other request won
        if existing is None:
            raise
        return existing
    signals.membership_requested.send(membership, actor=user)
    return membership


def _apply(membership: Membership, invite: InviteCode, household: Household | None, relation: Relation | None):
    membership.household_id = household.id if household else None
    membership.relation = relation if household else None
    membership.status = MembershipStatus.PENDING
    membership.review_note = ""
    membership.reviewed_by_id = None
    membership.reviewed_at = None
    membership.invite_id = invite.id


# -- verification ----------------------------------------------------------


def review_queue(viewer: Viewer) -> list[Membership]:
    """Pending members this viewer may verify, oldest first."""
    if not permissions.can_review_queue(viewer):
        raise Forbidden()
    community = viewer.community
    pending = db.session.scalars(
        select(Membership)
        .where(Membership.community_id == community.id, Membership.status == MembershipStatus.PENDING)
        .order_by(Membership.created_at, Membership.id)
    )
    return [m for m in pending if permissions.can_verify(viewer, m)]


def roster_match(membership: Membership) -> HouseholdOwner | None:
    """The registered owner of the member's household with the member's phone, if any."""
    if membership.household is None:
        return None
    return next((o for o in membership.household.owners if o.phone and o.phone == membership.user.phone), None)


def get_membership(community: Community, membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.community_id != community.id:
        raise NotFound()
    return membership


def verify(viewer: Viewer, membership: Membership) -> Membership:
    """Verify a pending member: resident of their household, owner if the roster names them."""
    if not permissions.can_verify(viewer, membership):
        raise Forbidden()
    actor = viewer.user
    if membership.status == MembershipStatus.VERIFIED:
        return membership  # verified already: a double tap changes nothing
    if membership.status != MembershipStatus.PENDING:
        raise DomainError("wrong_status", _l("Only a pending request can be verified."), status=409)
    membership.status = MembershipStatus.VERIFIED
    membership.reviewed_by_id = actor.id
    membership.reviewed_at = utcnow()
    membership.review_note = ""
    if membership.household_id is not None:
        _grant(membership, Role.RESIDENT, actor)
        owner = roster_match(membership)
        if owner is not None:
            owner.user_id = membership.user_id
            _grant(membership, Role.OWNER, actor)
    audit.record(actor, "membership.verify", membership, community_id=membership.community_id)
    db.session.flush()
    signals.membership_verified.send(membership, actor=actor)
    return membership


def reject(viewer: Viewer, membership: Membership, reason: str) -> Membership:
    """Reject a pending member with a reason they will read."""
    if not permissions.can_verify(viewer, membership):
        raise Forbidden()
    actor = viewer.user
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", _l("Give a reason: the applicant will read it."), field="reason")
    if membership.status == MembershipStatus.REJECTED and membership.review_note == reason:
        return membership
    if membership.status != MembershipStatus.PENDING:
        raise DomainError("wrong_status", _l("Only a pending request can be rejected."), status=409)
    membership.status = MembershipStatus.REJECTED
    membership.review_note = reason[:200]
    membership.reviewed_by_id = actor.id
    membership.reviewed_at = utcnow()
    audit.record(actor, "membership.reject", membership, community_id=membership.community_id, reason=reason)
    db.session.flush()
    signals.membership_rejected.send(membership, actor=actor)
    return membership


# -- roles -----------------------------------------------------------------

# Roles that come from verification and the roster, not from a staff decision.
DERIVED_ROLES = frozenset({Role.RESIDENT})


def _grant(membership: Membership, role: Role, actor: User, building_id: int | None = None) -> MemberRole:
    existing = next((r for r in membership.roles if r.role == role), None)
    if existing is not None:
        existing.building_id = building_id
        return existing
    granted = MemberRole(role=role, building_id=building_id, granted_by_id=actor.id)
    membership.roles.append(granted)
    return granted


def assign_role(viewer: Viewer, membership: Membership, role: Role, building_id: int | None = None) -> Membership:
    """Staff give a verified member a role (a building leader's names the building)."""
    if membership.community_id != viewer.community_id or not permissions.can_manage_roles(viewer):
        raise Forbidden()
    actor = viewer.user
    if role in DERIVED_ROLES:
        raise DomainError("bad_request", _l("This role comes with verification and cannot be assigned."), field="role")
    if not membership.is_verified:
        raise DomainError("not_verified", _l("Verify this member before giving them a role."), status=409)
    if role == Role.BUILDING_LEADER:
        building = db.session.get(Building, building_id) if building_id else None
        if building is None or building.community_id != membership.community_id:
            raise DomainError("bad_request", _l("Choose the building this leader looks after."), field="building_id")
    else:
        building_id = None
    existing = next((r for r in membership.roles if r.role == role), None)
    if existing is not None and existing.building_id == building_id:
        return membership
    _grant(membership, role, actor, building_id)
    audit.record(
        actor, "role.grant", membership, community_id=membership.community_id, role=role.value, building_id=building_id
    )
    db.session.flush()
    signals.role_changed.send(membership, actor=actor, role=role, granted=True)
    return membership


def revoke_role(viewer: Viewer, membership: Membership, role: Role) -> Membership:
    """Staff take a role back; staff cannot remove their own staff role."""
    if membership.community_id != viewer.community_id or not permissions.can_manage_roles(viewer):
        raise Forbidden()
    actor = viewer.user
    if role == Role.COMMUNITY_STAFF and viewer.is_user(membership.user_id):
        raise DomainError(
            "bad_request", _l("You cannot remove your own staff role; ask another staff member."), field="role"
        )
    existing = next((r for r in membership.roles if r.role == role), None)
    if existing is None:
        return membership
    membership.roles.remove(existing)
    audit.record(actor, "role.revoke", membership, community_id=membership.community_id, role=role.value)
    db.session.flush()
    signals.role_changed.send(membership, actor=actor, role=role, granted=False)
    return membership


def members_visible_to(view: Viewer, status: MembershipStatus | None = None) -> list[Membership]:
    """The member directory as this viewer may see it (a building leader: their buildings)."""
    community_id = view.community.id
    if not permissions.can_view_members(view):
        raise Forbidden()
    query = select(Membership).where(Membership.community_id == community_id).order_by(Membership.id)
    if status is not None:
        query = query.where(Membership.status == status)
    members = list(db.session.scalars(query))
    staff = view.oversees or permissions.can_manage_roles(view)
    if not staff:
        led = view.membership.led_building_ids() if view.membership else set()
        members = [m for m in members if m.building_id in led]
    return members


def issue_reset_code(viewer: Viewer, membership: Membership) -> tuple[str, datetime]:
    """Help at the desk: a one-time password reset code for a member at the office, to print on a slip.
    Returns (the code, its expiry); the audit log records who issued it for whom, never the code."""
    if not permissions.can_issue_reset_code(viewer, membership):
        raise Forbidden()
    code, expires_at = recovery.issue_desk_code(membership.user, issued_by=viewer.user)
    audit.record(
        viewer.user,
        "account.desk_reset_code",
        membership.user,
        community_id=viewer.community_id,
        membership_id=membership.id,
        expires_at=expires_at.isoformat(),
    )
    db.session.flush()
    return code, expires_at
