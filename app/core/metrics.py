"""Prometheus metrics at GET /metrics, for the addresses in METRICS_ALLOW or a bearer of METRICS_TOKEN.

Requests (count and latency by endpoint, method and status), live sockets and rooms per namespace,
emits, votes stored, and the database pool's connections. Several processes of one machine
(gunicorn's workers, or `make serve` twice) each write their figures to PROMETHEUS_MULTIPROC_DIR when
it is set (it must be set before the processes start, and emptied first); /metrics then answers the
sum over every process, whichever process is asked. A process that exits should be reported to
prometheus_client.multiprocess.mark_process_dead(pid) by whatever started it (gunicorn's child_exit).
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import os
import threading
import time

from flask import Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import REGISTRY as DEFAULT_REGISTRY

REQUESTS = Counter("yishi_http_requests_total", "HTTP requests answered", ["endpoint", "method", "status"])
LATENCY = Histogram(
    "yishi_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["endpoint", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
SOCKETS = Gauge("yishi_sockets", "Live Socket.IO connections", ["namespace"], multiprocess_mode="livesum")
ROOMS = Gauge("yishi_socket_rooms", "Rooms with live connections", ["namespace"], multiprocess_mode="livesum")
EMITS = Counter("yishi_socket_emits_total", "Socket.IO emits (a broadcast counts once)", ["namespace", "event"])
VOTES = Counter("yishi_votes_total", "Ballots stored", ["poll_type"])
DB_POOL = Gauge(
    "yishi_db_pool_connections",
    "Database pool connections (in_use: checked out; open: held by the pool)",
    ["state"],
    multiprocess_mode="livesum",
)
SAMPLE_SECONDS = 5.0


def registry() -> CollectorRegistry:
    """Every process's figures when PROMETHEUS_MULTIPROC_DIR is set, else this process's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)
        return collected
    return DEFAULT_REGISTRY


def _endpoint() -> str:
    return request.endpoint or "unmatched"  # not per path: an unknown URL must not make a new series


def sample(app) -> None:
    """Set the gauges from this process's state: its sockets, rooms and pool."""
    from app.extensions import db, socketio

    server = socketio.server
    if server is not None:
        for namespace, rooms in list(server.manager.rooms.items()):
            everyone = rooms.get(None, {})
            sids = set(everyone)
            SOCKETS.labels(namespace).set(len(sids))
            # a room of its own per connection (its sid) and per user: not what an operator calls a room
            ROOMS.labels(namespace).set(
                sum(
                    1
                    for room in list(rooms)
                    if room is not None and room not in sids and ":" in str(room) and not str(room).startswith("user:")
                )
            )
    with app.app_context():
        pool = db.engine.pool
        checkedout = getattr(pool, "checkedout", None)
        if checkedout is not None:
            in_use = checkedout()
            DB_POOL.labels("in_use").set(in_use)
            DB_POOL.labels("open").set(in_use + pool.checkedin())


_sampler_started = False
_sampler_lock = threading.Lock()


def start_sampler(app) -> None:
    """Once per process: keep the gauges current (the metrics of other processes are read from files)."""
    global _sampler_started
    with _sampler_lock:
        if _sampler_started:
            return
        _sampler_started = True
    from app.extensions import socketio

    def run():
        while True:
            with contextlib.suppress(Exception):  # a sampling error must not end the loop; /metrics samples too
                sample(app)
            socketio.sleep(SAMPLE_SECONDS)

    socketio.start_background_task(run)


def count_emits(server) -> None:
    """Count each emit of the Socket.IO server (handlers, services and broadcasts all go through it)."""
    if getattr(server, "_yishi_counted", False):
        return
    emit = server.emit

    def counted(event, *args, **kwargs):
        EMITS.labels(kwargs.get("namespace") or "/", str(event)).inc()
        return emit(event, *args, **kwargs)

    server.emit = counted
    server._yishi_counted = True


def allowed(app) -> bool:
    """The client is in METRICS_ALLOW, or bears METRICS_TOKEN."""
    token = app.config.get("METRICS_TOKEN")
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip().encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    for entry in app.config.get("METRICS_ALLOW") or []:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def register_metrics(app) -> None:
    """Time every request, and serve /metrics to those allowed."""
    for entry in app.config.get("METRICS_ALLOW") or []:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise RuntimeError(f"METRICS_ALLOW: {entry!r} is not an address or network") from None

    @app.before_request
    def _start_timer():
        g.metrics_started = time.perf_counter()
        if not app.testing:
            start_sampler(app)

    @app.after_request
    def _observe(response):
        started = g.pop("metrics_started", None)
        if started is not None:
            labels = (_endpoint(), request.method, str(response.status_code))
            REQUESTS.labels(*labels).inc()
            LATENCY.labels(*labels).observe(time.perf_counter() - started)
        return response

    def metrics():
        if not allowed(current_app):
            abort(404)
        sample(current_app._get_current_object())
        return Response(
            generate_latest(registry()), content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"}
        )

    app.add_url_rule("/metrics", "metrics", metrics)
