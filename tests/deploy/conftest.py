"""The shipped deployment (deploy/), run for real: Debian's nginx with deploy/nginx/yishi.conf in front of
two gunicorn processes (gunicorn.conf.py, as deploy/yishi@.service starts them) on PostgreSQL and Redis.

nginx runs as this test's own process: the shipped site file is rendered into a temporary directory
with other ports, a self-signed certificate and its own pid and log files; every change from the
shipped file is checked to have happened, so a change to the file that the rendering no longer
matches fails here. The app processes get their environment from deploy/yishi.env.example, read the
way systemd reads an EnvironmentFile, with the test's database, Redis and secret on top.

Clients reach nginx from different loopback addresses (127.0.0.2, 127.0.0.3, ...), so that nginx
sees, and passes on, a different address for each, as it would for phones.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter

from bench.twoproc import render_site  # the one rendering of the shipped site, the bench's too
from tests.serving.conftest import (
    DEMO_PASSWORD,
    csrf_token,
    free_port,
    postgres_site_url,
    prepare_site,
    redis_url_or_fail,
)

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
START_TIMEOUT = 60


# -- the environment file, read as systemd reads it ---------------------------------------------------


def read_environment_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile= takes them: lines starting with # or ; are comments,
    blank lines are skipped, whitespace around the value is dropped, and everything else on the line
    (a trailing "# comment" included) is the value; one pair of surrounding quotes is removed."""
    env: dict[str, str] = {}
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        assert "=" in line, f"{path.name}:{number}: not KEY=VALUE: {raw!r}"
        key, value = line.split("=", 1)
        key, value = key.strip(), value.strip()
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key), f"{path.name}:{number}: bad name {key!r}"
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        env[key] = value
    return env


# -- clients from their own addresses ----------------------------------------------------------------


class _SourceAddressAdapter(HTTPAdapter):
    def __init__(self, address: str, **kwargs):
        self.address = address
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def http_from(address: str, ca_file: Path) -> requests.Session:
    """A requests session whose connections leave from `address` (a loopback address: 127.0.0.N)."""
    session = requests.Session()
    adapter = _SourceAddressAdapter(address)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.verify = str(ca_file)
    session.trust_env = False  # else REQUESTS_CA_BUNDLE, when set, would win over `verify`
    return session


# -- nginx -------------------------------------------------------------------------------------------


def require_nginx() -> str:
    if Path(NGINX).exists():
        return NGINX
    if os.environ.get("CI"):
        pytest.fail("nginx is not installed (.ci/run installs Debian's nginx)", pytrace=False)
    pytest.skip("nginx is not installed (apt-get install nginx)")


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, which the clients trust as their only authority."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


