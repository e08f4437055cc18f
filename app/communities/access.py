"""The one access rule: who may see a community's things, and how an edge loads what its viewer may see.

A community's things (consultations, ideas, micro-projects, contests, decisions, photos, members) are seen by
its members (any status: an unverified resident sees what is there while waiting) and by the street and
district staff who oversee it. Nobody else learns that they exist: a refusal is a 404, never a 403.

Every edge (an HTTP view, a socket handler) starts from a `Viewer`:

    viewer = access.community_viewer(slug, current_user)        # /c/<slug>/... pages
    idea, viewer = access.load(Idea, idea_id, current_user)      # /ideas/<id> pages and socket payloads
    idea, viewer = access.load(Idea, idea_id, current_user, can=permissions.can_view)  # a narrower rule

and hands it to the feature's permissions (`permissions.can_<verb>(viewer, obj)`) and services. Nothing else
computes membership or oversight: a new feature gets access control by calling this module.

Pages that are not one community's (a street's or a district's lists and dashboards, the registry of
organisations, the district's admission list) ask the rule's district half, `oversight(user)` (an `Oversight`:
`oversees(community=|street=|district=)`, `staffs_street(id)`), `oversees(user, ...)` or
`overseen_community_ids(user)`; no feature reads a user's offices to decide it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain
from typing import TypeVar

from sqlalchemy import event, exists, inspect, or_, select
from sqlalchemy.orm import Session, joinedload, lazyload

from app.accounts.models import User
from app.communities.models import (
    Community,
    District,
    MemberRole,
    Membership,
    MembershipStatus,
    OfficeAssignment,
    OfficeRole,
    Role,
    Street,
)
from app.core import generations, snapshots
from app.core.errors import NotFound
from app.core.sockets import connection_store, socket_user_id
from app.core.validation import MAX_ID
from app.extensions import db

T = TypeVar("T")


class Viewer:
    """A user (or a visitor: user None) as seen from one community: their membership there, and oversight.

    Whether they oversee the community (street or district staff) is looked up only when asked: a member's
    own actions never need it (`may_see` is true at once), so the room's hot paths skip that query."""

    __slots__ = ("_oversees", "community", "membership", "user")

    def __init__(
        self, user: User | None, community: Community, membership: Membership | None, oversees: bool | None = None
    ):
        self.user = user
        self.community = community
        self.membership = membership
        self._oversees = oversees

    def __repr__(self) -> str:
        return f"Viewer(user={self.user!r}, community={self.community!r}, membership={self.membership!r})"

    @property
    def oversees(self) -> bool:
        """Street or district staff overseeing this community (looked up once, on first use)."""
        if self._oversees is None:
            self._oversees = self.user is not None and self.community.id in overseen_community_ids(self.user)
        return self._oversees

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None

    @property
    def community_id(self) -> int:
        return self.community.id

    @property
    def is_member(self) -> bool:
        return self.membership is not None

    @property
    def is_verified(self) -> bool:
        return self.membership is not None and self.membership.is_verified

    @property
    def may_see(self) -> bool:
        """The access rule itself: a member of the community, or street/district staff overseeing it."""
        return self.is_member or self.oversees

    def has_role(self, *roles: Role) -> bool:
        """A verified member holding one of the roles here (Membership.has_role's rule)."""
        return self.membership is not None and self.membership.has_role(*roles)

    @property
    def is_staff(self) -> bool:
        """Community staff (社区工作者) of this community."""
        return self.has_role(Role.COMMUNITY_STAFF)

    def is_user(self, user_id: int | None) -> bool:
        return user_id is not None and self.user is not None and self.user.id == user_id


