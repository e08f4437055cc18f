"""What the bench's parts share: the speaker (the chair's client that makes the speeches and times them) and
how a run's figures are summarised and printed (bench/run.py and bench/twoproc.py both read them)."""

from __future__ import annotations

import contextlib
import json
import time
import uuid

from bench import load


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(round(p / 100.0 * len(ordered) + 0.5) - 1, 0)
    return ordered[min(rank, len(ordered) - 1)]


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p99": percentile(values, 99),
        "max": max(values) if values else None,
    }


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def fmt(value) -> str:
    return "—" if value is None else f"{value:.1f}"


class Speaker:
    """One client (the chair, for Yishi) that makes the speeches and times them."""

    def __init__(self, server, cookie_name: str, cookie: str, consultation_id: int, insecure: bool = False):
        import socketio

        self.server = server
        self.consultation_id = consultation_id
        self.payload_bytes: int | None = None
        # insecure: through the bench's nginx, whose certificate is its own (bench/twoproc.py)
        self.client = socketio.Client(reconnection=False, **({"ssl_verify": False} if insecure else {}))
        self.client.on("message", self._own_message, namespace=load.NAMESPACE)
        self.client.on("*", lambda *a: None, namespace=load.NAMESPACE)
        self.client.connect(
            server.url,
            headers={"Cookie": f"{cookie_name}={cookie}"},
            transports=["websocket"],
            namespaces=[load.NAMESPACE],
            wait_timeout=30,
        )
        answer = self.client.call("join", {"consultation_id": consultation_id}, namespace=load.NAMESPACE, timeout=60)
        if not (isinstance(answer, dict) and answer.get("ok")):
            raise RuntimeError(f"the speaker could not join: {answer}")
        self.pad = ""

    def _own_message(self, data):
        if self.payload_bytes is None:
            self.payload_bytes = len(json.dumps(data, separators=(",", ":")).encode())

    def match_payload(self, size: int | None, body_chars: int) -> None:
        """Pad the bare server's broadcast to the size of Yishi's `message` payload."""
        if not size:
            return
        body = load.speech_body(0, body_chars)
        bare = len(json.dumps({"body": body, "pad": ""}, separators=(",", ":")).encode())
        self.pad = "x" * max(size - bare, 0)

    def speak(self, seq: int, body_chars: int) -> tuple[bool, float, str]:
        body = load.speech_body(seq, body_chars)
        if self.server.kind == "yishi":
            data = {"consultation_id": self.consultation_id, "client_id": f"bench-{uuid.uuid4().hex}", "body": body}
        else:
            data = {"body": body, "pad": self.pad}
        start = time.monotonic()
        answer = self.client.call("speak", data, namespace=load.NAMESPACE, timeout=60)
        took = (time.monotonic() - start) * 1000.0
        ok = isinstance(answer, dict) and bool(answer.get("ok"))
        return ok, took, "" if ok else str(answer)[:200]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.disconnect()
