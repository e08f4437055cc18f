"""`python -m bench --quick --only search` runs end to end on SQLite and writes its own section of RESULTS.md,
leaving the rest of the file as it was (no timing asserted: CI proves the harness works)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_quick_search_benchmark_writes_its_section(tmp_path):
    out = tmp_path / "RESULTS.md"
    out.write_text("# Results\n\n## 1. Fan-out\n\nkept\n", encoding="utf-8")
    args = [sys.executable, "-m", "bench", "--quick", "--only", "search", "--database", "sqlite", "--out", str(out)]
    for _ in range(2):  # the second run replaces the section, not appends another
        done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Results\n\n## 1. Fan-out\n\nkept\n")
    assert text.count("## Search: 100 ideas and 1,000 speeches in one community") == 1
    assert "### sqlite" in text and "| 2 chars, common (电梯) | " in text
    assert "### postgresql: not run" in text
