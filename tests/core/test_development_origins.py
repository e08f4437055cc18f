"""In development the allowed socket origins follow HOST and PORT (`PORT=5101 make run` is live)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import development_origins

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("127.0.0.1", "5101", ["http://127.0.0.1:5101", "http://localhost:5101"]),
        ("localhost", "8000", ["http://127.0.0.1:8000", "http://localhost:8000"]),
        ("192.168.1.20", "5000", ["http://192.168.1.20:5000"]),
        ("::1", "5000", ["http://[::1]:5000"]),
        ("0.0.0.0", "5000", ["*"]),  # every address of the machine: a phone on the same network
    ],
)
def test_origins_follow_where_the_server_listens(host, port, expected):
    assert development_origins(host, port) == expected


def _origins(config: str, **env) -> list[str]:
    """The origins a fresh process reads from this environment (config.py reads it at import)."""
    base = {k: v for k, v in os.environ.items() if k not in {"HOST", "PORT", "SOCKETIO_ALLOWED_ORIGINS"}}
    code = f"import json, config; print(json.dumps(config.{config}.SOCKETIO_ALLOWED_ORIGINS))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_development_reads_host_and_port_unless_origins_are_set():
    assert _origins("DevelopmentConfig", PORT="5101") == ["http://127.0.0.1:5101", "http://localhost:5101"]
    assert _origins("DevelopmentConfig", PORT="5101", SOCKETIO_ALLOWED_ORIGINS="https://a.example") == [
        "https://a.example"
    ]
    # production never guesses from the port
    assert not any("5101" in origin for origin in _origins("ProductionConfig", PORT="5101"))
