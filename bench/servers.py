"""Starting and stopping the servers under test, the scratch database, the machine's description."""

from __future__ import annotations

import contextlib
import os
import platform
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_CORE = 0
CLIENT_CORE = 1
SECRET_KEY = "bench-secret-not-for-production-0123456789"  # production wants 32 bytes or more

# Rate limits set out of the way of the load (config.py reads them from the environment).
RATE_LIMITS = {
    "RATELIMIT_SPEAK": "1000000 per minute",
    "RATELIMIT_LOGIN": "1000000 per minute",
    "RATELIMIT_REGISTER": "1000000 per minute",
}

PACKAGES = (
    "Flask",
    "Flask-SocketIO",
    "python-socketio",
    "python-engineio",
    "simple-websocket",
    "gunicorn",
    "eventlet",
    "gevent",
    "gevent-websocket",
    "psycogreen",
    "greenlet",
    "Werkzeug",
    "SQLAlchemy",
    "psycopg2-binary",
    "redis",
    "Flask-Limiter",
    "Flask-Compress",
    "aiohttp",
    "psutil",
    "py-spy",
    "playwright",
)


def cores() -> list[int]:
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:
        return list(range(os.cpu_count() or 1))


def can_pin() -> bool:
    return hasattr(os, "sched_setaffinity") and len(cores()) >= 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _preexec(core: int | None):
    def run():
        os.setsid()
        if core is not None and hasattr(os, "sched_setaffinity"):
            with contextlib.suppress(OSError):
                os.sched_setaffinity(0, {core})

    return run


@dataclass
class Server:
    """A server under test, started as a subprocess on the server core."""

    kind: str  # "yishi" or "bare"
    mode: str
    port: int
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        """The process serving (under gunicorn: its worker, not the master that only watches it)."""
        if self.mode == "gunicorn" and self.kind == "yishi":
            import psutil

            children = psutil.Process(self.process.pid).children()
            if children:
                return children[0].pid
        return self.process.pid

    def log_tail(self, lines: int = 12) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