def _authenticated(user) -> User | None:
    """The user itself (never flask_login's current_user proxy, which would change under a kept Viewer),
    or None for a visitor."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    unwrap = getattr(user, "_get_current_object", None)
    return unwrap() if unwrap is not None else user


def _membership_loaded(kept: bool = True) -> tuple:
    """What the rules read of a membership, loaded with it: its roles; and its household's building when it is
    kept for a socket, whose join reads it as kept (core.snapshots.as_kept), where nothing more can be loaded."""
    if not kept:
        return (joinedload(Membership.roles),)
    # not its user: the connection keeps its user once already, and a second copy per membership is memory
    return joinedload(Membership.roles), joinedload(Membership.household), lazyload(Membership.user)


def membership_of(user: User | None, community_id: int) -> Membership | None:
    user = _authenticated(user)
    if user is None:
        return None
    kept = _kept(user)
    if kept is not None and (("member", community_id) in kept or kept.get("every membership")):
        found = kept.get(("member", community_id))
        return snapshots.attach(found) if found is not None else None
    # the roles (and household) in the same round trip: nearly every caller asks has_role() next
    membership = (
        db.session.execute(
            select(Membership)
            .where(Membership.user_id == user.id, Membership.community_id == community_id)
            .options(*_membership_loaded(kept is not None))
        )
        .unique()
        .scalar_one_or_none()
    )
    if kept is not None:
        kept[("member", community_id)] = snapshots.keep(membership) if membership is not None else None
    return membership


# -- a socket's standing, kept for its connection -------------------------------------------------------------
#
# A socket's events ask the same questions again and again (is this user a member here, with which roles, which
# communities do they oversee): the connection keeps the answers for its own user, under the counter of that
# user's rights (core.generations, bumped after the commit of any change of their memberships, roles, offices,
# logins or account) and for KEPT_SECONDS at most. Nothing is kept for an HTTP request, nor about another user.

KEPT_SECONDS = 60.0
_KEPT = "yishi_kept_standing"  # in the socket's session: (user id, generation, kept at, {question: answer})


def _kept(user: User) -> dict | None:
    """The connection's kept answers about `user` (empty when they were stale), or None when nothing may be
    kept: not a socket, not the socket's own user, or the counters unknown (Redis away)."""
    store = connection_store()
    if store is None or user.id != socket_user_id():
        return None
    generation = generations.read(generations.rights(user.id), generations.EVERY_RIGHT)
    if generation is None:
        store.pop(_KEPT, None)
        return None
    found = store.get(_KEPT)
    now = time.monotonic()
    if found is None or found[0] != user.id or found[1] != generation or now - found[2] > KEPT_SECONDS:
        found = store[_KEPT] = (user.id, generation, now, {})
    return found[3]


def keep_standing(user: User) -> None:
    """At a socket's connect: every membership of its user (with their roles) in one query, kept for the
    connection, so that its joins ask the database nothing about them (a community not among them: not a
    member there). Stale as any kept answer: the next event loads afresh, one community at a time."""
    kept = _kept(user)
    if kept is None:
        return
    memberships = db.session.scalars(
        select(Membership).where(Membership.user_id == user.id).options(*_membership_loaded())
    ).unique()
    for membership in memberships:
        kept[("member", membership.community_id)] = snapshots.keep(membership)
    kept["every membership"] = True


@event.listens_for(Session, "after_flush")
def _note_changed_standing(session: Session, _context) -> None:
    """Whose standing this flush changed (memberships, roles, offices), and whether a community or street was
    added, removed or moved (what oversight is worked out from): their kept answers go once it commits."""
    users: set[int] = set()
    every = False
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Membership | OfficeAssignment):
            users.add(obj.user_id)
        elif isinstance(obj, MemberRole):
            membership = obj.membership if obj.membership_id is None else session.get(Membership, obj.membership_id)
            if membership is not None:
                users.add(membership.user_id)
        elif isinstance(obj, Community | Street):
            moved = inspect(obj).attrs["street_id" if isinstance(obj, Community) else "district_id"].history
            every = every or obj in session.new or obj in session.deleted or moved.has_changes()
    names = [generations.rights(user_id) for user_id in users if user_id is not None]
    if every:
        names.append(generations.EVERY_RIGHT)
    generations.bump_after_commit(*names)


def offices_of(user: User | None) -> list[OfficeAssignment]:
    user = _authenticated(user)
    if user is None:
        return []
    query = select(OfficeAssignment).where(OfficeAssignment.user_id == user.id).order_by(OfficeAssignment.id)
    return list(db.session.scalars(query))


