"""Rows kept between events without a query: a detached copy kept, and a copy of it attached to each use.

A connection (a socket) keeps its user and memberships; a process keeps a room. The kept object belongs to no
session, so that many green threads may use it at once: each attaches its own copy (`attach`, SQLAlchemy's
merge without loading: no query), which it may read, lazy-load from, and hand to services like any row.
Whoever keeps one also says when it is stale (core.generations).
"""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from app.extensions import db


def keep(obj):
    """A detached copy of a freshly loaded, unchanged row, with what it has loaded (its eager relationships
    too). No query."""
    holder = Session()
    try:
        return holder.merge(obj, load=False)
    finally:
        holder.close()


def attach(kept):
    """A copy of a kept row in this context's session (no query); the session's own, as it is, if it has the
    row already (what this context changed stays changed)."""
    session = db.session()
    found = session.identity_map.get(inspect(kept).key)
    return found if found is not None else session.merge(kept, load=False)
