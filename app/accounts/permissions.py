"""Account permissions: a user edits only their own profile.

Like every feature's permissions, each takes the viewer first (a communities.access.Viewer; accounts sits
below communities, so it relies only on the viewer's `is_user`), then the object.
"""

from __future__ import annotations


def can_edit_profile(viewer, user) -> bool:
    return viewer is not None and viewer.is_user(user.id)
