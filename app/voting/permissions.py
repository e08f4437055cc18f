"""Voting permissions: a voter sees their own ballot's receipt."""

from __future__ import annotations

from app.communities.access import Viewer
from app.voting.models import Ballot


def can_see_receipt(viewer: Viewer, ballot: Ballot) -> bool:
    return viewer.is_user(ballot.voter_id)
