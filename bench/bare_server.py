"""The baseline: a bare Flask-SocketIO server, the same stack as wsgi.py but no Yishi logic.

    SOCKETIO_ASYNC_MODE=eventlet PORT=5123 [REDIS_URL=...] python bench/bare_server.py

It speaks the /consultations event names the load uses: `join` enters one room, `speak`
broadcasts the speech to the room (padded to the size Yishi's `message` payload has, given
as `pad`), `vote` answers a receipt at once. Patching comes first, as in wsgi.py.
"""

import os

_mode = os.environ.get("SOCKETIO_ASYNC_MODE", "eventlet")
if _mode == "eventlet":
    import eventlet

    eventlet.monkey_patch()
elif _mode == "gevent":
    from gevent import monkey

    monkey.patch_all()

from flask import Flask  # noqa: E402
from flask_socketio import SocketIO, emit, join_room  # noqa: E402

app = Flask(__name__)
socketio = SocketIO(
    app,
    async_mode=_mode,
    message_queue=os.environ.get("REDIS_URL") or None,
    channel=os.environ.get("SOCKETIO_CHANNEL") or "flask-socketio",  # a run's own (bench/servers.py)
    cors_allowed_origins="*",
)
NAMESPACE = "/consultations"
ROOM = "room"


@app.route("/healthz")
def healthz():
    return {"ok": True}


@socketio.on("connect", namespace=NAMESPACE)
def connect(auth=None):
    return True


@socketio.on("join", namespace=NAMESPACE)
def join(data):
    join_room(ROOM)
    return {"ok": True}


@socketio.on("speak", namespace=NAMESPACE)
def speak(data):
    emit("message", {"body": data.get("body", ""), "pad": data.get("pad", "")}, to=ROOM)
    return {"ok": True}


@socketio.on("vote", namespace=NAMESPACE)
def vote(data):
    return {"ok": True, "receipt": "BENCHRECEIPT"}


if __name__ == "__main__":
    options = {"allow_unsafe_werkzeug": True} if _mode == "threading" else {}
    if _mode == "eventlet":
        options["max_size"] = int(os.environ.get("EVENTLET_MAX_SIZE", "10000"))
    port = int(os.environ.get("PORT", "5123"))
    print(f"bare server on {port} ({socketio.async_mode})", flush=True)
    socketio.run(app, host="127.0.0.1", port=port, **options)