def works_anywhere_as(user_id: int, roles: tuple[str, ...]):
    """A SQL condition, true where the user holds a street's or a district's office, or is a verified member of
    any community with one of `roles` (for what is shown to those who work with the pipeline wherever they are,
    such as the main menu's registry link: a caller may OR it with its own condition in one query)."""
    office = exists().where(OfficeAssignment.user_id == user_id)
    role = exists().where(
        Membership.user_id == user_id,
        Membership.status == MembershipStatus.VERIFIED,
        MemberRole.membership_id == Membership.id,
        MemberRole.role.in_(roles),
    )
    return or_(office, role)


@dataclass(frozen=True)
class Oversight:
    """The district-level half of the access rule: where a user holds a street's or a district's office.

    Street staff oversee their street (its communities, its organisations, its guidance list); district staff
    their district and every street in it. Pages that are not one community's (a street's, a district's, the
    registry, the admission list) ask this, never the offices themselves."""

    street_ids: frozenset[int] = frozenset()  # the streets the user is street staff (街道) of
    district_ids: frozenset[int] = frozenset()  # the districts the user is district staff (区) of
    # The user's first office, highest level first: ("district", id), ("street", id), or None (see `landing`)
    first: tuple[str, int] | None = field(default=None, compare=False)

    def __bool__(self) -> bool:
        """Any office at all (street or district staff somewhere)."""
        return bool(self.street_ids or self.district_ids)

    def staffs_street(self, street_id: int | None) -> bool:
        """Street staff of this very street (not the district's: what only the street's own office does)."""
        return street_id is not None and street_id in self.street_ids

    @property
    def landing(self) -> tuple[str, int] | None:
        """The level a page for "my area" opens at: ("district", id) for district staff (their first district
        office), else ("street", id) for street staff (their first street office), else None."""
        return self.first

    def street_ids_in(self, district_id: int) -> frozenset[int]:
        """The streets of this district the user is street staff of (one query, none without a street office)."""
        if not self.street_ids:
            return frozenset()
        query = select(Street.id).where(Street.id.in_(self.street_ids), Street.district_id == district_id)
        return frozenset(db.session.scalars(query))

    def oversees(
        self,
        *,
        community: Community | None = None,
        street: Street | None = None,
        district: District | int | None = None,
    ) -> bool:
        """Street staff of the street, or district staff of its district; for a district, its district staff.
        Exactly one of `community`, `street`, `district` (a District or its id)."""
        if sum(x is not None for x in (community, street, district)) != 1:
            raise TypeError("oversees() takes exactly one of community, street, district")
        if district is not None:
            return (district.id if isinstance(district, District) else district) in self.district_ids
        if community is not None:
            street = community.street
        return street.id in self.street_ids or street.district_id in self.district_ids


def oversight(user: User | None) -> Oversight:
    """Where `user` holds office (one query; nothing for a visitor)."""
    offices = offices_of(user)  # in the order they were given
    districts = [o.district_id for o in offices if o.role == OfficeRole.DISTRICT_STAFF]
    streets = [o.street_id for o in offices if o.role == OfficeRole.STREET_STAFF]
    first = ("district", districts[0]) if districts else ("street", streets[0]) if streets else None
    return Oversight(street_ids=frozenset(streets), district_ids=frozenset(districts), first=first)


def oversees(
    user: User | None,
    *,
    community: Community | None = None,
    street: Street | None = None,
    district: District | int | None = None,
) -> bool:
    """Whether `user` is street or district staff over the community, street or district (see Oversight)."""
    return oversight(user).oversees(community=community, street=street, district=district)


def overseen_district_ids(user: User | None) -> set[int]:
    """Districts a street or district staff member works in: their own, and those of their streets."""
    found = oversight(user)
    districts = set(found.district_ids)
    if found.street_ids:
        districts |= set(db.session.scalars(select(Street.district_id).where(Street.id.in_(found.street_ids))))
    return districts


def overseen_community_ids(user: User | None) -> set[int]:
    """Communities a street or district staff member sees across: those of their streets and districts (kept
    with a socket's login between its events, like its memberships)."""
    user = _authenticated(user)
    kept = _kept(user) if user is not None else None
    if kept is not None and "overseen" in kept:
        return set(kept["overseen"])
    found = _overseen_community_ids(user)
    if kept is not None:
        kept["overseen"] = frozenset(found)
    return found


