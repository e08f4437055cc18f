"""Who may manage a community's rule sets: community staff."""

from __future__ import annotations

from app.communities.models import Membership, Role


def can_manage_rule_sets(member: Membership | None, community_id: int) -> bool:
    return member is not None and member.community_id == community_id and member.has_role(Role.COMMUNITY_STAFF)