class Nginx:
    """Debian's nginx, as this test's own process, with the rendered site file."""

    def __init__(self, directory: Path, upstreams: list[int]):
        self.directory = directory
        self.http_port = free_port()
        self.https_port = free_port()
        self.base_url = f"https://127.0.0.1:{self.https_port}"
        self.cert, key = make_certificate(directory)
        site = render_site(
            (DEPLOY / "nginx" / "yishi.conf").read_text(),
            http_port=self.http_port,
            https_port=self.https_port,
            upstreams=upstreams,
            cert=self.cert,
            key=key,
            logs=directory,
        )
        (directory / "site.conf").write_text(site)
        user = "user root;\n" if os.geteuid() == 0 else ""
        temp = "\n".join(
            f"    {name}_temp_path {directory / name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (directory / "nginx.conf").write_text(
            f"{user}worker_processes 1;\npid {directory / 'nginx.pid'};\nerror_log {directory / 'error.log'};\n"
            "events { worker_connections 1024; }\n"
            f"http {{\n    include /etc/nginx/mime.types;\n{temp}\n    include {directory / 'site.conf'};\n}}\n"
        )
        self.process: subprocess.Popen | None = None

    def log(self) -> str:
        path = self.directory / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self) -> Nginx:
        conf = str(self.directory / "nginx.conf")
        check = subprocess.run(
            [NGINX, "-t", "-q", "-c", conf, "-p", str(self.directory)], capture_output=True, text=True
        )
        assert check.returncode == 0, f"nginx -t refused the rendered deploy/nginx/yishi.conf:\n{check.stderr}"
        self.process = subprocess.Popen(
            [NGINX, "-c", conf, "-p", str(self.directory), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"nginx exited with {self.process.returncode}:\n{self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        pytest.fail(f"nginx did not listen within 10 s:\n{self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


# -- app processes under gunicorn, restarted when they exit (systemd's Restart=always) -----------------


class AppProcess:
    """`gunicorn --config gunicorn.conf.py` on one port, as yishi@PORT.service runs it."""

    def __init__(self, env: dict, directory: Path, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "PORT": str(self.port)}
        self.pid_file = directory / f"{self.port}.pid"
        self.log_path = directory / f"app-{self.port}.log"
        self.process: subprocess.Popen | None = None
        self.supervise = False
        self.starts = 0
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def _launch(self) -> None:
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--pid", str(self.pid_file)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1

    def start(self, supervise: bool = True) -> float:
        """Start; return the seconds until /healthz answered."""
        began = time.monotonic()
        self._launch()
        self.wait_ready(began)
        self.supervise = supervise
        if supervise:
            self._watcher = threading.Thread(target=self._watch, daemon=True)
            self._watcher.start()
        return time.monotonic() - began

    def wait_ready(self, began: float | None = None) -> float:
        began = began or time.monotonic()
        while time.monotonic() - began < START_TIMEOUT:
            process = self.process
            if process is not None and process.poll() is not None and not self.supervise:
                pytest.fail(f"gunicorn exited with {process.returncode}:\n{self.log()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return time.monotonic() - began
            except requests.RequestException:
                pass
            time.sleep(0.1)
        pytest.fail(f"gunicorn on {self.port} did not answer /healthz within {START_TIMEOUT} s:\n{self.log()}")

    def _watch(self) -> None:
        while self.supervise:
            process = self.process
            if process is not None and process.poll() is not None:
                with self._lock:
                    if self.supervise:
                        time.sleep(0.1)
                        self._launch()
            time.sleep(0.05)

    def kill(self) -> None:
        """A crash: the whole process (gunicorn's master and its worker) killed at once."""
        os.killpg(self.process.pid, signal.SIGKILL)

    def stop(self) -> None:
        self.supervise = False
        if self._watcher is not None:
            self._watcher.join(timeout=5)
        process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


class Deployment:
    """nginx in front of two gunicorn processes of one site."""

    def __init__(self, database_url: str, env: dict, apps: list[AppProcess], nginx: Nginx):
        self.database_url = database_url
        self.env = env
        self.apps = apps
        self.nginx = nginx
        self.base_url = nginx.base_url
        self.ca_file = nginx.cert
        self.sessions: list[requests.Session] = []

    def http(self, address: str) -> requests.Session:
        session = http_from(address, self.ca_file)
        self.sessions.append(session)  # closed with the deployment
        return session

    def close_sessions(self) -> None:
        while self.sessions:
            self.sessions.pop().close()

    def login(self, address: str, phone: str, password: str = DEMO_PASSWORD, http=None) -> requests.Response:
        http = http or self.http(address)
        page = http.get(f"{self.base_url}/account/login", timeout=10)
        assert page.status_code == 200, page.text
        return http.post(
            f"{self.base_url}/account/login",
            data={"csrf_token": csrf_token(page.text), "phone": phone, "password": password},
            headers={"Origin": self.base_url, "Referer": f"{self.base_url}/account/login"},
            allow_redirects=False,
            timeout=10,
        )

    def logged_in(self, address: str, phone: str) -> requests.Session:
        http = self.http(address)
        response = self.login(address, phone, http=http)
        assert response.status_code == 302, response.text
        return http

    def app_for(self, address: str) -> AppProcess:
        """The process nginx sends this address to."""
        response = self.http(address).get(f"{self.base_url}/healthz", timeout=10)
        upstream = response.headers["X-Test-Upstream"]
        return next(app for app in self.apps if upstream.endswith(f":{app.port}"))

    def addresses_on_each_app(self, first: int) -> dict[int, str]:
        """A loopback source address from 127.0.0.<first> on that nginx sends to each process (a test's
        own range: the login limit counts per address)."""
        found: dict[int, str] = {}
        for n in range(first, first + 40):
            address = f"127.0.0.{n}"
            found.setdefault(self.app_for(address).port, address)
            if len(found) == len(self.apps):
                return found
        pytest.fail("no loopback address reached every process")

    def tls_socket(self, address: str) -> ssl.SSLSocket:
        """A TLS connection to nginx from `address` (for a WebSocket)."""
        raw = socket.create_connection(("127.0.0.1", self.nginx.https_port), timeout=10, source_address=(address, 0))
        context = ssl.create_default_context(cafile=str(self.ca_file))
        return context.wrap_socket(raw, server_hostname="127.0.0.1")


def deployment_env(database_url: str, redis_url: str, upload_dir: Path, public_origin: str, **settings) -> dict:
    """deploy/yishi.env.example as systemd reads it, with this test's services and secret on top."""
    shipped = read_environment_file(DEPLOY / "yishi.env.example")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SOCKETIO_", "RATELIMIT_"))}
    for name in ("REDIS_URL", "DATABASE_URL", "SECRET_KEY", "PROXY_HOPS", "HOST", "PORT", "UPLOAD_DIR"):
        env.pop(name, None)
    env.update(shipped)
    env.update(
        {
            "FLASK_APP": "wsgi.py",
            "SECRET_KEY": uuid.uuid4().hex + uuid.uuid4().hex,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SOCKETIO_ALLOWED_ORIGINS": public_origin,
            "UPLOAD_DIR": str(upload_dir),
            "YISHI_DEMO_PASSWORD": DEMO_PASSWORD,
            # one Redis serves every test: keep this site's channel and counters apart
            "SOCKETIO_CHANNEL": f"yishi-test-{uuid.uuid4().hex[:8]}",
            "RATELIMIT_KEY_PREFIX": f"yishi-test-{uuid.uuid4().hex[:8]}",
            "SERVER_ACCESS_LOG": "0",
            "DATABASE_POOL_SIZE": "5",
            "DATABASE_MAX_OVERFLOW": "5",
            "SERVER_MAX_CONNECTIONS": "1000",
            "PYTHONUNBUFFERED": "1",
            **settings,
        }
    )
    return env


def start_deployment(directory: Path, **settings) -> Iterator[Deployment]:
    """nginx and two gunicorn processes on a fresh PostgreSQL schema and the test Redis; stopped after."""
    require_nginx()
    redis_url = redis_url_or_fail()
    ports = [free_port(), free_port()]
    nginx = Nginx(directory, ports)
    with postgres_site_url() as database_url:
        env = deployment_env(database_url, redis_url, directory / "uploads", nginx.base_url, **settings)
        prepare = {**env, "YISHI_CONFIG": "production"}
        subprocess.run(
            [sys.executable, "-m", "flask", "yishi", "migrate"], cwd=ROOT, env=prepare, check=True, capture_output=True
        )
        prepare_site(prepare)  # the demo community (its `db upgrade` finds nothing to do)
        apps = [AppProcess(env, directory, port) for port in ports]
        deployment = Deployment(database_url, env, apps, nginx)
        try:
            for app in apps:
                app.start()
            nginx.start()
            yield deployment
        finally:
            deployment.close_sessions()
            nginx.stop()
            for app in apps:
                app.stop()
