"""The two SQL expressions the figures need that SQLite and PostgreSQL spell differently: the local month or
year of a UTC timestamp (the bucket a row is counted in), and a timestamp in seconds (for durations)."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from app.dashboards.period import BY_YEAR, Period, utc_offset


class local_bucket(FunctionElement):
    """'YYYY-MM' (or 'YYYY') of a UTC timestamp shifted by a fixed number of minutes to local time."""

    type = String()
    inherit_cache = False  # the shift and pattern are compiled into the text: no cached statement may share it

    def __init__(self, column, minutes: int, pattern: str):
        self.minutes = minutes
        self.pattern = pattern
        super().__init__(column)


@compiles(local_bucket, "sqlite")
def _bucket_sqlite(element, compiler, **kw):
    column = compiler.process(next(iter(element.clauses)), **kw)
    pattern = "%Y" if element.pattern == BY_YEAR else "%Y-%m"
    return f"strftime('{pattern}', {column}, '{int(element.minutes):+d} minutes')"


@compiles(local_bucket, "postgresql")
def _bucket_postgresql(element, compiler, **kw):
    column = compiler.process(next(iter(element.clauses)), **kw)
    pattern = "YYYY" if element.pattern == BY_YEAR else "YYYY-MM"
    return f"to_char(({column} AT TIME ZONE 'UTC') + interval '{int(element.minutes)} minutes', '{pattern}')"


class epoch_seconds(FunctionElement):
    """A timestamp as whole seconds since 1970 (differences of two are durations)."""

    type = Integer()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element, compiler, **kw):
    return f"CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element, compiler, **kw):
    return f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) AS BIGINT)"


def bucket(column, period: Period) -> ColumnElement:
    """The column's local month ('2026-03') or year ('2026'), as the period is shown."""
    return local_bucket(column, int(utc_offset().total_seconds() // 60), period.by)


def within(column, period: Period) -> ColumnElement:
    """The column falls in the period (an index range on the timestamp)."""
    return (column >= period.since()) & (column < period.until())
