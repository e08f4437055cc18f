"""gunicorn's settings for Yishi: `gunicorn -c gunicorn.conf.py wsgi:app` (`make serve`, deploy/yishi@.service).

One process serves one port with ONE gevent worker holding thousands of Socket.IO connections (a phone's
polling requests must all reach the process that holds its session, so a process never has two workers:
run more processes, one per port, behind nginx). The worker is gevent-websocket's, which Flask-SocketIO
documents for gunicorn with gevent, with one addition: on SIGTERM it drains (see DrainingWorker).

Settings come from the same environment as the app (README's configuration table): HOST, PORT,
SERVER_MAX_CONNECTIONS, SERVER_BACKLOG, SERVER_ACCESS_LOG, SERVER_GRACEFUL_TIMEOUT.
"""

import os
import sys
import time

import gevent
from geventwebsocket.gunicorn.workers import GeventWebSocketWorker
from gunicorn.workers.ggevent import PyWSGIServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from config import Config

_mode = os.environ.get("SOCKETIO_ASYNC_MODE", "gevent")
if _mode != "gevent":
    sys.exit(
        f"gunicorn serves Yishi with gevent, not SOCKETIO_ASYNC_MODE={_mode}: "
        "unset it, or serve another mode with `python wsgi.py` (docs/deploy.md)"
    )
os.environ["SOCKETIO_ASYNC_MODE"] = "gevent"
# wsgi.py, imported by the worker, sees that gunicorn's gevent worker has patched the standard library
os.environ["YISHI_GUNICORN"] = "1"

wsgi_app = "wsgi:app"
_host = os.environ.get("HOST", "127.0.0.1")
bind = [f"{f'[{_host}]' if ':' in _host else _host}:{int(os.environ.get('PORT', '5000'))}"]
workers = 1
worker_connections = Config.SERVER_MAX_CONNECTIONS
backlog = Config.SERVER_BACKLOG
# SIGTERM: stop accepting, send live sockets elsewhere, let requests in flight finish for up to this long
graceful_timeout = int(os.environ.get("SERVER_GRACEFUL_TIMEOUT", 30))
timeout = 30  # a worker that stops reporting for this long (a blocked event loop) is replaced
keepalive = 5
accesslog = "-" if Config.SERVER_ACCESS_LOG else None
errorlog = "-"
loglevel = "info"
proc_name = f"yishi:{os.environ.get('PORT', '5000')}"
# several processes run on one machine: no shared control socket (its default path is per user)
control_socket_disable = True
# the app trusts nginx's X-Forwarded-* itself (ProxyFix, PROXY_HOPS)
forwarded_allow_ips = ""


class _Server(PyWSGIServer):
    """gevent's WSGI server, remembered by the worker so that SIGTERM can close its listener at once."""

    started: list = []

    def start(self):
        super().start()
        _Server.started.append(self)


class DrainingWorker(GeventWebSocketWorker):
    """gevent-websocket's gunicorn worker that drains on SIGTERM.

    gunicorn's gevent worker, told to stop, closes its listener only at its next one-second tick and
    then waits for every connection to end, live sockets included (which never end by themselves) until
    graceful_timeout. This one, at once: closes the listener (nginx's next connection is refused, so it
    goes to the other process), closes every live Socket.IO connection without a goodbye, so that
    browsers and clients reconnect at once (through nginx, to the other process), and lets requests in
    flight finish.
    """

    server_class = _Server

    def handle_exit(self, sig, frame):
        super().handle_exit(sig, frame)
        gevent.spawn(self._drain)

    def _drain(self):
        import wsgi

        servers = list(_Server.started)
        for server in servers:
            # take what the kernel has queued already (closing the listener would reset those), then close
            server.stop_accepting()
            while not server.closed and (accepted := server.do_read()):
                server.do_handle(*accepted)
            server.close()
        closed = wsgi.drain_sockets()
        self.log.info("Draining: listener closed, %d live socket(s) sent elsewhere", closed)
        deadline = time.monotonic() + max(self.cfg.graceful_timeout - 2, 1)
        quiet_since = None
        while time.monotonic() < deadline:
            busy = wsgi.requests_in_flight()
            # connections that are not WebSockets: requests, or accepted and not yet read
            connections = sum(len(server.pool) for server in servers) - wsgi.in_flight.websockets
            if not busy and connections <= 0:
                break
            if busy:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since > 1:
                break  # idle keep-alive connections: no request will come on them
            gevent.sleep(0.02)
        left = wsgi.requests_in_flight()
        if left:
            still = ", ".join(sorted(wsgi.in_flight.requests.values()))
            self.log.warning("Draining: %d request(s) still in flight at the graceful timeout: %s", left, still)
        # what is left: idle keep-alive connections, and WebSockets told to go whose phone has not closed yet
        for server in servers:
            server.stop(timeout=0.5)
        self.log.info("Drained: every request finished")


worker_class = DrainingWorker


def post_worker_init(worker):
    """In the worker, the app loaded: start what every serving process runs beside requests."""
    import wsgi

    wsgi.start_process_tasks(f"gunicorn, pid {os.getpid()}", bind[0])


def child_exit(server, worker):
    """A worker is gone: with several processes sharing PROMETHEUS_MULTIPROC_DIR, its live gauges go too."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
