"""What the sections share: a figure that does not add up, asked at each level with one grouped query."""

from __future__ import annotations

from sqlalchemy import and_, func, literal, select, tuple_

from app.dashboards.registry import ALL, Figure, Scope, Value, community_unit, levels, street_unit
from app.extensions import db


def _groupings(scope: Scope, base):
    """Per level: the grouping columns (unit and bucket, either left out) and how to read a row's keys."""
    for unit_col, bucket_col, name in levels(scope, base.c.cid, base.c.sid, base.c.b):
        columns = [c for c in (unit_col, bucket_col) if c is not None]

        def keys(row, unit_col=unit_col, bucket_col=bucket_col, name=name, width=len(columns)):
            unit_id = row[0] if unit_col is not None else None
            bucket = row[width - 1] if bucket_col is not None else None
            return name(unit_id), bucket

        yield columns, keys


def _grouping_sets(scope: Scope, base):
    """PostgreSQL: every level in one statement (GROUPING SETS), the rows read once instead of once a level."""
    sets = [
        [c for c in (unit_col, bucket_col) if c is not None]
        for unit_col, bucket_col, _n in levels(scope, base.c.cid, base.c.sid, base.c.b)
    ]
    return func.grouping_sets(*[tuple_(*columns) for columns in sets])


def _grouping_columns(scope: Scope, base) -> list:
    """cid, sid, b and whether each was grouped out (the street only on a district's dashboard)."""
    cid, sid, b = base.c.cid, base.c.sid, base.c.b
    if scope.by_streets:
        return [cid, sid, b, func.grouping(cid), func.grouping(sid), func.grouping(b)]
    return [cid, literal(None), b, func.grouping(cid), literal(1), func.grouping(b)]


def _grouped_keys(row) -> tuple[str, str | None]:
    """The unit and bucket of a GROUPING SETS row: (cid, sid, b, grouping(cid), grouping(sid), grouping(b), ...)."""
    cid, sid, bucket, no_cid, no_sid, no_bucket = row[:6]
    unit = community_unit(cid) if not no_cid else street_unit(sid) if not no_sid else ALL
    return unit, None if no_bucket else bucket


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def distinct_at_levels(figure: Figure, scope: Scope, base) -> None:
    """`base`: a subquery of (cid, sid, b, v); the figure's numerator is count(distinct v) at each level: one
    statement on PostgreSQL (grouping sets), one a level elsewhere (SQLite has no grouping sets)."""
    if _postgresql():
        _distinct_grouped(figure, scope, base)
    else:
        _distinct_per_level(figure, scope, base)


def _distinct_grouped(figure: Figure, scope: Scope, base) -> None:
    query = select(*_grouping_columns(scope, base), func.count(base.c.v.distinct())).group_by(
        _grouping_sets(scope, base)
    )
    for row in db.session.execute(query):
        figure.cells.setdefault(_grouped_keys(row), Value()).num = int(row[-1])


def _distinct_per_level(figure: Figure, scope: Scope, base) -> None:
    for columns, keys in _groupings(scope, base):
        query = select(*columns, func.count(base.c.v.distinct()))
        if columns:
            query = query.group_by(*columns)
        for row in db.session.execute(query):
            figure.cells.setdefault(keys(row), Value()).num = int(row[-1])


def median_at_levels(figure: Figure, scope: Scope, base) -> None:
    """`base`: a subquery of (cid, sid, b, v); the figure's value is the median of v at each level, found in SQL
    (the middle one or two of the values ranked in their group, averaged: num their sum, den their count)."""
    if _postgresql():
        _median_grouped(figure, scope, base)
    else:
        _median_per_level(figure, scope, base)


def _median_grouped(figure: Figure, scope: Scope, base) -> None:
    """Every level in one statement: the lower middle value is the 50th percentile of the values in order, the
    upper one that of the values in reverse (the same value when their number is odd)."""
    v = base.c.v
    query = select(
        *_grouping_columns(scope, base),
        func.count(v),
        func.percentile_disc(0.5).within_group(v),
        func.percentile_disc(0.5).within_group(v.desc()),
    ).group_by(_grouping_sets(scope, base))
    for row in db.session.execute(query):
        n, low, high = row[-3:]
        if n:
            cell = figure.cells.setdefault(_grouped_keys(row), Value())
            cell.num, cell.den = (int(low), 1) if n % 2 else (int(low) + int(high), 2)


def _median_per_level(figure: Figure, scope: Scope, base) -> None:
    for columns, keys in _groupings(scope, base):
        over = {"partition_by": columns} if columns else {}
        ranked = select(
            *[c.label(f"g{i}") for i, c in enumerate(columns)],
            base.c.v.label("v"),
            func.row_number().over(order_by=base.c.v, **over).label("rn"),
            func.count().over(**over).label("n"),
        ).subquery()
        grouped = [ranked.c[f"g{i}"] for i in range(len(columns))]
        middle = and_(ranked.c.rn >= (ranked.c.n + 1) // 2, ranked.c.rn <= (ranked.c.n + 2) // 2)
        query = select(*grouped, func.sum(ranked.c.v), func.count()).where(middle)
        if grouped:
            query = query.group_by(*grouped)
        for row in db.session.execute(query):
            if row[-1]:
                cell = figure.cells.setdefault(keys(row[:-1]), Value())
                cell.num, cell.den = int(row[-2]), int(row[-1])
