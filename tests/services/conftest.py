"""Fixtures for tests against real services (PostgreSQL, Redis).

`pg_app` is the PostgreSQL twin of the root `app` fixture: the same TestingConfig,
but on TEST_DATABASE_URL, in a schema of its own built by the migrations (not
create_all), dropped afterwards. Tests marked `postgres` skip when
TEST_DATABASE_URL is unset (root conftest) and fail when it is set but the
server does not answer.
"""

from __future__ import annotations

import logging
import os
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask, g
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from config import TestingConfig
from tests.conftest import worker_database_url

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")


def require_env(name: str) -> str:
    """The service URL in `name`; the marker's skip has run already, so unset is a usage error.

    TEST_DATABASE_URL names, under pytest-xdist, the worker's own database (root conftest).
    """
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set (the test should carry its service marker)")
    if name == "TEST_DATABASE_URL":
        return worker_database_url(value)
    return value


@contextmanager
def preserved_logging() -> Iterator[None]:
    """Undo what Alembic's env.py does to logging.

    env.py calls logging.config.fileConfig(alembic.ini), which disables every logger
    that already exists and replaces the root handlers, for the rest of the process.
    """
    manager = logging.root.manager
    root = logging.getLogger()
    saved_root = (root.level, list(root.handlers))
    saved = {
        name: (logger.disabled, logger.level, list(logger.handlers), logger.propagate)
        for name, logger in manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    try:
        yield
    finally:
        root.setLevel(saved_root[0])
        root.handlers[:] = saved_root[1]
        for name, logger in list(manager.loggerDict.items()):
            if not isinstance(logger, logging.Logger):
                continue
            disabled, level, handlers, propagate = saved.get(name, (False, logging.NOTSET, [], True))
            logger.disabled, logger.propagate = disabled, propagate
            logger.handlers[:] = handlers
            logger.setLevel(level)


@contextmanager
def _migrating(app: Flask) -> Iterator[None]:
    with app.app_context(), preserved_logging(), warnings.catch_warnings():
        # migrations/env.py (Flask-Migrate's template) tries the deprecated db.get_engine()
        # first; drop this filter once env.py uses db.engine directly.
        warnings.filterwarnings("ignore", message="'get_engine' is deprecated", category=DeprecationWarning)
        yield


def upgrade(app: Flask, revision: str = "head") -> None:
    """`flask db upgrade` for this app, leaving the process's logging as it was."""
    import flask_migrate

    with _migrating(app):
        flask_migrate.upgrade(directory=MIGRATIONS, revision=revision)


def downgrade(app: Flask, revision: str = "base") -> None:
    """`flask db downgrade` for this app, leaving the process's logging as it was."""
    import flask_migrate

    with _migrating(app):
        flask_migrate.downgrade(directory=MIGRATIONS, revision=revision)


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A new empty schema in the database at `url`, dropped with everything in it afterwards."""
    name = f"yishi_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 5})
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
    except OperationalError as err:
        admin.dispose()
        safe = make_url(url).render_as_string(hide_password=True)
        pytest.fail(f"PostgreSQL at {safe} (TEST_DATABASE_URL) is unreachable: {err.orig}", pytrace=False)
    try:
        yield name
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


def postgres_config(url: str, schema: str, base: type = TestingConfig, **settings) -> type:
    """`base` pointed at `schema` of the PostgreSQL database at `url` (via the search_path)."""
    attrs = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
        **settings,
    }
    return type("PostgresTestingConfig", (base,), attrs)


def forget_request_globals(app: Flask) -> None:
    """Clear the user and locale Flask-Login and Flask-Babel cache in `g` after each request.

    A fixture that keeps one app context pushed for the whole test makes every
    request and socket event of the test share `g`; without this, the second
    client of a test would be taken for the first.
    """

    @app.teardown_request
    def _forget(exc):
        g.pop("_login_user", None)
        g.pop("_flask_babel", None)


def dispose_engines() -> None:
    """Close the pooled connections, so the schema can be dropped at once."""
    from app.extensions import db

    db.session.remove()
    for engine in db.engines.values():
        engine.dispose()


@pytest.fixture
def pg_url() -> str:
    return require_env("TEST_DATABASE_URL")


@pytest.fixture
def pg_schema(pg_url) -> Iterator[str]:
    """A fresh, empty PostgreSQL schema for this test."""
    with postgres_schema(pg_url) as name:
        yield name


@pytest.fixture
def pg_app(pg_url, pg_schema, tmp_path) -> Iterator[Flask]:
    """The application on PostgreSQL, its tables made by the migrations, in an app context."""
    from app import create_app

    config = postgres_config(pg_url, pg_schema, ROSTER_STASH_DIR=str(tmp_path / "imports"))
    application = create_app(config)
    forget_request_globals(application)
    upgrade(application)
    with application.app_context():
        try:
            yield application
        finally:
            dispose_engines()


@pytest.fixture
def pg_db(pg_app):
    from app.extensions import db

    return db


@pytest.fixture
def pg_client(pg_app):
    return pg_app.test_client()
