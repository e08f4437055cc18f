"""What the sections share: a figure that does not add up, asked at each level with one grouped query."""

from __future__ import annotations

from sqlalchemy import and_, func, select

from app.dashboards.registry import Figure, Scope, Value, levels
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


def distinct_at_levels(figure: Figure, scope: Scope, base) -> None:
    """`base`: a subquery of (cid, sid, b, v); the figure's numerator is count(distinct v) at each level."""
    for columns, keys in _groupings(scope, base):
        query = select(*columns, func.count(base.c.v.distinct()))
        if columns:
            query = query.group_by(*columns)
        for row in db.session.execute(query):
            figure.cells.setdefault(keys(row), Value()).num = int(row[-1])


def median_at_levels(figure: Figure, scope: Scope, base) -> None:
    """`base`: a subquery of (cid, sid, b, v); the figure's value is the median of v at each level, found in SQL
    (the middle one or two of the values ranked in their group, averaged: num their sum, den their count)."""
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
