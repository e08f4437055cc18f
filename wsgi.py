"""The server entry point: `python wsgi.py` serves Yishi with Socket.IO.

The async mode comes from SOCKETIO_ASYNC_MODE (eventlet by default in
production, gevent and threading supported). This is the only module that
imports eventlet or gevent: it patches the standard library before anything
else is imported, as both require, and makes psycopg2 cooperative
(psycogreen), so a PostgreSQL query waits without blocking the event loop.
"""

import gc
import os

_mode = os.environ.get("SOCKETIO_ASYNC_MODE") or (
    "eventlet" if os.environ.get("YISHI_CONFIG") == "production" else "threading"
)
if __name__ != "__main__":
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
from app.core import presence  # noqa: E402
from app.core.realtime import start_control_listener  # noqa: E402
from app.core.serving import raise_open_files_limit  # noqa: E402
from app.extensions import socketio  # noqa: E402
from app.voting import services as voting  # noqa: E402

app = create_app()


def serve(host: str, port: int) -> None:
    """Serve on host:port in the configured async mode until stopped."""
    mode = socketio.async_mode
    max_connections = app.config["SERVER_MAX_CONNECTIONS"]
    backlog = app.config["SERVER_BACKLOG"]
    access_log = app.config["SERVER_ACCESS_LOG"]
    soft, _hard = raise_open_files_limit(max_connections)
    start_control_listener(app)
    presence.start_heartbeat(app)
    voting.start_sealer(app)
    # What is loaded by now (the app, its routes, SQLAlchemy's mappers) lives as long as the process: out
    # of the collector's sight, and collections rarer, so that a full collection does not stall a busy room.
    gc.freeze()
    gc.set_threshold(*app.config["SERVER_GC_THRESHOLD"])
    print(
        f"Yishi is serving on http://{host}:{port} (async mode: {mode}, "
        f"up to {max_connections} connections, open files limit {soft})",
        flush=True,
    )
    if mode == "eventlet":
        import eventlet.wsgi

        listener = eventlet.listen((host, port), backlog=backlog)
        # max_size: eventlet's default pool holds 1024 connections; a live room needs one per phone
        eventlet.wsgi.server(listener, app, max_size=max_connections, log_output=access_log)
    elif mode == "gevent":
        from gevent.pool import Pool
        from gevent.pywsgi import WSGIServer
        from geventwebsocket.handler import WebSocketHandler

        server = WSGIServer(
            (host, port),
            app,
            backlog=backlog,
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
