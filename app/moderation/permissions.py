"""Moderation permissions that do not depend on the content's feature."""

from __future__ import annotations

from app.communities.models import Membership, Role


def can_report(member: Membership | None) -> bool:
    """Any verified member may report, with a reason."""
    return member is not None and member.is_verified


def is_staff(member: Membership | None) -> bool:
    """Community staff moderate everywhere in their community (the property manager never does)."""
    return member is not None and member.has_role(Role.COMMUNITY_STAFF)
