"""The two-process run of `make bench` (bench/twoproc.py) end to end on tiny N: the shipped nginx configuration
in front of one and then two gunicorn processes on PostgreSQL and Redis, and the bare server likewise. What is
asserted is what it counts (every client split over both processes, every join, delivery and ballot), never a
time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.conftest import require_nginx

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_the_quick_two_process_run_counts_every_join_delivery_and_ballot(tmp_path):
    require_nginx()
    out = tmp_path / "RESULTS.md"
    done = subprocess.run(  # docs/deploy.md: python -m bench --only twoproc (here --quick)
        [
            sys.executable,
            "-m",
            "bench",
            "--quick",
            "--only",
            "twoproc",
            "--database",
            os.environ["TEST_DATABASE_URL"],
            "--redis",
            os.environ["TEST_REDIS_URL"],
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
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "## 7. Two processes behind nginx" in out.read_text(encoding="utf-8")
    line = [x for x in done.stdout.splitlines() if "raw figures:" in x][-1]
    raw = json.loads(Path(line.split("raw figures: ")[1].rstrip(")")).read_text())
    twoproc = raw["twoproc"]
    n = twoproc["n"]
    assert set(twoproc["layouts"]) == {"yishi-2", "bare-2"}  # --quick: two processes only
    for name, layout in twoproc["layouts"].items():
        assert "error" not in layout, (name, layout.get("error"))
        assert layout["connect"]["connected"] == n and layout["connect"]["failed"] == 0, name
        # nginx's hash of the client's address sent clients to every process of the layout
        assert sum(layout["split"].values()) == n and len(layout["split"]) == layout["processes"], layout["split"]
        assert all(count > 0 for count in layout["split"].values()), layout["split"]
        assert len(layout["joins"]) == len(layout["fanout"]) == len(layout["votes"]) == twoproc["repeats"] >= 1
        for join in layout["joins"]:
            assert join["joined"] == n and join["failed"] == 0, join
            if layout["kind"] == "yishi":
                assert join["attendance"] == n  # a room nobody had attended: one row per client
        for fan in layout["fanout"]:
            # every speech reached every client, across the processes (the Redis message queue)
            assert fan["received"] == fan["expected"] == n * fan["speeches"] > 0, fan
        for vote in layout["votes"]:
            assert vote["accepted"] == n and vote["same_receipt_twice"] == n, vote
            if layout["kind"] == "yishi":
                assert vote["stored"] == vote["stored_voters"] == n, vote
