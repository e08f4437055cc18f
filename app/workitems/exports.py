"""The admitted list of a year as a table: for the CSV and XLSX exports and the print page."""

from __future__ import annotations

from flask_babel import format_date
from flask_babel import gettext as _

from app.workitems.models import WorkItemRequest


def headers() -> list[str]:
    return [
        _("No."),
        _("Department"),
        _("Work item"),
        _("What the communities must do"),
        _("Why: legal basis or purpose"),
        _("Hours per community per month"),
        _("Starts on"),
        _("How admitted"),
        _("Admitted on"),
    ]


def rows(items: list[WorkItemRequest]) -> list[list[object]]:
    return [
        [
            number,
            item.department.name,
            item.title,
            item.duties,
            item.basis,
            item.hours_per_month,
            item.starts_on.isoformat(),
            _("Urgent, admitted mid-year") if item.urgent else _("Yearly round"),
            format_date(item.decided_at, "yyyy-MM-dd") if item.decided_at else "",
        ]
        for number, item in enumerate(items, start=1)
    ]
