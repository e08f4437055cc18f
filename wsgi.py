"""The server entry point.

Production: gunicorn with one gevent worker per process (`gunicorn -c gunicorn.conf.py`, `make serve`,
deploy/): gunicorn's worker patches the standard library before it imports this module, which then
makes psycopg2 cooperative (psycogreen), so a PostgreSQL query waits without blocking the event loop.

`python wsgi.py` serves in the mode SOCKETIO_ASYNC_MODE names: threading by default in development,
gevent by default in production, eventlet for those who choose it. Run as a script, this module patches
the standard library itself, before anything else is imported, as both eventlet and gevent require.
Besides gunicorn.conf.py, this is the only module that imports eventlet or gevent.
"""

import contextlib
import gc
import os
import socket

_mode = os.environ.get("SOCKETIO_ASYNC_MODE") or (
    "gevent" if os.environ.get("YISHI_CONFIG") == "production" else "threading"
)
if __name__ != "__main__" and os.environ.get("YISHI_GUNICORN") == "1":
    # Imported by gunicorn's gevent worker (gunicorn.conf.py), which has patched the standard library.
    from psycogreen.gevent import patch_psycopg

    patch_psycopg()
    _mode = os.environ["SOCKETIO_ASYNC_MODE"] = "gevent"
elif __name__ != "__main__":
    # Imported, not run: the `flask` command (FLASK_APP=wsgi.py) migrating or loading data. It serves
    # nothing, and patching after Flask is imported would be too late, so it runs threaded.
    _mode = os.environ["SOCKETIO_ASYNC_MODE"] = "threading"
elif _mode == "eventlet":
    import eventlet

    eventlet.monkey_patch()
    from psycogreen.eventlet import patch_psycopg

    patch_psycopg()
elif _mode == "gevent":
    from gevent import monkey

    monkey.patch_all()
    from psycogreen.gevent import patch_psycopg

    patch_psycopg()
os.environ.setdefault("SOCKETIO_ASYNC_MODE", _mode)  # the config reads the same mode

from app import create_app  # noqa: E402
from app.accounts import sessions  # noqa: E402
from app.core import presence  # noqa: E402
from app.core.realtime import start_control_listener  # noqa: E402
from app.core.serving import InFlight, raise_open_files_limit  # noqa: E402
from app.extensions import socketio  # noqa: E402
from app.voting import services as voting  # noqa: E402

app = create_app()
in_flight = app.wsgi_app = InFlight(app.wsgi_app)  # outermost: every request, sockets included


def start_process_tasks(server: str, address: str) -> None:
    """What every serving process runs beside its requests, started once per process: the control
    listener (logins ended in other processes), the login sweep, the presence heartbeat and the ballot
    sealer."""
    max_connections = app.config["SERVER_MAX_CONNECTIONS"]
    soft, _hard = raise_open_files_limit(max_connections)
    start_control_listener(app)
    sessions.start_sweeper(app)
    presence.start_heartbeat(app)
    voting.start_sealer(app)
    # What is loaded by now (the app, its routes, SQLAlchemy's mappers) lives as long as the process: out
    # of the collector's sight, and collections rarer, so that a full collection does not stall a busy room.
    gc.freeze()
    gc.set_threshold(*app.config["SERVER_GC_THRESHOLD"])
    print(
        f"Yishi is serving on http://{address} ({server}, async mode: {socketio.async_mode}, "
        f"up to {max_connections} connections, open files limit {soft})",
        flush=True,
    )


def drain_sockets() -> int:
    """Close this process's live Socket.IO connections as a dropped connection would (no goodbye), so
    that browsers and clients reconnect at once, to another process; returns how many were closed."""
    eio = socketio.server.eio
    sockets = list(eio.sockets.values())
    for sock in sockets:
        with contextlib.suppress(Exception):  # one broken socket must not keep the others open
            sock.close(wait=False, abort=True, reason=eio.reason.TRANSPORT_CLOSE)
    return len(sockets)


def requests_in_flight() -> int:
    """Requests this process is serving now (a live WebSocket counts until it closes)."""
    return in_flight.count


def no_delay(listener):
    """The listening socket sends each write at once (TCP_NODELAY, which the connections it accepts inherit), as
    gunicorn's does: without it a page's last small write waited for the browser's delayed acknowledgement, ~40 ms
    on every page under gevent."""
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return listener


def serve(host: str, port: int) -> None:
    """Serve on host:port in the configured async mode until stopped (`python wsgi.py`)."""
    mode = socketio.async_mode
    max_connections = app.config["SERVER_MAX_CONNECTIONS"]
    backlog = app.config["SERVER_BACKLOG"]
    access_log = app.config["SERVER_ACCESS_LOG"]
    start_process_tasks("python wsgi.py", f"{host}:{port}")
    if mode == "eventlet":
        import eventlet.wsgi

        listener = eventlet.listen((host, port), backlog=backlog)
        no_delay(listener)
        # max_size: eventlet's default pool holds 1024 connections; a live room needs one per phone
        eventlet.wsgi.server(listener, app, max_size=max_connections, log_output=access_log)
    elif mode == "gevent":
        from gevent.pool import Pool
        from gevent.pywsgi import WSGIServer
        from geventwebsocket.handler import WebSocketHandler

        listener = no_delay(socket.create_server((host, port), backlog=backlog))  # gevent's socket (patched)
        server = WSGIServer(
            listener,
            app,
            handler_class=WebSocketHandler,
            spawn=Pool(max_connections),
            log="default" if access_log else None,
        )
        server.serve_forever()
    else:
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, log_output=access_log)


def main() -> None:
    serve(os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "5000")))


if __name__ == "__main__":
    main()
