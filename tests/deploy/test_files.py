"""The files in deploy/ say what the tests run: the environment file parses as systemd reads it, and the
units start the commands tested here (gunicorn with gunicorn.conf.py, flask yishi migrate)."""

from __future__ import annotations

import configparser
import re
import subprocess
import sys

from tests.deploy.conftest import DEPLOY, ROOT, read_environment_file


def _unit(name: str) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str
    unit.read_string((DEPLOY / name).read_text())
    return unit


def test_the_environment_example_has_no_comment_inside_a_value():
    text = (DEPLOY / "yishi.env.example").read_text()
    env = read_environment_file(DEPLOY / "yishi.env.example")
    assert env["YISHI_CONFIG"] == "production" and env["PROXY_HOPS"] == "1"
    for name, value in env.items():
        assert "#" not in value, f"{name}={value!r}: systemd would keep the comment in the value"
        assert value == value.strip()
    # numbers are numbers, origins are origins, as the app reads them
    for name in ("PROXY_HOPS", "DATABASE_POOL_SIZE", "DATABASE_MAX_OVERFLOW", "SERVER_MAX_CONNECTIONS"):
        int(env[name])
    assert all(re.fullmatch(r"https://[^\s/,]+", o) for o in env["SOCKETIO_ALLOWED_ORIGINS"].split(","))
    assert "PORT=" not in text  # the unit's instance name gives the port


def test_the_units_start_what_the_tests_start():
    serve = _unit("yishi@.service")
    assert serve["Service"]["ExecStart"].endswith("/.venv/bin/gunicorn --config gunicorn.conf.py")
    assert re.search(r"^Environment=PORT=%i$", (DEPLOY / "yishi@.service").read_text(), re.M)
    assert serve["Service"]["EnvironmentFile"] == "/srv/yishi/env"
    assert serve["Service"]["KillMode"] == "mixed" and serve["Service"]["KillSignal"] == "SIGTERM"
    assert "migrate" not in serve["Service"].get("ExecStartPre", "")
    assert "yishi-migrate.service" in serve["Unit"]["Requires"]
    env = read_environment_file(DEPLOY / "yishi.env.example")
    assert int(serve["Service"]["TimeoutStopSec"]) > int(env["SERVER_GRACEFUL_TIMEOUT"])

    migrate = _unit("yishi-migrate.service")
    assert migrate["Service"]["Type"] == "oneshot"
    assert migrate["Service"]["ExecStart"].endswith("/.venv/bin/flask yishi migrate")


def test_gunicorn_conf_refuses_another_async_mode():
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--check-config"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "SOCKETIO_ASYNC_MODE": "eventlet"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "python wsgi.py" in result.stdout + result.stderr


def test_the_rolling_restart_script_needs_ports():
    result = subprocess.run([str(DEPLOY / "rolling-restart.sh")], capture_output=True, text=True, timeout=10)
    assert result.returncode == 2 and "usage" in result.stderr
