"""A scheme's results as a table, for the CSV and XLSX exports: one row per community, a column per criterion."""

from __future__ import annotations

from flask_babel import gettext as _

from app.assessment import scoring
from app.assessment.models import Scheme


def table(scheme: Scheme, results) -> tuple[list[str], list[list[object]]]:
    headers = [
        _("Place"),
        _("Community"),
        *[f"{c.title} ({c.points})" for c in scheme.criteria],
        _("Total (of 100)"),
    ]
    rows = []
    for r in results:
        cells = [scoring.decimal(line.score.points) if line.score else "" for line in r.lines]
        rows.append([r.place, r.assessment.community.name, *cells, scoring.decimal(r.total)])
    return headers, rows
