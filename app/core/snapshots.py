"""Rows kept between events without a query: a detached copy kept, and a copy of it attached to each use.

A connection (a socket) keeps its user and memberships; a process keeps a room. The kept object belongs to no
session, so that many green threads may use it at once: each attaches its own copy (`attach`, SQLAlchemy's
merge without loading: no query), which it may read, lazy-load from, and hand to services like any row.
Whoever keeps one also says when it is stale (core.generations).

An event that only reads what was kept (a join: its user, their membership, the room) takes the kept rows as
they are instead (`as_kept`): the copy into its session was most of its work. Such a row is read only what it
loaded with it, and never changed nor added to a session; what needs more attaches it (`merged`).
"""

from __future__ import annotations

from contextlib import contextmanager

from flask import g, has_app_context
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from app.extensions import db

_AS_KEPT = "yishi_rows_as_kept"


def keep(obj):
    """A detached copy of a freshly loaded, unchanged row, with what it has loaded (its eager relationships
    too). No query."""
    holder = Session()
    try:
        return holder.merge(obj, load=False)
    finally:
        holder.close()


@contextmanager
def as_kept():
    """Within it, `attach` gives the kept rows themselves: for an event that only reads them."""
    g.setdefault(_AS_KEPT, 0)
    g.yishi_rows_as_kept += 1
    try:
        yield
    finally:
        g.yishi_rows_as_kept -= 1


def attach(kept):
    """The kept row for this context: a copy in its session (no query; the session's own, as it is, if it has
    the row already: what this context changed stays changed), or the kept row itself within `as_kept`."""
    if has_app_context() and g.get(_AS_KEPT):
        return kept
    return merged(kept)


def merged(kept):
    """A copy of a kept row in this context's session, as `attach` outside `as_kept` (a row already in the
    session is itself)."""
    session = db.session()
    state = inspect(kept)
    if state.session_id == session.hash_key:
        return kept
    found = session.identity_map.get(state.key)
    return found if found is not None else session.merge(kept, load=False)
