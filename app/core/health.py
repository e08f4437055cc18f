"""Health checks: /healthz (the process is alive) and /readyz (it can serve: database and schema).

Both always answer JSON, whatever state the database is in: they are registered before any
request hook that would load a user, and catch the database's errors themselves.
"""

from __future__ import annotations

import functools
from pathlib import Path

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import text

from app.core.realtime import realtime_status
from app.extensions import db

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
NO_STORE = {"Cache-Control": "no-store"}


@functools.cache
def migration_heads() -> frozenset[str]:
    """The revisions the code expects the schema to be at (read once per process)."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def database_state() -> str:
    """ "ok" or "unreachable"."""
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception:
        current_app.logger.debug("health: database unreachable", exc_info=True)
        return "unreachable"
    finally:
        _end_transaction()


def schema_state() -> str:
    """ "ok" (at the migration head), "behind" (an older revision) or "unmigrated" (no revision at all)."""
    try:
        current = set(db.session.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except Exception:
        return "unmigrated"
    finally:
        _end_transaction()
    if not current:
        return "unmigrated"
    return "ok" if current == set(migration_heads()) else "behind"


def redis_state() -> str:
    """ "ok", "degraded" (Redis unreachable: rooms do not cross processes) or "not configured"."""
    if not current_app.config.get("REDIS_URL"):
        return "not configured"
    return realtime_status()


def _end_transaction() -> None:
    try:
        db.session.rollback()  # a failed statement leaves the transaction aborted: start the next one clean
    except Exception:
        db.session.invalidate()


def liveness():
    """200 while the process serves; the database and realtime states are reported, never fatal."""
    return {"ok": True, "database": database_state(), "realtime": realtime_status()}, 200, NO_STORE


def readiness():
    """200 when requests can be served (database reachable, schema at the head); else 503, with why."""
    database = database_state()
    schema = schema_state() if database == "ok" else "unknown"
    redis = redis_state()
    ready = database == "ok" and schema == "ok"
    body = {"ok": ready, "database": database, "schema": schema, "redis": redis}
    return body, (200 if ready else 503), NO_STORE
