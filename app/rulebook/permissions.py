"""Who may do what with the community's rules: everyone who may see the community reads the adopted rules and
the drafts put to it; community staff draft, open comments and the vote; verified members comment; verified
residents vote."""

from __future__ import annotations

from app.communities.access import Viewer
from app.communities.models import Role
from app.moderation import permissions as moderation
from app.procedure import permissions as procedure
from app.rulebook.models import RuleComment, RuleDraft


def can_view(viewer: Viewer) -> bool:
    """The rules page: the access rule itself (members, and the street and district staff overseeing)."""
    return viewer.may_see


def can_manage(viewer: Viewer) -> bool:
    """Community staff draft the rules and put them to the residents (as they manage rule sets)."""
    return procedure.can_manage_rule_sets(viewer)


def can_view_draft(viewer: Viewer, draft: RuleDraft) -> bool:
    """A draft is the staff's until it is opened for comments; then everyone who may see the community reads it."""
    return viewer.may_see and (draft.comments_close_at is not None or can_manage(viewer))


def can_comment(viewer: Viewer) -> bool:
    """Verified members comment on a draft."""
    return viewer.is_verified


def can_vote(viewer: Viewer) -> bool:
    """Verified residents vote, one ballot each."""
    return viewer.has_role(Role.RESIDENT)


def can_report(viewer: Viewer, comment: RuleComment) -> bool:
    """Verified members report others' comments, with a reason."""
    return moderation.can_report(viewer) and not viewer.is_user(comment.author_id)


def can_moderate(viewer: Viewer) -> bool:
    """Community staff hide and restore comments and mute a commenter on a draft."""
    return moderation.is_staff(viewer)
