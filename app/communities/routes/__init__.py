"""Community views: join, home, verification, members and roles, invites, roster, photos.

Every view starts from a `Viewer` (communities.access) and hands it to permissions and services; use cases
are performed through core.web (`form_view`, `perform`), which commits once.
"""

from app.communities.routes import community, desk, invites, joining, photos, roster_pages  # noqa: F401
