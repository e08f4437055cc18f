"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app import create_app
from app.extensions import db
from config import TestingConfig
from tests.services.conftest import dispose_engines, downgrade, postgres_config, postgres_schema, require_env, upgrade


def _schema_diff() -> list:
    """What `flask db migrate` would generate now: nothing, if migrations and models agree."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, db.metadata)


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def _assert_matches_models() -> None:
    expected = set(db.metadata.tables)
    assert expected, "the metadata is empty: app.models imports no model"
    assert expected | {"alembic_version"} == _tables()
    assert _schema_diff() == []


@pytest.fixture
def sqlite_app(tmp_path):
    config = type(
        "SqliteFileConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrated.sqlite3'}"}
    )
    application = create_app(config)
    yield application
    with application.app_context():
        dispose_engines()


def test_sqlite_upgrade_builds_the_models_schema(sqlite_app):
    upgrade(sqlite_app)
    with sqlite_app.app_context():
        _assert_matches_models()


def test_sqlite_downgrade_to_base_and_upgrade_again(sqlite_app):
    upgrade(sqlite_app)
    downgrade(sqlite_app, "base")
    with sqlite_app.app_context():
        assert _tables() <= {"alembic_version"}
    upgrade(sqlite_app)
    with sqlite_app.app_context():
        _assert_matches_models()


def test_sqlite_migrated_schema_enforces_foreign_keys(sqlite_app):
    from sqlalchemy.exc import IntegrityError

    from app.notifications.models import Notification

    upgrade(sqlite_app)
    with sqlite_app.app_context():
        db.session.add(Notification(user_id=999_999, kind="test", text="orphan", url=""))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


@pytest.mark.postgres
def test_postgres_upgrade_builds_the_models_schema_and_downgrades():
    url = require_env("TEST_DATABASE_URL")
    with postgres_schema(url) as schema:
        application = create_app(postgres_config(url, schema))
        try:
            upgrade(application)
            with application.app_context():
                _assert_matches_models()
            downgrade(application, "base")
            with application.app_context():
                assert _tables() <= {"alembic_version"}
            upgrade(application)
            with application.app_context():
                _assert_matches_models()
        finally:
            with application.app_context():
                dispose_engines()


def test_migrating_leaves_the_process_logging_alone(sqlite_app):
    import logging

    existing = logging.getLogger("yishi.test.existing")
    root_handlers = list(logging.getLogger().handlers)
    upgrade(sqlite_app)
    assert not existing.disabled  # alembic.ini's fileConfig would have disabled it
    assert logging.getLogger().handlers == root_handlers
