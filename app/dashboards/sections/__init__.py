"""The sections built from what the features on main record; importing this package registers them in order."""

from app.dashboards.sections import deliberation, ideas, moderation, money, participation  # noqa: F401
