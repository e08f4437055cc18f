"""Display names of the work items' statuses and decisions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.workitems.models import RequestStatus

STATUS_LABELS = {
    RequestStatus.PENDING: _l("Awaiting decision"),
    RequestStatus.ADMITTED: _l("Admitted"),
    RequestStatus.REFUSED: _l("Refused"),
    RequestStatus.WITHDRAWN: _l("Withdrawn"),
}
DECISION_LABELS = {"admit": _l("Admit"), "refuse": _l("Refuse")}
