"""A live Yishi server in a thread and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from config import TestingConfig

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


# The demo's data, loaded once per test process and copied for each server that asks for it unchanged: loading
# it takes seconds (a community, its people and a year of history), and every browser test wants a fresh copy.
_DEMO_COPY: dict[str, Path] = {}
DATA_SETTINGS = ("SQLALCHEMY_DATABASE_URI", "UPLOAD_DIR", "ROSTER_STASH_DIR")


def _load_demo(app, folder: Path, *, reusable: bool) -> None:
    """The demo's data into this server's database and files: copied from the first load when `reusable`."""
    database, uploads = folder / "browser.sqlite3", folder / "uploads"
    saved = _DEMO_COPY.get("folder") if reusable else None
    if saved is not None:
        shutil.copyfile(saved / "browser.sqlite3", database)
        if (saved / "uploads").exists():
            shutil.copytree(saved / "uploads", uploads, dirs_exist_ok=True)
        return
    with app.app_context():
        db.create_all()
        from app import demo

        demo.load(app.config["DEMO_PASSWORD"])
        db.session.commit()
        db.session.remove()
        db.engine.dispose()  # the file is whole on disk before it is copied
    if reusable:
        saved = Path(tempfile.mkdtemp(prefix="yishi-demo-"))
        shutil.copyfile(database, saved / "browser.sqlite3")
        if uploads.exists():
            shutil.copytree(uploads, saved / "uploads")
        _DEMO_COPY["folder"] = saved


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def serve(tmp_path):
    """serve(**config) -> the origin of the real app (CSRF on, demo data loaded) on a free port, with
    these settings changed (for example SOCKETIO_ALLOWED_ORIGINS, to refuse the browser's socket)."""
    running = []

    def start(**overrides):
        port = _free_port()
        origin = f"http://127.0.0.1:{port}"
        folder = tmp_path / f"server-{len(running)}" if running else tmp_path  # the first one's files in tmp_path
        folder.mkdir(exist_ok=True)
        settings = {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'browser.sqlite3'}",
            "WTF_CSRF_ENABLED": True,
            "SERVER_NAME": None,
            "SOCKETIO_ALLOWED_ORIGINS": [origin],
            "ROSTER_STASH_DIR": str(folder / "imports"),
            "UPLOAD_DIR": str(folder / "uploads"),
        }
        settings.update(overrides)
        app = create_app(type("BrowserConfig", (TestingConfig,), settings))
        # a server whose data settings are the usual ones gets a copy of the demo loaded once in this process
        _load_demo(app, folder, reusable=not any(key in overrides for key in DATA_SETTINGS))
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        running.append((app, server, thread))
        return origin

    yield start
    for app, server, thread in running:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def live_server(serve):
    """The real app (CSRF on, demo data loaded) served on a free port."""
    return serve()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def phone(browser):
    """A phone-sized browser context, Chinese first."""
    context = browser.new_context(locale="zh-CN", **PHONE)
    context.set_default_timeout(10_000)
    yield context
    context.close()
