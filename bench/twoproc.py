"""Two processes behind nginx (`python -m bench --only twoproc`; issue 20).

Debian's nginx runs as the bench's own process with its own prefix, as tests/deploy does: the shipped
deploy/nginx/yishi.conf rendered for local ports (render_site; every change from the shipped file must
apply) in front of Yishi under gunicorn (gunicorn.conf.py: one gevent worker per process, as
deploy/yishi@.service starts them), the processes sharing PostgreSQL and Redis (the Socket.IO message queue).
The same N clients (websocket over TLS through nginx, each leaving from one of 64 loopback addresses so that
the shipped `hash $remote_addr` spreads them as it spreads phones) meet ONE process and then TWO, Yishi and
the bare server (bench/bare_server.py in gevent, with the same Redis queue), each layout behind the same
nginx configuration. Each layout: connect all N, then `repeats` times each: a join storm (all N join a room
nobody has attended, at one instant), a fan-out (all N in one room; the chair's speeches reach every client,
across the processes through Redis), a vote burst (all N vote twice at one instant on a motion of the round).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import load, servers
from bench.common import Speaker, fmt, log, summary

NGINX = "/usr/sbin/nginx"
SOURCES = [f"127.0.0.{i}" for i in range(10, 74)]  # 64 client addresses
LAYOUTS = (("yishi", 1), ("yishi", 2), ("bare", 1), ("bare", 2))
QUICK_LAYOUTS = (("yishi", 2), ("bare", 2))  # --quick proves the harness: two processes, the same code as one


def nginx_problem() -> str | None:
    import shutil

    found = shutil.which("nginx") or (NGINX if Path(NGINX).exists() else None)
    return None if found else "nginx is not installed (apt-get install nginx)"


def render_site(
    shipped: str, *, http_port: int, https_port: int, upstreams: list[int], cert: Path, key: Path, logs: Path
) -> str:
    """The shipped site file with local ports, a certificate and logs of one's own; each change must apply
    (tests/deploy renders it so too: a change to the shipped file that the rendering no longer matches fails)."""

    def sub(pattern: str, replacement: str, text: str, count: int) -> str:
        result, made = re.subn(pattern, replacement, text, flags=re.MULTILINE)
        if made != count:
            raise AssertionError(f"deploy/nginx/yishi.conf: expected {count} match(es) of {pattern!r}, found {made}")
        return result

    site = shipped
    site = sub(r"^\s*listen \[::\]:\d+.*\n", "", site, 2)  # IPv6 may be off on a test machine
    site = sub(r"listen 80;", f"listen 127.0.0.1:{http_port};", site, 1)
    site = sub(r"listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;", site, 1)
    site = sub(r"server_name yishi\.example\.org;", "server_name 127.0.0.1;", site, 2)
    site = sub(r"ssl_certificate\s+/\S+;", f"ssl_certificate {cert};", site, 1)
    site = sub(r"ssl_certificate_key\s+/\S+;", f"ssl_certificate_key {key};", site, 1)
    site = sub(r"access_log /var/log/nginx/yishi\.access\.log;", f"access_log {logs / 'access.log'};", site, 1)
    site = sub(r"error_log\s+/var/log/nginx/yishi\.error\.log;", f"error_log {logs / 'error.log'};", site, 1)
    site = sub(r"root /var/www/html;", f"root {logs};", site, 1)
    lines = re.findall(r"^\s*server 127\.0\.0\.1:\d+ .*;$", site, flags=re.MULTILINE)
    if len(lines) != 2:
        raise AssertionError("deploy/nginx/yishi.conf: the upstream lists two processes")
    template = lines[0]
    site = site.replace(lines[1] + "\n", "")
    site = site.replace(
        template,
        "\n".join(re.sub(r"127\.0\.0\.1:\d+", f"127.0.0.1:{port}", template) for port in upstreams),
    )
    # which process answered, for the tests and the bench only (never in the shipped file: it names the upstreams)
    site = sub(
        r"^(\s*)proxy_set_header Host ",
        r"\1add_header X-Test-Upstream $upstream_addr always;\n\1proxy_set_header Host ",
        site,
        1,
    )
    return site


class Nginx:
    """Debian's nginx as the bench's own process (its own prefix, pid and logs), the shipped site rendered."""

    def __init__(self, directory: Path, upstreams: list[int], connections: int):
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.http_port, self.https_port = servers.free_port(), servers.free_port()
        self.url = f"https://127.0.0.1:{self.https_port}"
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
        site = render_site(
            (servers.ROOT / "deploy" / "nginx" / "yishi.conf").read_text(),
            http_port=self.http_port,
            https_port=self.https_port,
            upstreams=upstreams,
            cert=cert,
            key=key,
            logs=directory,
        )
        (directory / "site.conf").write_text(site)
        user = "user root;\n" if os.geteuid() == 0 else ""
        temp = "\n".join(
            f"    {name}_temp_path {directory / name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        # two descriptors per client (the client's and the upstream's), and spare
        (directory / "nginx.conf").write_text(
            f"{user}worker_processes 1;\nworker_rlimit_nofile {4 * connections + 1024};\n"
            f"pid {directory / 'nginx.pid'};\nerror_log {directory / 'error.log'};\n"
            f"events {{ worker_connections {2 * connections + 512}; }}\n"
            f"http {{\n    include /etc/nginx/mime.types;\n{temp}\n    include {directory / 'site.conf'};\n}}\n"
        )
        self.process: subprocess.Popen | None = None

    def start(self) -> Nginx:
        conf = str(self.directory / "nginx.conf")
        check = subprocess.run(
            [NGINX, "-t", "-q", "-c", conf, "-p", str(self.directory)], capture_output=True, text=True
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t refused the rendered deploy/nginx/yishi.conf: {check.stderr[-500:]}")
        self.process = subprocess.Popen(
            [NGINX, "-c", conf, "-p", str(self.directory), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("nginx did not listen within 10 s")

    def upstream_of(self, source: str) -> str:
        """Which process nginx sends a client leaving from `source` to (host:port)."""
        raw = socket.create_connection(("127.0.0.1", self.https_port), timeout=10, source_address=(source, 0))
        import ssl

        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            tls.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := tls.recv(65536):
                answer += chunk
        found = re.search(rb"X-Test-Upstream: ([^\r\n]+)", answer, flags=re.IGNORECASE)
        return found.group(1).decode() if found else "?"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def clients_per_source(n: int, workers: int) -> dict[str, int]:
    """How many of n clients leave from each address: load.LoadPool deals the cookies and the addresses
    out to its workers in turn, and a worker's clients take its addresses in turn."""
    counts: dict[str, int] = {}
    for w in range(workers):
        share = SOURCES[w::workers]
        mine = len(range(w, n, workers))
        for j in range(mine):
            counts[share[j % len(share)]] = counts.get(share[j % len(share)], 0) + 1
    return counts


