"""Who may do what with micro-projects and the fund. `member`: the actor's Membership of the community."""

from __future__ import annotations

from app.communities.models import Membership, Role


def can_apply(member: Membership | None) -> bool:
    """Verified residents (for a resident group) and social organisations apply."""
    return member is not None and member.has_role(Role.RESIDENT, Role.SOCIAL_ORG)


def can_review(member: Membership | None, community_id: int) -> bool:
    """Community staff review applications and keep the fund."""
    return member is not None and member.community_id == community_id and member.has_role(Role.COMMUNITY_STAFF)


def can_rate(member: Membership | None) -> bool:
    """A verified resident of a household rates, once per household."""
    return member is not None and member.has_role(Role.RESIDENT) and member.household_id is not None
