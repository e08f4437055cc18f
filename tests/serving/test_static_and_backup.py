"""Static files (fingerprinted, cached, compressed), compressed pages, `flask yishi backup`, file limits."""

from __future__ import annotations

import gzip
import sqlite3

import brotli
import pytest
from flask import url_for

from app import create_app
from app.core.serving import SPARE_FILE_DESCRIPTORS, raise_open_files_limit
from app.extensions import db
from config import TestingConfig

YEAR = 365 * 24 * 60 * 60


def _static_url(app, filename: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=filename)


def test_url_for_static_gives_a_content_hashed_name(app):
    url = _static_url(app, "css/app.css")
    digest = app.extensions["yishi_static_assets"].load("css/app.css").digest

    assert url == f"/static/css/app.{digest}.css"
    assert len(digest) == 12


def test_a_fingerprinted_file_is_cached_for_a_year_immutable(app, client):
    response = client.get(_static_url(app, "js/room/main.js"))

    assert response.status_code == 200
    assert response.cache_control.max_age == YEAR
    assert response.cache_control.immutable and response.cache_control.public
    assert response.mimetype == "text/javascript"
    assert "Cookie" not in response.headers.get("Vary", "")  # the same for everyone
    assert "Set-Cookie" not in response.headers


def test_the_plain_name_still_works_with_short_caching(app, client):
    response = client.get("/static/css/app.css")

    assert response.status_code == 200
    assert response.cache_control.max_age == app.config["STATIC_MAX_AGE"] == 300
    assert not response.cache_control.immutable
    assert response.data == client.get(_static_url(app, "css/app.css")).data


def test_a_stale_fingerprint_serves_the_current_file_briefly_cached(client):
    response = client.get("/static/css/app.000000000000.css")

    assert response.status_code == 200
    assert response.cache_control.max_age == 300 and not response.cache_control.immutable


@pytest.mark.parametrize("path", ["/static/css/nope.css", "/static/css/nope.0123456789ab.css", "/static/../config.py"])
def test_missing_or_escaping_static_paths_are_404(client, path):
    assert client.get(path).status_code == 404


def test_a_changed_file_gets_a_new_fingerprint(tmp_path):
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "a.css").write_text("body{color:red}")
    config = type("C", (TestingConfig,), {"ROSTER_STASH_DIR": str(tmp_path / "x")})
    application = create_app(config)
    application.static_folder = str(folder)
    from app.core.static_assets import StaticAssets

    assets = StaticAssets(folder)
    before = assets.fingerprinted("a.css")
    (folder / "a.css").write_text("body{color:blue}  ")

    assert assets.fingerprinted("a.css") != before
    assert assets.resolve(before.split("/")[-1])[1] is False  # the old name: current file, not immutable


def test_conditional_request_gets_304(app, client):
    url = _static_url(app, "css/app.css")
    etag = client.get(url).headers["ETag"]

    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize(
    ("encoding", "decode"), [("br", brotli.decompress), ("gzip", gzip.decompress)], ids=["br", "gzip"]
)
@pytest.mark.parametrize(
    ("path", "mimetype"),
    [
        ("css/app.css", "text/css"),
        ("js/room/main.js", "text/javascript"),
        ("vendor/socket.io/socket.io.min.js", "text/javascript"),
    ],
)
def test_static_files_are_compressed(app, client, encoding, decode, path, mimetype):
    plain = client.get(_static_url(app, path)).data

    response = client.get(_static_url(app, path), headers={"Accept-Encoding": encoding})
    again = client.get(_static_url(app, path), headers={"Accept-Encoding": encoding})  # from the cache

    assert response.headers["Content-Encoding"] == encoding
    assert response.mimetype == mimetype
    assert "Accept-Encoding" in response.headers["Vary"]
    assert decode(response.data) == plain
    assert len(response.data) < len(plain)
    assert again.data == response.data


