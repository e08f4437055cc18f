"""What a committed transaction changed, for a package that keeps something worked out from some tables.

    watch(name, tables, changed, community_of=None)   a package's watch of some tables (once, at import)
    within(statement, community_ids) -> statement     a plain statement's rows are in these communities

A watch is told once per committed transaction that wrote to one of its tables: `changed(session, communities)`,
with the ids of the communities the writes were in (EVERY among them when a write's community is not known).
A transaction that wrote to none of them, or rolled back, tells nothing: no call, no statement. The call comes
as the transaction commits, inside it (before_commit, after its last flush): a watch that writes (the dashboards
mark their snapshots stale) does so on the transaction's own connection, so that its mark commits or rolls back
with the change it marks. Not after the commit on a connection of its own: a batch's leader commits for the whole
batch while its followers hold the pool's other connections, and one more connection asked for then was never
free (a vote storm timed out on the pool). A watch's statement must not wait for locks (the dashboards' skips
the rows another transaction holds): a failure there fails the commit it belongs to.

Every write through the session is seen:
- a flush of the ORM's objects (added, changed or deleted): the object's community is its `community_id`, or what
  the watch's `community_of(obj)` says;
- a statement run through the session (`db.session.execute(insert(...))`, update, delete, the batches'
  `INSERT … RETURNING`): its rows' `community_id` when every row of its parameters has one, else the communities
  its writer named with `within()`, else EVERY; not when it reports that it changed no row (`INSERT … ON CONFLICT
  DO NOTHING` that met its conflict: by its RETURNING, else by the row count of one row's statement). A batch names
  its communities once: one note per statement, however many rows.
Not seen: a statement on a connection of its own (`db.engine.begin()`), outside the session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

EVERY = None  # among the communities changed: a write whose community is not known (it may be any)
_OPTION = "yishi_communities"  # a statement's execution option: the communities its rows are in
_NOTED = "yishi_changes_noted"  # session.info: {watch: communities} of the transaction under way


@dataclass(eq=False)
class _Watch:
    name: str
    tables: Callable[[], Iterable]
    changed: Callable[[Session, set], None]
    community_of: Callable[[object], int | None] | None


_watches: list[_Watch] = []
_by_table: dict[str, list[_Watch]] | None = None  # worked out on the first write (every model imported by then)


def watch(
    name: str,
    tables: Callable[[], Iterable],
    changed: Callable[[Session, set], None],
    *,
    community_of: Callable[[object], int | None] | None = None,
) -> None:
    """Tell `changed(session, communities)` as each transaction that wrote to one of `tables()` commits (the
    Table objects, asked once, on the first write after every model is imported). `community_of(obj)`: an ORM
    object's community when it is not its `community_id` (EVERY: any)."""
    global _by_table
    _watches.append(_Watch(name, tables, changed, community_of))
    _by_table = None


def within(statement, community_ids: Iterable[int]):
    """The statement, saying which communities its rows are in (for a table whose rows name no community: a
    batch's votes or attendances). Without it, such a statement is taken to change every community's."""
    return statement.execution_options(**{_OPTION: frozenset(community_ids)})


def _watching(table_name: str | None) -> list[_Watch]:
    global _by_table
    if _by_table is None:
        found: dict[str, list[_Watch]] = {}
        for w in _watches:
            for table in w.tables():
                found.setdefault(table.name, []).append(w)
        _by_table = found
    return _by_table.get(table_name, []) if table_name else []


def _note(session: Session, w: _Watch, communities: Iterable[int | None]) -> None:
    session.info.setdefault(_NOTED, {}).setdefault(w, set()).update(communities)


def community_of(obj) -> int | None:
    """An ORM object's community: its `community_id`, else EVERY (a watch's own `community_of` may say more)."""
    community_id = getattr(obj, "community_id", None)
    return community_id if isinstance(community_id, int) else EVERY


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _context) -> None:
    if not _watches:
        return
    for obj in chain(session.new, session.dirty, session.deleted):
        table = getattr(obj, "__table__", None)
        for w in _watching(getattr(table, "name", None)):
            _note(session, w, [(w.community_of or community_of)(obj)])


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: ORMExecuteState):
    """A write to a watched table is noted once it has run, unless it changed no row (an insert that met its
    conflict: a room's page viewed again, a retried vote): one note per statement, however many rows."""
    if not (state.is_insert or state.is_update or state.is_delete) or not _watches:
        return None
    watches = _watching(getattr(getattr(state.statement, "table", None), "name", None))
    if not watches:
        return None
    communities = state.execution_options.get(_OPTION)
    params = state.parameters
    rows = params if isinstance(params, list | tuple) else [params] if params else []
    if communities is None:
        named = [row.get("community_id") for row in rows]
        communities = set(named) if named and all(isinstance(c, int) for c in named) else {EVERY}
    result = state.invoke_statement()
    if not hasattr(result, "rowcount"):  # an ORM bulk insert's result: no cursor to ask
        changed = True
    elif state.statement.returning_column_descriptions:  # its RETURNING: a row for each row changed (read here,
        frozen = result.freeze()  # handed on as read)
        changed, result = bool(frozen.data), frozen()
    elif len(rows) <= 1:  # one row's statement: its row count
        changed = result.rowcount != 0
    else:  # a batch without: run in pages of statements (execute_batch), it counts only its last page's rows
        changed = True
    if changed:
        for w in watches:
            _note(state.session, w, communities)
    return result


@event.listens_for(Session, "before_commit")
def _tell(session: Session) -> None:
    """The outermost transaction commits: its last writes are flushed (and noted), then each watch is told, in the
    transaction. A savepoint released is no commit: what it noted waits for the transaction around it."""
    if session.in_nested_transaction() or not _watches:
        return
    session.flush()  # what the commit would flush next: its writes are noted before the watches are told
    noted = session.info.pop(_NOTED, None)
    for w, communities in (noted or {}).items():
        w.changed(session, communities)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    """The outermost transaction has ended: what it noted and did not tell (rolled back, or closed) is forgotten.
    (A savepoint rolled back keeps its notes: marking too much costs a recount, never a wrong figure.)"""
    if transaction.parent is None:
        session.info.pop(_NOTED, None)
