"""`bench/notice_delivery.py --quick` runs end to end in CI (PostgreSQL, Redis): its documented commands,
`flask yishi worker --burst` and `flask yishi tick`, deliver a notice to every home exactly once, also after
the worker is SIGKILLed mid-run. No timing is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_the_quick_notice_bench_reaches_every_home_once_after_a_kill(tmp_path):
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.notice_delivery",
            "--quick",
            "--kill-runs",
            "1",
            "--database",
            os.environ["TEST_DATABASE_URL"],
            "--redis",
            os.environ["TEST_REDIS_URL"],
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["homes"] == 6
    assert figures["run1"]["sms_exactly_once"] and figures["run1"]["email_exactly_once"]
    [run] = figures["kill_runs"]
    assert run["final"] == {"email sent": 6, "sms sent": 6}, run
    assert run["sms_exactly_once"] and run["email_exactly_once"], run
    assert run["sms_most_to_one"] == run["email_most_to_one"] == 1
    assert "kill runs reaching every home exactly once: SMS 1/1, email 1/1" in done.stdout
