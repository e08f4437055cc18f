"""The benchmark harness runs end to end on tiny N (threading mode, and gunicorn as production serves;
SQLite, no Redis): CI proves that `make bench` works without asserting any timing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("mode", ["threading", "gunicorn"])  # gunicorn: production's server (gevent)
def test_the_quick_harness_measures_fanout_and_capacity_and_writes_results(tmp_path, mode):
    out = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--quick",
            "--only",
            "fanout,capacity",
            "--modes",
            mode,
            "--database",
            "sqlite",
            "--redis",
            "none",
            "--no-profile",
            "--no-pin",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    assert "## 1. Fan-out" in text and "## 2. Capacity" in text
    raw = json.loads(_raw(done.stdout).read_text())
    fan = raw["fanout"][mode]
    for kind in ("yishi", "bare"):
        for row in fan[kind].values():
            # every speech reached every client in the room, and each has a latency
            assert row["connect_failed"] == 0 and row["refused"] == []
            assert row["received"] == row["expected"] == row["clients"] * row["speeches"] > 0
            assert row["latency"]["n"] == row["received"]
    capacity = raw["capacity"][mode]["yishi"]
    assert capacity["connected"] == capacity["wanted"] and capacity["failed"] == 0


def _raw(stdout: str) -> Path:
    """The driver prints where it left the raw figures (results.json)."""
    line = [x for x in stdout.splitlines() if "raw figures:" in x][-1]
    return Path(line.split("raw figures: ")[1].rstrip(")"))