def run(bench, settings) -> dict:
    """All layouts; `bench` is run.Run (its world, database and Redis, its speeches)."""

    n = settings.twoproc_n
    out: dict = {"n": n, "repeats": settings.repeats, "layouts": {}}
    problem = nginx_problem() or (
        None if bench.redis_url else "no Redis: two processes need the Socket.IO message queue"
    )
    if bench.db.kind != "postgresql":
        problem = problem or "PostgreSQL is not available: two processes share one database"
    if problem:
        out["error"] = problem
        log(f"two processes: not run ({problem})")
        return out
    storms = list(bench.world["twoproc_rooms"])
    rounds = list(bench.world["twoproc_vote_rounds"])
    for kind, processes in QUICK_LAYOUTS if settings.quick else LAYOUTS:
        name = f"{kind}-{processes}"
        # Yishi's layouts each on rooms and motions of their own (every join a first one, every vote a new one);
        # the bare server stores nothing and takes the first
        first = (processes - 1) * settings.repeats if kind == "yishi" else 0
        layout = out["layouts"][name] = {"kind": kind, "processes": processes, "n": n}
        started = []
        proxy = None
        pool = None
        speaker = None
        try:
            with ThreadPoolExecutor(processes) as starting:  # side by side, as systemd starts yishi@5001, @5002
                started.extend(
                    starting.map(
                        lambda _, kind=kind: servers.start(
                            kind,
                            "gunicorn" if kind == "yishi" else "gevent",
                            bench.workdir,
                            database_url=bench.db.url,
                            redis_url=bench.redis_url,
                            pin=False,  # two processes and the load share the two cores
                        ),
                        range(processes),
                    )
                )
            for server in started:
                if server.error:
                    raise RuntimeError(f"{kind} server: {server.error}")
            proxy = Nginx(bench.workdir / f"nginx-{name}", [s.port for s in started], n).start()
            upstreams = {src: proxy.upstream_of(src) for src in SOURCES}
            split: dict[str, int] = {}
            for src, count in clients_per_source(n, settings.workers).items():
                split[upstreams[src]] = split.get(upstreams[src], 0) + count
            layout["split"] = split
            pool = load.LoadPool(proxy.url, bench.cookie_name, workers=settings.workers, sources=SOURCES)
            began = time.monotonic()
            connected = pool.connect(bench.world["members"][:n], concurrency=50, timeout=60)
            layout["connect"] = {
                "connected": connected["connected"],
                "failed": connected["failed"],
                "errors": connected["errors"],
                "seconds": round(time.monotonic() - began, 2),
                "handshake_ms": summary(connected["handshake_ms"]),
            }
            log(
                f"two processes, {name}: {connected['connected']}/{n} connected through nginx in "
                f"{layout['connect']['seconds']} s, split {split}"
            )
            layout["joins"], layout["fanout"], layout["votes"] = [], [], []
            for attempt in range(settings.repeats):
                room = storms[first + attempt]
                at = time.monotonic() + 1.0
                joined = pool.join(room, concurrency=n, at=at)
                row = {
                    "room": room,
                    "joined": joined["joined"],
                    "failed": joined["failed"],
                    "errors": joined["errors"],
                    "retries": joined["retries"],
                    "all_seconds": round(joined["last"] - at, 3),
                    "join_ms": summary(joined["ms"]),
                }
                if kind == "yishi":
                    row["attendance"] = bench.db.scalar(
                        "SELECT count(*) FROM attendances WHERE consultation_id = %s", room
                    )
                layout["joins"].append(row)
                log(
                    f"two processes, {name}, run {attempt + 1}: join storm, all {row['joined']} in "
                    f"{row['all_seconds']} s, p99 {fmt(row['join_ms']['p99'])} ms, {row['retries']} retried"
                )
            # the fan-out: everyone in the fan-out room, the chair's speeches reach them across the processes
            pool.join(bench.world["consultation_id"], concurrency=50, timeout=120)
            pool.quiet(1.0, 90)
            # the chair speaks to the first process directly (python-socketio's threaded client, through this
            # nginx, fails on Yishi's join answer: "Invalid empty packet received"); the speech still reaches the
            # second process's clients through Redis, and every client through nginx
            speaker = Speaker(started[0], bench.cookie_name, bench.world["chair"], bench.world["consultation_id"])
            if kind == "bare":
                speaker.match_payload(bench.results.get("twoproc_payload_bytes"), settings.body_chars)
            for attempt in range(settings.repeats):
                row = bench._speeches(pool, speaker, n)
                layout["fanout"].append(row)
                log(
                    f"two processes, {name}, run {attempt + 1}: fan-out p99 {fmt(row['latency']['p99'])} ms, "
                    f"{row['received']}/{row['expected']} delivered"
                )
            if kind == "yishi" and speaker.payload_bytes:
                bench.results["twoproc_payload_bytes"] = speaker.payload_bytes
            for attempt in range(settings.repeats):
                motion = rounds[first + attempt]["motion_id"]
                rows = pool.vote(motion, time.monotonic() + 1.0)
                row = bench._vote_figures(type("Kind", (), {"kind": kind})(), bench.world["members"][:n], rows, motion)
                layout["votes"].append(row)
                log(
                    f"two processes, {name}, run {attempt + 1}: vote burst {row['accepted']} accepted, "
                    f"{row['stored']} stored, ack p99 {fmt(row['ack']['p99'])} ms"
                )
            layout["rss_mb"] = [_rss(s) for s in started]
        except Exception as err:
            layout["error"] = f"{type(err).__name__}: {err}"[:500]
            log(f"two processes, {name}: {layout['error']}")
        finally:
            if speaker:
                speaker.close()
            if pool:
                try:
                    pool.disconnect()
                finally:
                    pool.close()
            if proxy:
                proxy.stop()
            for server in started:
                server.stop()
    return out


def _rss(server) -> float | None:
    try:
        import psutil

        return round(psutil.Process(server.pid).memory_info().rss / 2**20, 1)
    except Exception:
        return None
