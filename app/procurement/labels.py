"""How procurement's statuses are shown."""

from flask_babel import lazy_gettext as _l

from app.procurement.models import CallStatus, MilestoneStatus

CALL_STATUS_LABELS = {
    CallStatus.OPEN: _l("Open for applications"),
    CallStatus.AWARDED: _l("Awarded"),
    CallStatus.CANCELLED: _l("Cancelled"),
}

MILESTONE_STATUS_LABELS = {
    MilestoneStatus.PENDING: _l("Under way"),
    MilestoneStatus.SUBMITTED: _l("Submitted for evaluation"),
    MilestoneStatus.EVALUATED: _l("Evaluated, payable"),
    MilestoneStatus.PAID: _l("Paid"),
}
