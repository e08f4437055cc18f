"""docs/deploy.md's backups, restored: the commands it gives, run on a demo site, give back every row."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tests.deploy.conftest import ROOT
from tests.serving.conftest import postgres_site_url, prepare_site


def _flask(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, f"flask {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _row_counts(database_url: str) -> dict[str, int]:
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            schema = (
                conn.execute(text("select current_schema()")).scalar() if engine.dialect.name == "postgresql" else None
            )
            tables = inspect(conn).get_table_names(schema=schema)
            return {table: conn.execute(text(f'select count(*) from "{table}"')).scalar() for table in tables}
    finally:
        engine.dispose()


def _env(database_url: str) -> dict:
    return {
        **os.environ,
        "FLASK_APP": "wsgi.py",
        "YISHI_CONFIG": "development",
        "DATABASE_URL": database_url,
        "YISHI_DEMO_PASSWORD": "yishi2026",
    }


def test_sqlite_backup_restores_every_row(tmp_path):
    site = f"sqlite:///{tmp_path / 'yishi.sqlite3'}"
    env = _env(site)
    prepare_site(env)
    backup = tmp_path / "backups" / "yishi-backup.sqlite3"

    _flask(env, "yishi", "backup", str(backup))  # docs/deploy.md: flask yishi backup DEST
    restored = tmp_path / "restored.sqlite3"
    shutil.copyfile(backup, restored)  # restore: the copy, in place of the database, the site stopped

    before, after = _row_counts(site), _row_counts(f"sqlite:///{restored}")
    assert before["users"] > 0 and before["consultations"] > 0
    assert after == before
    assert "up to date" in _flask(_env(f"sqlite:///{restored}"), "yishi", "migrate")


@pytest.mark.postgres
def test_postgresql_dump_restores_every_row(tmp_path):
    for tool in ("pg_dump", "pg_restore", "createdb", "dropdb"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is not installed (postgresql-client)")
    with postgres_site_url() as site:
        env = _env(site)
        prepare_site(env)
        url = make_url(site)
        schema = url.query["options"].split("=", 1)[1]
        server = url.set(query={})
        dump = tmp_path / "yishi.dump"
        # docs/deploy.md: pg_dump --format=custom --file=FILE "$DATABASE_URL"; here one schema of the
        # shared test database, whose other schemas belong to other tests
        plain = server.render_as_string(hide_password=False)
        subprocess.run(
            ["pg_dump", "--format=custom", f"--schema={schema}", f"--file={dump}", plain], check=True, timeout=120
        )
        restored_name = f"yishi_restore_{uuid.uuid4().hex[:8]}"
        connection = ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432), "--username", url.username]
        subprocess.run(["createdb", *connection, restored_name], check=True, timeout=60)
        try:
            # docs/deploy.md: createdb NEW && pg_restore --no-owner --dbname=NEW FILE
            subprocess.run(
                [
                    "pg_restore",
                    "--no-owner",
                    f"--dbname={server.set(database=restored_name).render_as_string(False)}",
                    str(dump),
                ],
                check=True,
                timeout=120,
            )
            restored = server.set(database=restored_name, query={"options": f"-csearch_path={schema}"})
            restored_url = restored.render_as_string(hide_password=False)
            before, after = _row_counts(site), _row_counts(restored_url)
            assert before["users"] > 0 and before["speeches"] >= 0
            assert after == before
            assert "up to date" in _flask(_env(restored_url), "yishi", "migrate")
        finally:
            subprocess.run(["dropdb", *connection, "--if-exists", restored_name], check=False, timeout=60)


def test_the_docs_commands_are_these(tmp_path):
    """The backup and restore lines of docs/deploy.md are the ones run above."""
    docs = (Path(ROOT) / "docs" / "deploy.md").read_text()
    for command in (
        "flask yishi backup",
        'pg_dump --format=custom --file=/srv/yishi/backups/yishi-$(date +%F).dump "$DATABASE_URL"',
        "pg_restore --no-owner --dbname=",
    ):
        assert command in docs, command