def _overseen_community_ids(user: User | None) -> set[int]:
    found = oversight(user)
    if not found:
        return set()
    query = (
        select(Community.id)
        .join(Street, Community.street_id == Street.id)
        .where(or_(Street.id.in_(found.street_ids), Street.district_id.in_(found.district_ids)))
    )
    return set(db.session.scalars(query))


def district_staff(district_id: int) -> list[User]:
    """Who oversees the district as its staff (those told of what the district itself must answer)."""
    query = (
        select(User)
        .join(OfficeAssignment, OfficeAssignment.user_id == User.id)
        .where(OfficeAssignment.role == OfficeRole.DISTRICT_STAFF, OfficeAssignment.district_id == district_id)
        .order_by(User.id)
    )
    return list(db.session.scalars(query))


def holds_staff_powers(user: User) -> bool:
    """Community staff anywhere, or street or district staff: an account whose takeover reaches beyond its
    owner (a password reset at a community's desk is not for such an account)."""
    if offices_of(user):
        return True
    staff_role = (
        select(MemberRole.id)
        .join(Membership, MemberRole.membership_id == Membership.id)
        .where(
            Membership.user_id == user.id,
            Membership.status == MembershipStatus.VERIFIED,
            MemberRole.role == Role.COMMUNITY_STAFF,
        )
        .limit(1)
    )
    return db.session.scalar(staff_role) is not None


def viewer(user: User | None, community: Community) -> Viewer:
    """How `user` stands in `community` (no check: see `require`)."""
    user = _authenticated(user)
    return Viewer(user=user, community=community, membership=membership_of(user, community.id))


def require(user: User | None, community: Community) -> Viewer:
    """The viewer, if the access rule lets them see the community's things; NotFound (404) otherwise."""
    found = viewer(user, community)
    if not found.may_see:
        raise NotFound()
    return found


def community_by_slug(slug: str) -> Community:
    community = db.session.scalar(select(Community).where(Community.slug == slug))
    if community is None:
        raise NotFound()
    return community


def community_by_id(community_id: int) -> Community:
    community = db.session.get(Community, community_id) if _valid_id(community_id) else None
    if community is None:
        raise NotFound()
    return community


def community_viewer(slug: str, user: User | None, *, check: bool = True) -> Viewer:
    """For /c/<slug>/... pages: the community by its slug and how the user stands there (404 unless they
    may see it; `check=False` for the few pages a non-member may open, such as joining)."""
    community = community_by_slug(slug)
    return require(user, community) if check else viewer(user, community)


def _valid_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def load(
    model: type[T],
    object_id,
    user: User | None,
    *,
    can: Callable[[Viewer, T], bool] | None = None,
    community_of: Callable[[T], int] = lambda obj: obj.community_id,
    options: tuple = (),
    admit: Callable[[Viewer, T], bool] | None = None,
    get: Callable[[int], T | None] | None = None,
    community: Callable[[T], Community] | None = None,
) -> tuple[T, Viewer]:
    """The one way to load an object for a viewer: (object, viewer), or NotFound (404) when the object does
    not exist, is in a community the user may not see, or fails the feature's narrower `can(viewer, obj)`
    (a hidden idea, a building-only consultation). A 404 either way: nothing tells a stranger it exists.
    `options`: loader options for the object (joinedload(Model.community) saves the community's query); `get`:
    how to find it by id instead (a row the feature keeps, such as a room's consultation for its joiners), and
    `community(obj)` its community as it was loaded with it (rather than by `community_of`'s id).
    `admit(viewer, obj)`: the owner feature's rule for who else, not a member nor an overseer, reaches this one
    object (an expert on a call's panel, an organisation's agent); asked only of a signed-in user the access
    rule leaves out, and `can` is still asked after it."""
    if not _valid_id(object_id):
        obj = None
    elif get is not None:
        obj = get(object_id)
    else:
        obj = db.session.get(model, object_id, options=options)
    if obj is None:
        raise NotFound()
    found = viewer(user, community(obj) if community is not None else community_by_id(community_of(obj)))
    if not found.may_see and (admit is None or found.user is None or not admit(found, obj)):
        raise NotFound()
    if can is not None and not can(found, obj):
        raise NotFound()
    return obj, found