def start(kind: str, mode: str, workdir: Path, *, database_url: str | None, redis_url: str | None, pin: bool) -> Server:
    """Start Yishi or the bare server; wait until /healthz answers.

    Mode "gunicorn" is production's server: Yishi under gunicorn with one gevent worker (gunicorn.conf.py),
    beside the bare server in gevent; the other modes run `python wsgi.py` in that async mode.
    """
    port = free_port()
    server = Server(kind, mode, port, log_path=workdir / f"{kind}-{mode}-{port}.log")
    env = {
        **os.environ,
        "SOCKETIO_ASYNC_MODE": "gevent" if mode == "gunicorn" else mode,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
        # this run's own keys and channels: pub/sub ignores the db number, and others' runs and tests share Redis
        env["REDIS_PREFIX"] = f"yishi-bench-{os.getpid()}"
        env["SOCKETIO_CHANNEL"] = f"yishi-bench-{os.getpid()}-{kind}"
    if kind == "yishi":
        env.update(
            {
                "YISHI_CONFIG": "production",
                "SECRET_KEY": SECRET_KEY,
                "DATABASE_URL": database_url or "",
                "SESSION_COOKIE_SECURE": "0",
                "SOCKETIO_ALLOWED_ORIGINS": f"http://127.0.0.1:{port},http://localhost:{port}",
                "SMS_BACKEND": "development",  # production refuses it unless allowed: the bench sends no SMS
                "SMS_ALLOW_DEVELOPMENT_BACKEND": "1",
                **RATE_LIMITS,
            }
        )
        if mode == "gunicorn":
            command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
        else:
            command = [sys.executable, "wsgi.py"]
    else:
        command = [sys.executable, str(ROOT / "bench" / "bare_server.py")]
    with open(server.log_path, "wb") as log:
        server.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_preexec(SERVER_CORE if pin else None),
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            server.error = f"exited with status {server.process.returncode}: {server.log_tail(6)}"
            return server
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.error = "did not answer /healthz within 60 s: " + server.log_tail(6)
    server.stop()
    return server


def mode_available(mode: str) -> str | None:
    """None if the async mode's packages import; else why not."""
    if mode == "threading":
        return None
    import importlib.util

    for package in ("gunicorn", "gevent") if mode == "gunicorn" else (mode,):
        if importlib.util.find_spec(package) is None:  # found, not imported: only the servers patch and import it
            return f"{package} is not installed (pip install {package})"
    return None


# -- the scratch database ------------------------------------------------------------------------


class ScratchDatabase:
    """A PostgreSQL database made for this run and dropped after it (or SQLite in the work dir)."""

    def __init__(self, admin_url: str | None, workdir: Path):
        self.admin_url = admin_url
        # BENCH_DATABASE: a database of one's own to use (dropped, made again, and left empty after the run)
        self.name = os.environ.get("BENCH_DATABASE") or f"yishi_bench_{os.getpid()}"
        self.url: str | None = None
        self.kind = "sqlite"
        self.note = ""
        if admin_url:
            try:
                import psycopg2

                conn = psycopg2.connect(admin_url)
                conn.autocommit = True
                with conn.cursor() as cur:
                    cur.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
                    cur.execute(f'CREATE DATABASE "{self.name}"')
                    cur.execute("SHOW server_version")
                    self.version = cur.fetchone()[0]
                conn.close()
                base, _slash, _db = admin_url.rpartition("/")
                self.url = f"{base}/{self.name}"
                self.kind = "postgresql"
                return
            except Exception as err:
                self.note = f"PostgreSQL not reachable at {admin_url} ({type(err).__name__}); SQLite used"
        self.url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        self.version = ""

    def scalar(self, sql: str, *params):
        if self.kind == "postgresql":
            import psycopg2

            conn = psycopg2.connect(self.url)
        else:
            import sqlite3

            conn = sqlite3.connect(self.url.removeprefix("sqlite:///"))
            sql = sql.replace("%s", "?")
        try:
            cur = conn.cursor()
            cur.execute(sql, params)
            return cur.fetchone()[0]
        finally:
            conn.close()

    def drop(self) -> None:
        if self.kind != "postgresql":
            return
        import psycopg2

        conn = psycopg2.connect(self.admin_url)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            if os.environ.get("BENCH_DATABASE"):
                cur.execute(f'CREATE DATABASE "{self.name}"')
        conn.close()


def setup_world(db: ScratchDatabase, members: int, workdir: Path, storm_rooms: int = 0, vote_rounds: int = 1) -> dict:
    import json

    out = workdir / "world.json"
    env = {
        **os.environ,
        "YISHI_CONFIG": "production",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": db.url,
        "SOCKETIO_ASYNC_MODE": "threading",
        "SESSION_COOKIE_SECURE": "0",
        "SOCKETIO_ALLOWED_ORIGINS": "http://127.0.0.1",  # production requires it; the data setup serves nothing
        "SMS_BACKEND": "development",
        "SMS_ALLOW_DEVELOPMENT_BACKEND": "1",
    }
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "-m", "bench.setup_data", str(out), str(members), str(storm_rooms), str(vote_rounds)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return json.loads(out.read_text())


def redis_ready(url: str) -> str | None:
    """None if Redis answers; else why not. (Nothing is emptied: the run's keys and channels carry its own
    prefix, servers.start.)"""
    try:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=2)
        client.ping()
        return None
    except Exception as err:
        return f"{type(err).__name__}: {err}"


# -- the machine ---------------------------------------------------------------------------------


def machine() -> dict:
    import datetime

    import psutil

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"

    def git(*args) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "?"

    # the run's own output is not a change to the code measured (the feature benches write their sections first)
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/RESULTS.md")
    return {
        "cpu": cpu,
        "logical_cores": os.cpu_count(),
        "usable_cores": cores(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "load_average": os.getloadavg(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "versions": versions,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git("rev-parse", "--short=12", "HEAD") + (" (with uncommitted changes)" if dirty else ""),
        "branch": git("rev-parse", "--abbrev-ref", "HEAD"),
    }
