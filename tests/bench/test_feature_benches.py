"""The benchmarks the feature pages document run end to end in CI, small: `python -m bench.slow` (the slow
consultation page with 500 replies and 300 positions) and `python -m bench.meeting_signin` (a meeting's sign-in
burst under gunicorn). They leave RESULTS.md alone (`--no-write`); what is asserted is what they count, never a
time. `python -m bench.district_scale --scale 0.01` (the district dashboard on a hundredth of the district) too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgres]


def _run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def test_the_slow_page_bench_measures_the_page_it_names():
    done = _run(["bench.slow", os.environ["TEST_DATABASE_URL"], "--repeats", "3", "--no-write"])
    figures = json.loads(done.stdout[done.stdout.index("{") :])
    assert figures["repeats"] == 3
    slow = [row for label, row in figures["rows"].items() if label.startswith("slow page")]
    assert slow and all(row["bytes"] > 0 and row["p95"] >= row["p50"] > 0 for row in slow), slow
    assert any(not label.startswith("slow page") for label in figures["rows"]), "the baseline in the same run"


def test_the_sign_in_bench_signs_everyone_in_once():
    done = _run(
        ["bench.meeting_signin", "--people", "20", "--spread", "2", "--no-write"],
        env={"BENCH_DATABASE_URL": os.environ["TEST_DATABASE_URL"]},
    )
    runs = {}
    for line in done.stdout.splitlines():
        label, brace, rest = line.partition(" {")
        if brace:
            runs[label] = json.loads("{" + rest)
    within, again, at_once = (
        runs["20 scans at random within 2 s"],
        runs["the same people scan again (refused)"],
        (runs["20 scans at once (another meeting)"]),
    )
    assert within["failures"] == 0 and within["rows"] == 20 and within["statuses"] == {"302": 20}, within
    assert again["failures"] == 0 and again["rows"] == 20 and again["statuses"] == {"409": 20}, again
    assert at_once["failures"] == 0 and at_once["rows"] == 20, at_once


def test_the_survey_count_bench_counts_exactly():
    done = _run(
        ["bench.survey_count", os.environ["TEST_DATABASE_URL"], "--responses", "300", "--repeats", "2", "--no-write"]
    )
    figures = json.loads(done.stdout[done.stdout.index("{") :])
    assert figures["responses"] == 300 and all(figures["exact"].values()), figures["exact"]
    assert figures["baseline"]["p50"] > 0 and figures["results"]["p50"] > 0, "the baseline in the same run"


def test_the_district_scale_bench_generates_the_district_and_counts_exactly():
    done = _run(
        ["bench.district_scale", os.environ["TEST_DATABASE_URL"], "--scale", "0.01", "--repeats", "2", "--no-write"]
    )
    figures = json.loads(done.stdout[done.stdout.index("{") :])
    counts = figures["counts"]
    assert counts["communities"] == 4 and counts["households"] == 400 and counts["consultations"] == 20, counts
    assert counts["speeches"] == 2000 and counts["ballots"] == counts["participations"] > 0, counts
    assert counts["survey_participations"] > 0 and counts["survey_answers"] == 2 * counts["survey_participations"]
    assert figures["exact"] and all(figures["exact"].values()), figures["exact"]
    rows = figures["rows"]
    assert set(rows) == {"district dashboard", "street dashboard", "community dashboard (the busiest)",
                         "baseline: the community's home page"}  # fmt: skip
    assert all(row["bytes"] > 0 and row["p95"] >= row["p50"] > 0 for row in rows.values()), rows
    assert figures["explain"] and all(found["plan"] for found in figures["explain"])