@pytest.mark.parametrize(("encoding", "decode"), [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_pages_and_json_are_compressed(client, encoding, decode):
    page = client.get("/", headers={"Accept-Encoding": encoding})
    assert page.headers["Content-Encoding"] == encoding and page.mimetype == "text/html"
    assert "议事".encode() in decode(page.data)

    json = client.get("/healthz", headers={"Accept-Encoding": encoding})
    assert json.mimetype == "application/json"
    assert json.headers.get("Content-Encoding") is None  # under COMPRESS_MIN_SIZE: not worth it


def test_json_over_the_minimum_size_is_compressed(app, client):
    @app.route("/_big.json")
    def big():
        return {"items": list(range(500))}

    response = client.get("/_big.json", headers={"Accept-Encoding": "gzip"})

    assert response.headers["Content-Encoding"] == "gzip"
    assert b'"items"' in gzip.decompress(response.data)


# -- flask yishi backup -----------------------------------------------------------------------------


@pytest.fixture
def file_app(tmp_path):
    path = tmp_path / "site.sqlite3"
    config = type(
        "FileConfig",
        (TestingConfig,),
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "ROSTER_STASH_DIR": str(tmp_path / "imports")},
    )
    application = create_app(config)
    with application.app_context():
        db.create_all()
        from tests import factories

        factories.user(name="备份测试")
        db.session.commit()
        yield application
        db.session.remove()
        db.engine.dispose()


def test_backup_copies_a_live_sqlite_database(file_app, tmp_path):
    dest = tmp_path / "backups" / "copy.sqlite3"
    with db.engine.connect():  # the site holds a connection open meanwhile
        result = file_app.test_cli_runner().invoke(args=["yishi", "backup", str(dest)])

    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output
    with sqlite3.connect(dest) as copy:
        assert copy.execute("select name from users").fetchall() == [("备份测试",)]
        assert copy.execute("pragma integrity_check").fetchone() == ("ok",)
    copy.close()


def test_backup_refuses_to_overwrite(file_app, tmp_path):
    dest = tmp_path / "exists.sqlite3"
    dest.write_bytes(b"keep me")

    result = file_app.test_cli_runner().invoke(args=["yishi", "backup", str(dest)])

    assert result.exit_code != 0 and "exists already" in result.output
    assert dest.read_bytes() == b"keep me"


def test_backup_refuses_postgresql_and_points_to_pg_dump(tmp_path):
    config = type(
        "PgConfig",
        (TestingConfig,),
        {"SQLALCHEMY_DATABASE_URI": "postgresql://nobody@127.0.0.1:1/none", "ROSTER_STASH_DIR": str(tmp_path)},
    )
    application = create_app(config)

    with application.app_context():  # as the `flask` command pushes one
        result = application.test_cli_runner().invoke(args=["yishi", "backup", str(tmp_path / "x.sqlite3")])

    assert result.exit_code != 0
    assert "SQLite databases only" in result.output and "pg_dump" in result.output
    assert not (tmp_path / "x.sqlite3").exists()


def test_backup_refuses_an_in_memory_database(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["yishi", "backup", str(tmp_path / "x.sqlite3")])

    assert result.exit_code != 0 and "in memory" in result.output


# -- connection limits ------------------------------------------------------------------------------


def test_open_files_limit_is_raised_to_hold_the_connections():
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, hard), hard))
        wanted = 2000
        new_soft, new_hard = raise_open_files_limit(wanted)
        expected = min(wanted + SPARE_FILE_DESCRIPTORS, hard) if hard != resource.RLIM_INFINITY else wanted + 256
        assert new_soft == expected == resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        assert new_hard == hard
        assert raise_open_files_limit(10)[0] == expected  # never lowered
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_max_connections_is_a_setting(monkeypatch):
    import importlib

    import config as config_module

    monkeypatch.setenv("SERVER_MAX_CONNECTIONS", "4321")
    try:
        assert importlib.reload(config_module).Config.SERVER_MAX_CONNECTIONS == 4321
    finally:
        monkeypatch.delenv("SERVER_MAX_CONNECTIONS")
        importlib.reload(config_module)


@pytest.mark.parametrize(("hops", "expected"), [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_proxy_hops_decides_whose_address_the_request_has(tmp_path, hops, expected):
    config = type("ProxyConfig", (TestingConfig,), {"PROXY_HOPS": hops, "ROSTER_STASH_DIR": str(tmp_path)})
    application = create_app(config)

    @application.route("/_addr")
    def addr():
        from flask import request

        return request.remote_addr

    client = application.test_client()
    response = client.get(
        "/_addr", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    assert response.text == expected
