"""How a meeting's state and an attendance are shown."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.meetings.models import MeetingState, Via

STATE_LABELS = {
    MeetingState.DRAFT: _l("Agenda being prepared"),
    MeetingState.SCHEDULED: _l("Scheduled"),
    MeetingState.OPEN: _l("Under way"),
    MeetingState.CLOSED: _l("Over"),
    MeetingState.CANCELLED: _l("Cancelled"),
}
VIA_LABELS = {
    Via.HALL: _l("In the hall"),
    Via.TICKED: _l("In the hall (ticked by staff)"),
    Via.ONLINE: _l("Online"),
}
NO_REFERENCE = _l("Other business (no linked item)")
