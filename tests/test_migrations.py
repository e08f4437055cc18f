"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app import create_app
from app.extensions import db
from app.search.models import include_object
from config import TestingConfig
from tests.services.conftest import dispose_engines, downgrade, postgres_config, postgres_schema, require_env, upgrade


def _schema_diff() -> list:
    """What `flask db migrate` would generate now: nothing, if migrations and models agree."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True, "include_object": include_object}
        )
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


RESIDENT_UNITS = "18575b84dddc"  # resident units; rule sets: motions first, non-party residents may speak


def _stores_role(role: str) -> bool:
    """Whether member_roles takes a row with this role (foreign keys off: only the role's CHECK decides)."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            conn.execute(text("INSERT INTO member_roles (membership_id, role) VALUES (1, :role)"), {"role": role})
        except IntegrityError:
            return False
        conn.rollback()
    return True


def test_sqlite_resident_units_and_motion_first_migrate_existing_rows(sqlite_app):
    """Before the revision a resident unit (驻区单位) cannot be stored; after it, it can. Rule sets whose text
    says 无动议不讨论 enforce it (motion_first), the others do not; none lets non-party residents speak."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from tests.services.conftest import MIGRATIONS

    with sqlite_app.app_context():
        config = sqlite_app.extensions["migrate"].migrate.get_config(MIGRATIONS)
        before = ScriptDirectory.from_config(config).get_revision(RESIDENT_UNITS).down_revision
    upgrade(sqlite_app, before)
    with sqlite_app.app_context():
        insert_rules = text(
            "INSERT INTO rule_sets (name, mode, max_speech_chars, max_speeches_per_motion, floor_seconds,"
            " slow_mode_seconds, stance_required, alternate_stances, chair_neutral, second_required, quorum_num,"
            " quorum_den, pass_num, pass_den, pass_strict, tie_fails, auto_hide_reports, text, for_consultation,"
            " created_at, updated_at) VALUES (:name, 'formal', 500, 2, 120, 0, 1, 1, 1, 1, 1, 2, 1, 2, 1, 1, 3,"
            " :text, 0, '2026-01-01', '2026-01-01')"
        )
        db.session.execute(insert_rules, {"name": "南塘", "text": "1. 主持中立。\n2. 先动议、后讨论，无动议不讨论。"})
        db.session.execute(insert_rules, {"name": "简易", "text": "1. 已认证的居民都可以直接发言。"})
        db.session.commit()
        assert _stores_role("social_org") and not _stores_role("resident_unit")
        dispose_engines()
    upgrade(sqlite_app, RESIDENT_UNITS)
    with sqlite_app.app_context():
        rows = db.session.execute(text("SELECT name, motion_first, non_party_may_speak FROM rule_sets ORDER BY id"))
        assert [tuple(row) for row in rows] == [("南塘", 1, 0), ("简易", 0, 0)]
        assert _stores_role("resident_unit") and not _stores_role("school")
        dispose_engines()
    downgrade(sqlite_app, before)
    with sqlite_app.app_context():
        assert not _stores_role("resident_unit")


OBJECTIONS_KERNEL = "4b7e1f0c2a9d"


def _revision_before(revision: str) -> str:
    """The migration a revision follows (branches are re-chained when they are merged)."""
    from pathlib import Path

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).resolve().parent.parent / "migrations"))
    return ScriptDirectory.from_config(config).get_revision(revision).down_revision


def _objections_move(application, foreign_keys_off: str) -> None:
    """The poll objections (keeping their ids) and the meeting-minutes objections move into the one objections
    table, keyed by what they object to, with their answers; the next id follows the largest; downgrading moves
    them back."""
    from sqlalchemy import text

    before = _revision_before(OBJECTIONS_KERNEL)
    upgrade(application, before)
    with application.app_context():
        db.session.execute(text(foreign_keys_off))  # only the rows the move reads (no street, no consultation)
        for community in (3, 4):
            db.session.execute(
                text(
                    "INSERT INTO communities (id, street_id, name, slug, description, created_at, updated_at)"
                    " VALUES (:id, 1, :slug, :slug, '', '2026-01-01', '2026-01-01')"
                ),
                {"id": community, "slug": f"c{community}"},
            )
        for user in (11, 12, 13):
            db.session.execute(
                text(
                    "INSERT INTO users (id, phone, name, password_hash, locale, large_text, active, created_at,"
                    " updated_at) VALUES (:id, :phone, '居民', '', 'zh_Hans_CN', :no, :yes, '2026-01-01', '2026-01-01')"
                ),
                {"id": user, "phone": f"1380000{user:04d}", "no": False, "yes": True},
            )
        db.session.execute(
            text(
                "INSERT INTO polls (id, community_id, poll_type, subject_id, secret, state, length, head, opened_head,"
                " opened_at) VALUES (7, 3, 'decision', 1, :no, 'published', 0, '', '', '2026-01-01')"
            ),
            {"no": False},
        )
        db.session.execute(
            text(
                "INSERT INTO meetings (id, community_id, consultation_id, created_by_id, client_id, title, place,"
                " starts_at, ends_at, state, created_at, updated_at) VALUES (5, 4, 1, 11, 'm', '议事会', '活动室',"
                " '2026-01-01', '2026-01-01', 'closed', '2026-01-01', '2026-01-01')"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO objections (id, poll_id, author_id, client_id, body, created_at, answer, answered_by_id,"
                " answered_at) VALUES (42, 7, 11, 'c-1', '计票有误，请复核。', '2026-01-02 08:00:00', '已复核。', 12,"
                " '2026-01-03 08:00:00')"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO meeting_objections (id, meeting_id, author_id, client_id, body, created_at)"
                " VALUES (1, 5, 13, 'c-2', '签到人数记录有误。', '2026-01-04 08:00:00')"
            )
        )
        db.session.commit()
        dispose_engines()
    upgrade(application, OBJECTIONS_KERNEL)
    with application.app_context():
        rows = db.session.execute(
            text(
                "SELECT id, owner_kind, owner_id, community_id, author_id, client_id, body, answer, answered_by_id,"
                " hidden_at FROM objections ORDER BY id"
            )
        )
        assert [tuple(row) for row in rows] == [
            (42, "poll", 7, 3, 11, "c-1", "计票有误，请复核。", "已复核。", 12, None),
            (43, "meeting", 5, 4, 13, "c-2", "签到人数记录有误。", None, None, None),
        ]
        assert "meeting_objections" not in _tables() and "objections_move" not in _tables()
        new = db.session.execute(
            text(
                "INSERT INTO objections (community_id, owner_kind, owner_id, author_id, client_id, body, created_at)"
                " VALUES (3, 'poll', 7, 13, 'c-3', '还有一条意见。', '2026-01-05 08:00:00') RETURNING id"
            )
        ).scalar()
        assert new == 44
        db.session.rollback()
        dispose_engines()
    downgrade(application, before)
    with application.app_context():
        assert [tuple(r) for r in db.session.execute(text("SELECT id, poll_id, body FROM objections"))] == [
            (42, 7, "计票有误，请复核。")
        ]
        assert [tuple(r) for r in db.session.execute(text("SELECT meeting_id, author_id FROM meeting_objections"))] == [
            (5, 13)
        ]
        dispose_engines()


def test_sqlite_objections_kernel_moves_poll_and_meeting_objections(sqlite_app):
    _objections_move(sqlite_app, "PRAGMA foreign_keys = OFF")


@pytest.mark.postgres
def test_postgres_objections_kernel_moves_poll_and_meeting_objections():
    url = require_env("TEST_DATABASE_URL")
    with postgres_schema(url) as schema:
        application = create_app(postgres_config(url, schema))
        _objections_move(application, "SET session_replication_role = replica")
