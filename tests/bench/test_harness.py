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


def test_the_quick_join_storm_gives_both_servers_the_same_clients_and_times_the_page_in_storms_of_its_own(tmp_path):
    out = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [
            *(sys.executable, "-m", "bench", "--quick", "--only", "join", "--modes", "gevent"),
            *("--database", "sqlite", "--redis", "none", "--no-profile", "--no-pin", "--out", str(out)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    join = json.loads(_raw(done.stdout).read_text())["join"]["gevent"]
    for kind in ("yishi", "bare"):
        for n, runs in join[kind].items():
            for row in runs:  # every client joined once, and nothing else asked the server for anything
                assert row["joined"] == int(n) and row["failed"] == 0 and row["page"] is None
                assert row["attendance"] == (int(n) if kind == "yishi" else None)
    largest = max(join["yishi"], key=int)
    (paged,) = join["paged"][largest]
    assert paged["joined"] == int(largest) and paged["page"]["storm"]["n"] > 0 and not paged["page"]["storm_errors"]
    assert "### The room page during the join storm" in out.read_text(encoding="utf-8")
