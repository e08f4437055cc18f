"""The server entry point: `python wsgi.py` serves Yishi with Socket.IO.

The async mode comes from SOCKETIO_ASYNC_MODE. This is the only module that
imports eventlet or gevent, and it patches the standard library before
anything else is imported, as both require.
"""

import os

_mode = os.environ.get("SOCKETIO_ASYNC_MODE") or (
    "eventlet" if os.environ.get("YISHI_CONFIG") == "production" else "threading"
)
if _mode == "eventlet":
    import eventlet

    eventlet.monkey_patch()
elif _mode == "gevent":
    from gevent import monkey

    monkey.patch_all()

from app import create_app  # noqa: E402
from app.core.realtime import start_control_listener  # noqa: E402
from app.extensions import socketio  # noqa: E402

app = create_app()


def main() -> None:
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    start_control_listener(app)
    print(f"Yishi is serving on http://{host}:{port} (async mode: {socketio.async_mode})", flush=True)
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=socketio.async_mode == "threading")


if __name__ == "__main__":
    main()
