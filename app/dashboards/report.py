"""The yearly report (年度报告) of a street, a district or a community: the dashboard of one calendar year, by
month, written out once for the print page and the Word file alike (report_docx.py draws the same tables).

Nothing here queries beyond the registry's sections (through `summary.figures`: a street's or a district's kept
snapshot); the year is refused when absurd."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from app.core.clock import local_today
from app.core.errors import DomainError
from app.dashboards import present, summary
from app.dashboards.period import BY_MONTH, EARLIEST_YEAR, Period
from app.dashboards.registry import Detail, Scope


@dataclass
class ReportSection:
    key: str
    title: str
    number: int  # as numbered in the table of contents: 一、二、… on paper, 1. 2. … on the page
    figures: list[present.FigureView]
    details: list[Detail]


@dataclass
class Report:
    scope: Scope
    year: int
    period: Period
    generated_on: date
    sections: list[ReportSection]

    @property
    def partial(self) -> bool:
        """The current year: the report covers the months so far."""
        return self.year == self.generated_on.year


def year_period(year: int, today: date | None = None) -> Period:
    """January to December of `year`, by month; a year before the dashboards' first or after this one is refused."""
    today = today or local_today()
    if not EARLIEST_YEAR <= year <= today.year:
        raise DomainError(
            "bad_year",
            _l(
                "A yearly report covers one year from %(first)s to %(last)s.",
                first=EARLIEST_YEAR,
                last=today.year,
            ),
        )
    return Period(start=(year, 1), end=(year, 12), by=BY_MONTH)


def build(scope: Scope, year: int, today: date | None = None) -> Report:
    today = today or local_today()
    period = year_period(year, today)
    table_rows = present.rows(scope, period)
    sections = []
    for number, (section, data) in enumerate(summary.figures(scope, period).built, start=1):
        views = [present.figure_view(f, table_rows, scope, period, f"{section.key}-{f.key}") for f in data.figures]
        sections.append(ReportSection(section.key, str(section.title), number, views, data.details))
    return Report(scope, year, period, today, sections)
