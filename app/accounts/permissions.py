"""Account permissions: a user edits only their own profile and ends only their own logins.

Like every feature's permissions, each takes the viewer first (a communities.access.Viewer; accounts sits
below communities, so it relies only on the viewer's `is_user`), then the object. Logins are ended outside
any community, by the logged-in user themselves: `can_end_login` takes that user.
"""

from __future__ import annotations


def can_edit_profile(viewer, user) -> bool:
    return viewer is not None and viewer.is_user(user.id)


def can_end_login(user, login) -> bool:
    """A user ends their own logins (settings: "End", "Sign out everywhere"); nobody else's."""
    return user is not None and getattr(user, "id", None) is not None and login.user_id == user.id
