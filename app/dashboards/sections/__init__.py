"""The sections built from what the features on main record; importing this package registers them in order."""

from app.dashboards.sections import (  # noqa: F401
    deliberation,
    ideas,
    moderation,
    money,
    needs,
    participation,
    satisfaction,
    services,
)
