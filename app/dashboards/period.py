"""The period a dashboard covers: from one month to another (Asia/Shanghai months), shown by month or by year.

Refused, with a message beside the field: a month that is not YYYY-MM, a range that ends before it starts,
one that starts before 2000 or ends after next year, and one longer than ten years."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l

from app.core.clock import local_today, local_zone
from app.core.errors import DomainError

EARLIEST_YEAR = 2000
MAX_MONTHS = 120  # ten years
BY_MONTH = "month"
BY_YEAR = "year"


@dataclass(frozen=True)
class Period:
    start: tuple[int, int]  # (year, month), the first month counted
    end: tuple[int, int]  # (year, month), the last month counted
    by: str = BY_MONTH

    @property
    def months(self) -> int:
        return (self.end[0] - self.start[0]) * 12 + self.end[1] - self.start[1] + 1

    @property
    def start_text(self) -> str:
        return f"{self.start[0]:04d}-{self.start[1]:02d}"

    @property
    def end_text(self) -> str:
        return f"{self.end[0]:04d}-{self.end[1]:02d}"

    @property
    def years(self) -> range:
        return range(self.start[0], self.end[0] + 1)

    def since(self) -> datetime:
        """The first instant counted, in UTC (midnight of the first month's first day, local time)."""
        return _month_start(*self.start)

    def until(self) -> datetime:
        """The first instant no longer counted, in UTC."""
        year, month = self.end
        return _month_start(year + month // 12, month % 12 + 1)

    def buckets(self) -> list[str]:
        """The columns over time: 'YYYY-MM' for each month, or 'YYYY' for each year."""
        if self.by == BY_YEAR:
            return [str(year) for year in self.years]
        found, (year, month) = [], self.start
        while (year, month) <= self.end:
            found.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found

    def query_args(self) -> dict[str, str]:
        return {"start": self.start_text, "end": self.end_text, "by": self.by}


def _month_start(year: int, month: int) -> datetime:
    return datetime(year, month, 1, tzinfo=local_zone()).astimezone(UTC)


def utc_offset() -> timedelta:
    """The local zone's offset from UTC (Asia/Shanghai keeps +8 all year): months are cut at local midnight."""
    return datetime.now(local_zone()).utcoffset() or timedelta(0)


def default_period(now: datetime | None = None) -> Period:
    """The last twelve months, this one included, by month."""
    today = local_today(now)
    start = (today.year - 1, today.month + 1) if today.month < 12 else (today.year, 1)
    return Period(start=start, end=(today.year, today.month), by=BY_MONTH)


def parse_month(text: str | None, field: str) -> tuple[int, int]:
    text = (text or "").strip()
    parts = text.split("-")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts) or len(parts[0]) != 4:
        raise DomainError("bad_month", _l("Give a month as year and month, such as 2026-03."), field=field)
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12:
        raise DomainError("bad_month", _l("Give a month as year and month, such as 2026-03."), field=field)
    return year, month


def parse(start: str | None, end: str | None, by: str | None, now: datetime | None = None) -> Period:
    """The period asked for, or a DomainError naming the field at fault."""
    first, last = parse_month(start, "start"), parse_month(end, "end")
    if by not in (BY_MONTH, BY_YEAR):
        raise DomainError("bad_grouping", _l("Choose by month or by year."), field="by")
    if first[0] < EARLIEST_YEAR:
        raise DomainError("too_early", _l("The dashboards start in the year 2000."), field="start")
    if last[0] > local_today(now).year + 1:
        raise DomainError("too_late", _l("The period cannot end after next year."), field="end")
    if last < first:
        raise DomainError("reversed", _l("The period ends before it starts."), field="end")
    period = Period(start=first, end=last, by=by)
    if period.months > MAX_MONTHS:
        raise DomainError("too_long", _l("A period covers at most ten years."), field="end")
    return period
