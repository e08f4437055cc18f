"""What every use case on the rules shares: the poll type, the check that the viewer may read a draft, and the
local dates a period ends on."""

from __future__ import annotations

from sqlalchemy import func, select

from app.communities.access import Viewer
from app.communities.models import MemberRole, Membership, MembershipStatus, Role
from app.core.errors import NotFound
from app.extensions import db
from app.rulebook import permissions
from app.rulebook.models import RuleDraft
from app.voting.models import Poll

POLL_TYPE = "rules"


def check_visible(viewer: Viewer, draft: RuleDraft) -> Viewer:
    """The viewer, if they may read the draft; NotFound otherwise (nothing tells them it exists)."""
    if draft.community_id != viewer.community_id or not permissions.can_view_draft(viewer, draft):
        raise NotFound()
    return viewer


def poll_of(draft: RuleDraft) -> Poll | None:
    return db.session.get(Poll, draft.poll_id) if draft.poll_id else None


def verified_residents(community_id: int):
    """The query of the community's verified residents' memberships (those the vote is for)."""
    return (
        select(Membership)
        .join(MemberRole, MemberRole.membership_id == Membership.id)
        .where(
            Membership.community_id == community_id,
            Membership.status == MembershipStatus.VERIFIED,
            MemberRole.role == Role.RESIDENT,
        )
        .distinct()
    )


def eligible_count(community_id: int) -> int:
    """How many verified residents may vote now."""
    return db.session.scalar(select(func.count()).select_from(verified_residents(community_id).subquery())) or 0
