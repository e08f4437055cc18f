"""Who may do what with owners' decisions. `member`: the actor's Membership of the decision's community.

Counting (opening a decision, entering paper ballots, closing, certifying, answering objections) belongs to
the owners' committee and community staff; the property manager never tallies, whatever else they hold.
"""

from __future__ import annotations

from app.communities.models import Membership, Role


def can_view(member: Membership | None, community_id: int, *, oversees: bool = False) -> bool:
    """Members of the community (unverified too) and street/district staff read decisions and results."""
    return oversees or (member is not None and member.community_id == community_id)


def can_count(member: Membership | None, community_id: int) -> bool:
    """The owners' committee and community staff run decisions and count them; never the property manager."""
    return (
        member is not None
        and member.community_id == community_id
        and member.has_role(Role.OWNERS_COMMITTEE, Role.COMMUNITY_STAFF)
        and not member.has_role(Role.PROPERTY_MANAGER)
    )


def can_see_personal_data(member: Membership | None, community_id: int) -> bool:
    """Counters see the roll's phone and room numbers; everyone else sees them masked."""
    return can_count(member, community_id)


def can_object(member: Membership | None, community_id: int) -> bool:
    """Verified owners of the community raise objections during 公示."""
    return member is not None and member.community_id == community_id and member.has_role(Role.OWNER)
