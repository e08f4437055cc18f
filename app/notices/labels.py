"""How a notice's state and scope are shown."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

WHOLE_COMMUNITY = _l("The whole community")
STATE_LABELS = {
    "active": _l("Showing"),
    "expired": _l("Expired"),
    "withdrawn": _l("Withdrawn"),
}
