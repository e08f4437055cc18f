"""Who may do what with golden ideas. `member` is the actor's Membership of the idea's community."""

from __future__ import annotations

from app.communities.models import Membership, Role


def can_view(member: Membership | None, community_id: int, *, oversees: bool = False) -> bool:
    """Members of the community (unverified too) and street/district staff read ideas."""
    return oversees or (member is not None and member.community_id == community_id)


def can_submit(member: Membership | None) -> bool:
    """Verified residents submit ideas."""
    return member is not None and member.has_role(Role.RESIDENT)


def can_endorse(member: Membership | None) -> bool:
    """Verified residents endorse, once each."""
    return member is not None and member.has_role(Role.RESIDENT)


def can_comment(member: Membership | None) -> bool:
    """Verified members comment (residents and the official parties)."""
    return member is not None and member.is_verified and bool(member.role_names - {Role.EXPERT.value})


def can_review(member: Membership | None, community_id: int) -> bool:
    """Community staff move ideas through their statuses, merge and adopt them."""
    return member is not None and member.community_id == community_id and member.has_role(Role.COMMUNITY_STAFF)
