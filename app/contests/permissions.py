"""Who may do what with proposal contests. `member` is the actor's Membership of the contest's community.

The same functions serve the HTTP views and the /contests socket.
"""

from __future__ import annotations

from app.communities.models import Membership, Role


def _of(member: Membership | None, community_id: int) -> bool:
    return member is not None and member.community_id == community_id


def can_view(member: Membership | None, community_id: int, *, oversees: bool = False) -> bool:
    """Members of the community (unverified too) and street/district staff read contests."""
    return oversees or _of(member, community_id)


def can_manage(member: Membership | None, community_id: int) -> bool:
    """Community staff create contests, move phases, certify counts, answer objections, grant winners."""
    return _of(member, community_id) and member.has_role(Role.COMMUNITY_STAFF)


def can_submit(member: Membership | None, community_id: int) -> bool:
    """Verified residents submit entries."""
    return _of(member, community_id) and member.has_role(Role.RESIDENT)


def can_screen(member: Membership | None, community_id: int) -> bool:
    """Experts and community staff screen entries."""
    return _of(member, community_id) and member.has_role(Role.EXPERT, Role.COMMUNITY_STAFF)


def can_vote(member: Membership | None, community_id: int) -> bool:
    """Verified residents vote (in a per-household contest, for their household)."""
    return _of(member, community_id) and member.has_role(Role.RESIDENT)


def can_object(member: Membership | None, community_id: int) -> bool:
    """Verified members raise objections during 公示."""
    return _of(member, community_id) and member.is_verified and bool(member.role_names)


def can_see_reason(member: Membership | None, entry) -> bool:
    """An entry's screening reason: its author, experts and staff."""
    if member is None or member.community_id != entry.community_id:
        return False
    return member.user_id == entry.author_id or can_screen(member, entry.community_id)
