"""Display names of the micro-projects' statuses, ledger entry kinds and rating scores."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.microprojects.models import EntryKind, ProjectStatus

STATUS_LABELS = {
    ProjectStatus.DRAFT: _l("Draft"),
    ProjectStatus.SUBMITTED: _l("Submitted"),
    ProjectStatus.UNDER_REVIEW: _l("Under review"),
    ProjectStatus.CHANGES_REQUESTED: _l("Changes requested"),
    ProjectStatus.APPROVED: _l("Approved"),
    ProjectStatus.REJECTED: _l("Not approved"),
    ProjectStatus.IN_PROGRESS: _l("In progress"),
    ProjectStatus.COMPLETED: _l("Completed"),
    ProjectStatus.EVALUATED: _l("Evaluated"),
}

KIND_LABELS = {
    EntryKind.ALLOCATION: _l("Allocation"),
    EntryKind.EXPENDITURE: _l("Expenditure"),
}

SCORE_LABELS = {
    5: _l("Very satisfied"),
    4: _l("Satisfied"),
    3: _l("Neither satisfied nor dissatisfied"),
    2: _l("Dissatisfied"),
    1: _l("Very dissatisfied"),
}
