"""core.models.insert_or_ignore: a conflict is no error and changes nothing; the statement is compiled once
(SQLAlchemy's cache keeps it, as a plain insert), and many rows with a RETURNING go in one statement, not one
a row (a storm's attendance batch, a burst's votes). On SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, UniqueConstraint, event, func, select

from app.core import changes
from app.core.models import insert_or_ignore
from tests.services.conftest import pg_app, pg_db, pg_schema, pg_url  # noqa: F401  (fixtures)


def _table(database):
    table = Table(
        "ignoring_probe",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("a", Integer, nullable=False),
        Column("b", Integer, nullable=False),
        UniqueConstraint("a", "b"),
    )
    table.create(database.session.connection())
    return table


def _statements(database):
    """The statements sent to the database from now on (by the cursor: one executemany is one)."""
    seen = []
    engine = database.session.get_bind()

    def record(_conn, _cursor, statement, _parameters, _context, executemany):
        seen.append((statement, executemany))

    event.listen(engine, "before_cursor_execute", record)
    return seen, lambda: event.remove(engine, "before_cursor_execute", record)


def _check(database):
    table = _table(database)
    first, again = insert_or_ignore(table), insert_or_ignore(table)
    key = first._generate_cache_key()
    assert key is not None and key == again._generate_cache_key()  # cacheable, and the same statement
    assert key != insert_or_ignore(table).returning(table.c.id)._generate_cache_key()

    rows = [{"a": 1, "b": b} for b in range(300)]
    seen, stop = _statements(database)
    try:
        new = database.session.execute(insert_or_ignore(table).returning(table.c.id), rows).all()
        assert len(new) == 300
        # again, with 100 more: the 300 there already are ignored, without an error
        more = database.session.execute(
            insert_or_ignore(table).returning(table.c.id), rows + [{"a": 2, "b": b} for b in range(100)]
        ).all()
        assert len(more) == 100
        one = database.session.execute(insert_or_ignore(table).values(a=2, b=0))  # one row, in conflict
        assert one.rowcount == 0
    finally:
        stop()
    inserts = [statement for statement, _many in seen if statement.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 3, inserts  # one statement for each executemany: its rows in one VALUES list
    assert all("ON CONFLICT DO NOTHING" in statement for statement in inserts)
    assert database.session.scalar(select(func.count()).select_from(table)) == 400
    database.session.rollback()


def _check_noted(database):
    """core.changes notes a write that changed a row, and not one that met its conflict: for one row by its row
    count (which its caller still reads), for a batch by its RETURNING."""
    table = _table(database)
    told = []
    changes.watch("probe", lambda: [table], lambda _session, communities: told.append(communities))
    try:

        def commit_told(write):
            told.clear()
            result = write()
            database.session.commit()
            return result, list(told)

        def one():
            return database.session.execute(changes.within(insert_or_ignore(table).values(a=1, b=1), [7]))

        result, noted = commit_told(one)
        assert result.rowcount == 1 and noted == [{7}]
        result, noted = commit_told(one)  # again: the row is there
        assert result.rowcount == 0 and noted == []

        def batch(rows):
            return lambda: database.session.execute(
                changes.within(insert_or_ignore(table).returning(table.c.id), [8]), rows
            ).all()

        rows, noted = commit_told(batch([{"a": 1, "b": b} for b in (1, 2, 3)]))
        assert len(rows) == 2 and noted == [{8}]  # handed on as read: the two new rows
        rows, noted = commit_told(batch([{"a": 1, "b": b} for b in (1, 2, 3)]))
        assert rows == [] and noted == []
    finally:
        changes._watches[:] = [w for w in changes._watches if w.name != "probe"]
        changes._by_table = None
        table.drop(database.session.connection())
        database.session.commit()


def test_insert_or_ignore_on_sqlite(db):
    _check(db)


def test_a_write_that_met_its_conflict_is_not_noted_on_sqlite(db):
    _check_noted(db)


@pytest.mark.postgres
def test_insert_or_ignore_on_postgresql(pg_db):  # noqa: F811  (the fixture)
    _check(pg_db)


@pytest.mark.postgres
def test_a_write_that_met_its_conflict_is_not_noted_on_postgresql(pg_db):  # noqa: F811  (the fixture)
    _check_noted(pg_db)
