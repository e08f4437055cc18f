"""Who may do what with golden ideas. Every rule takes the `Viewer` (communities.access) first, and the
idea when there is one."""

from __future__ import annotations

from app.communities.access import Viewer
from app.communities.models import Role
from app.ideas.models import Idea


def can_view(viewer: Viewer, idea: Idea) -> bool:
    """Members of the community (unverified too) and street/district staff read ideas; a hidden idea only
    its author and the community staff."""
    if not viewer.may_see or viewer.community_id != idea.community_id:
        return False
    return not idea.is_hidden or viewer.is_user(idea.author_id) or can_review(viewer)


def can_submit(viewer: Viewer) -> bool:
    """Verified residents submit ideas."""
    return viewer.has_role(Role.RESIDENT)


def can_endorse(viewer: Viewer, idea: Idea) -> bool:
    """Verified residents endorse, once each; never their own idea (support is what others give it)."""
    return viewer.has_role(Role.RESIDENT) and not viewer.is_user(idea.author_id)


def can_comment(viewer: Viewer) -> bool:
    """Verified members comment (residents and the official parties)."""
    member = viewer.membership
    return member is not None and member.is_verified and bool(member.role_names - {Role.EXPERT.value})


def can_review(viewer: Viewer) -> bool:
    """Community staff move ideas through their statuses, merge and adopt them."""
    return viewer.is_staff
