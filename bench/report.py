"""bench/RESULTS.md from the figures: the machine, every figure, each target PASS or MISS and by how much."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bench import servers

TARGET_N = 500
P99_MS = 250.0
RATIO = 1.5
CAPACITY = 2000
KB_PER_CONNECTION = 100.0
VOTERS = 1000
BALLOTS_PER_SECOND = 500.0
VOTE_P99_MS = 100.0
HTTP_RATIO = 3.0
PAGE_KB = 100.0
PAGE_REQUESTS = 15


def top_frames(path: Path, count: int = 12) -> dict:
    """From py-spy's folded stacks: the busiest leaf frames (self time) and Yishi's own frames (total)."""
    leaf: Counter = Counter()
    ours: Counter = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _space, number = line.rpartition(" ")
        if not stack or not number.isdigit():
            continue
        samples = int(number)
        total += samples
        frames = stack.split(";")
        leaf[_short(frames[-1])] += samples
        seen = set()
        for frame in frames:
            if " (app/" in frame or " (wsgi.py" in frame or "/app/" in frame:
                name = _short(frame)
                if name not in seen:
                    seen.add(name)
                    ours[name] += samples
    return {
        "samples": total,
        "self": [(name, n / total * 100) for name, n in leaf.most_common(count)] if total else [],
        "ours": [(name, n / total * 100) for name, n in ours.most_common(count)] if total else [],
    }


def _short(frame: str) -> str:
    """'speak (/x/site-packages/socketio/server.py:123)' -> 'speak (socketio/server.py:123)'."""
    for marker in ("site-packages/", str(servers.ROOT) + "/", "/lib/python3"):
        if marker in frame:
            head, _m, tail = frame.partition(marker)
            if marker == "/lib/python3":
                tail = "stdlib" + tail[tail.find("/") :]
            return head + tail
    return frame


def ms(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def verdict(value, limit, *, higher_is_better=False, unit="") -> str:
    if value is None:
        return "MISS (no figure)"
    if higher_is_better:
        if value >= limit:
            return f"PASS ({_num(value)}{unit} ≥ {_num(limit)}{unit}, {_pct(value, limit)} margin)"
        return f"MISS by {_num(limit - value)}{unit} ({_num(value)}{unit} < {_num(limit)}{unit}, {_pct(value, limit)})"
    if value <= limit:
        return f"PASS ({_num(value)}{unit} ≤ {_num(limit)}{unit}, {_pct(value, limit)})"
    return f"MISS by {_num(value - limit)}{unit} ({_num(value)}{unit} > {_num(limit)}{unit}, {_pct(value, limit)})"


def _num(x) -> str:
    return f"{x:.0f}" if abs(x) >= 100 else f"{x:.2f}" if abs(x) < 10 else f"{x:.1f}"


def _pct(value, limit) -> str:
    return f"{(value - limit) / limit * 100:+.0f}% of the limit" if limit else ""


def render(info: dict, results: dict, settings) -> str:
    lines: list[str] = []
    add = lines.append
    st = results["settings"]
    add("# Yishi benchmarks (issue 6)")
    add("")
    add(
        "Written by `make bench` (`python -m bench`); do not edit by hand. "
        + ("**Quick run (small N): the figures prove the harness, not the targets.**" if st["quick"] else "")
    )
    add("")
    add("## Machine and run")
    add("")
    add("| | |")
    add("| --- | --- |")
    add(f"| date | {info['date']} |")
    add(f"| git commit | {info['commit']} on `{info['branch']}` |")
    add(f"| CPU | {info['cpu']} |")
    add(f"| cores | {info['logical_cores']} logical, usable {info['usable_cores']} |")
    add(f"| RAM | {info['ram_gb']} GiB |")
    add(f"| load average at start | {', '.join(f'{x:.2f}' for x in info['load_average'])} (the machine is shared) |")
    add(f"| kernel / Python | {info['kernel']} / {info['python']} |")
    add(f"| database | {st['database']} (a scratch database made and dropped by the run) |")
    add(f"| Redis | {st['redis'] or 'none'} (Socket.IO message queue and rate-limit storage, both servers) |")
    pinning = (
        f"server on core {servers.SERVER_CORE}, load and driver on core {servers.CLIENT_CORE}"
        if st["pinned"]
        else "not pinned"
    )
    add(f"| pinning | {pinning} |")
    add(f"| load | python-socketio AsyncClient, websocket transport only, over {st['workers']} worker processes |")
    add(
        f"| fan-out N | eventlet: {', '.join(map(str, st.get('fanout_ns', [])))}; gunicorn, gevent, threading: "
        f"{', '.join(map(str, st.get('other_mode_ns', [])))} (`--all-n` for all) |"
    )
    add(f"| run time | {st['seconds']} s; benchmarks: {', '.join(st['only'])}; modes: {', '.join(st['modes'])} |")
    add("")
    add("Package versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()) + ".")
    add("")
    add(
        "Server settings for the run: `YISHI_CONFIG=production`, `SESSION_COOKIE_SECURE=0`, "
        + ", ".join(f"`{k}={v}`" for k, v in servers.RATE_LIMITS.items())
        + " (rate limits stay on, counted in Redis, but set high so that they do not shape the load). "
        "Clients log in with a signed session cookie made by the setup script (no password hashing in the load)."
    )
    add("")
    for note in results["notes"]:
        add(f"- Note: {note}")
    if results["notes"]:
        add("")

    targets = _targets(results)
    add("## Targets")
    add("")
    add("| # | target | figure | verdict |")
    add("| --- | --- | --- | --- |")
    for row in targets:
        add("| " + " | ".join(row) + " |")
    add("")

    if results.get("join"):
        _join(add, results)
    if results.get("fanout"):
        _fanout(add, results, settings)
    if results.get("http"):
        _http(add, results["http"])
    if results.get("capacity"):
        _capacity(add, results)
    if results.get("votes"):
        _votes(add, results["votes"])
    if len(results.get("fanout") or results.get("capacity") or {}) > 1:
        _modes(add, results)
    if results.get("pageweight"):
        _pageweight(add, results["pageweight"])
    _profiles(add, results)
    if (servers.ROOT / "bench" / "NOTES.md").exists():
        add("## Reading these figures")
        add("")
        add(
            "What limits each missed target, and the fixes proposed, is in [NOTES.md](NOTES.md) "
            "(written by hand from a full run; check it against the figures above)."
        )
        add("")
    return "\n".join(lines) + "\n"


def _settle(row: dict) -> str:
    value = row.get("settle_seconds")
    return "—" if value is None else f"{max(value, 0.0):.2f}"


def _kb(row: dict) -> str:
    """Memory per connection, when enough connections were made for the figure to mean something."""
    if not row or row.get("error"):
        return "—"
    if row["connected"] < row["wanted"] / 2:
        return f"n/a ({row['connected']} connections)"
    return f"{row['kb_per_connection']:.1f} KB"


def _fan_row(results, mode, kind, n):
    return (((results.get("fanout") or {}).get(mode) or {}).get(kind) or {}).get(n) or {}


def _targets(results: dict) -> list[tuple]:
    rows = []
    for mode, out in (results.get("join") or {}).items():
        if out.get("error") or not out.get("yishi"):
            continue
        n = max(out["yishi"], key=int)
        y, b = join_figures(out["yishi"][n]), join_figures(out["bare"].get(n, []))
        ratios = [ya / ba for ya, ba in zip(y["all"], b["all"], strict=False) if ya and ba]
        ratio, p99, size = _median(ratios), _median(y["p99"]), _median(y["bytes"])
        if ratio is not None:
            rows.append(
                (
                    "0",
                    f"join storm N = {n} ({mode}): all acknowledged within 3× the bare server's (median of runs)",
                    f"{_median(y['all']):.2f} / {_median(b['all']):.2f} s = {ratio:.1f}×",
                    verdict(ratio, 3.0, unit="×"),
                )
            )
        if p99 is not None:
            rows.append(("0", f"join p99 ≤ 2 s, N = {n} ({mode})", f"{p99:.0f} ms", verdict(p99, 2000.0, unit=" ms")))
        if size is not None:
            rows.append(("0", f"largest join ack ≤ 20 KB ({mode})", f"{size / 1024:.1f} KB", verdict(size, 20480.0)))
    fan = (results.get("fanout") or {}).get("eventlet") or {}
    if fan:
        y = _fan_row(results, "eventlet", "yishi", TARGET_N)
        b = _fan_row(results, "eventlet", "bare", TARGET_N)
        if fan.get("error"):
            rows.append(("1", "fan-out (eventlet)", fan["error"][:200], "MISS (did not run)"))
        elif y:
            p99 = (y.get("latency") or {}).get("p99")
            complete = y.get("received") == y.get("expected") and not y.get("connect_failed")
            rows.append(
                (
                    "1",
                    f"fan-out p99 ≤ {P99_MS:.0f} ms at N = {TARGET_N} (eventlet)",
                    f"{ms(p99)} ms",
                    verdict(p99, P99_MS, unit=" ms") + ("" if complete else " — not every speech was delivered"),
                )
            )
            for n in sorted(fan.get("yishi", {})):
                yp = (_fan_row(results, "eventlet", "yishi", n).get("latency") or {}).get("p99")
                bp = (_fan_row(results, "eventlet", "bare", n).get("latency") or {}).get("p99")
                ratio = yp / bp if yp and bp else None
                rows.append(
                    (
                        "1",
                        f"Yishi p99 within {RATIO}× of the bare server's, N = {n}",
                        f"{ms(yp)} / {ms(bp)} ms = {ratio:.2f}×" if ratio else "—",
                        verdict(ratio, RATIO, unit="×"),
                    )
                )
        elif not b:
            rows.append(("1", f"fan-out at N = {TARGET_N}", "not measured at this N", "—"))
    cap = ((results.get("capacity") or {}).get("eventlet") or {}).get("yishi") or {}
    if cap:
        if cap.get("error"):
            rows.append(("2", "capacity (eventlet)", cap["error"][:200], "MISS (did not run)"))
        else:
            rows.append(
                (
                    "2",
                    f"{cap['wanted']} authenticated connections, no failed handshake",
                    f"{cap['connected']} connected, {cap['failed']} failed",
                    "PASS"
                    if cap["failed"] == 0 and cap["connected"] == cap["wanted"] >= CAPACITY
                    else f"MISS ({cap['failed']} failed of {cap['wanted']})"
                    if cap["failed"]
                    else f"— (only {cap['wanted']} tried)",
                )
            )
            rows.append(
                (
                    "2",
                    f"memory ≤ {KB_PER_CONNECTION:.0f} KB per connection",
                    f"{cap['kb_per_connection']:.1f} KB",
                    verdict(cap["kb_per_connection"], KB_PER_CONNECTION, unit=" KB"),
                )
            )
    votes = results.get("votes") or {}
    if votes:
        y = votes.get("yishi") or {}
        if votes.get("error") or y.get("error"):
            rows.append(("3", "votes", (votes.get("error") or y.get("error"))[:200], "MISS (did not run)"))
        elif y:
            rows.append(
                (
                    "3",
                    f"{y['voters']} voters × 2 submissions: exactly {y['voters']} ballots stored",
                    f"{y['stored']} stored ({y['stored_voters']} voters), {y['accepted']} acknowledged",
                    "PASS" if y["stored"] == y["voters"] == y["stored_voters"] == y["accepted"] else "MISS",
                )
            )
            rows.append(
                (
                    "3",
                    f"≥ {BALLOTS_PER_SECOND:.0f} ballots/s",
                    f"{y['ballots_per_second']:.0f} /s",
                    verdict(y["ballots_per_second"], BALLOTS_PER_SECOND, higher_is_better=True, unit="/s"),
                )
            )
            bare = votes.get("bare") or {}
            bare_p99 = (bare.get("ack") or {}).get("p99")
            rows.append(
                (
                    "3",
                    f"acknowledgement p99 ≤ {VOTE_P99_MS:.0f} ms (all {y['voters']} voters at one instant)",
                    f"{ms(y['ack']['p99'])} ms (bare server, no database: {ms(bare_p99)} ms)",
                    verdict(y["ack"]["p99"], VOTE_P99_MS, unit=" ms"),
                )
            )
            steady = y.get("steady") or {}
            if steady:
                rows.append(
                    (
                        "3",
                        f"acknowledgement p99 ≤ {VOTE_P99_MS:.0f} ms with voters arriving at "
                        f"{steady['rate']:.0f}/s (2 submissions each); exactly {steady['voters']} stored",
                        f"{ms(steady['ack']['p99'])} ms; {steady['stored']} stored ({steady['stored_voters']} voters)",
                        verdict(steady["ack"]["p99"], VOTE_P99_MS, unit=" ms")
                        if steady["stored"] == steady["voters"] == steady["stored_voters"]
                        else "MISS (count)",
                    )
                )
    http = results.get("http") or {}
    if http:
        idle, busy = http["idle"]["p99"], (http.get("load") or {}).get("p99")
        ratio = busy / idle if busy and idle else None
        rows.append(
            (
                "4",
                f"room page p99 under fan-out N = {http['n']} ≤ {HTTP_RATIO:.0f}× idle",
                f"{ms(busy)} / {ms(idle)} ms = {ratio:.2f}×" if ratio else "—",
                verdict(ratio, HTTP_RATIO, unit="×"),
            )
        )
    for mode in ("gunicorn", "gevent", "threading"):
        fan = (results.get("fanout") or {}).get(mode)
        capm = (results.get("capacity") or {}).get(mode)
        if fan is None and capm is None:
            continue
        problem = (fan or {}).get("error") or (capm or {}).get("error")
        if problem:
            rows.append(("5", f"{mode} mode starts", problem[:200], "MISS (cannot start)"))
        else:
            y = _fan_row(results, mode, "yishi", TARGET_N)
            c = (capm or {}).get("yishi") or {}
            figure = f"fan-out p99 {ms((y.get('latency') or {}).get('p99'))} ms at N = {TARGET_N}"
            if c and not c.get("error"):
                figure += f"; {c['connected']}/{c['wanted']} connections, {_kb(c)} each"
            failed = (c.get("failed") or 0) + sum(
                (r.get("connect_failed") or 0) for r in ((fan or {}).get("yishi") or {}).values()
            )
            rows.append(
                (
                    "5",
                    f"{mode} mode runs benchmarks 1 and 2",
                    figure,
                    "runs (see section 5)" if not failed else f"runs, but {failed} handshakes or joins failed",
                )
            )
    page = results.get("pageweight") or {}
    if page:
        if page.get("error"):
            rows.append(("6", "page weight", page["error"][:200], "MISS (did not run)"))
        else:
            kb = page["body_bytes"] / 1024
            rows.append(
                (
                    "6",
                    f"room page first load ≤ {PAGE_KB:.0f} KB compressed",
                    f"{kb:.1f} KB",
                    verdict(kb, PAGE_KB, unit=" KB"),
                )
            )
            rows.append(
                (
                    "6",
                    f"… in ≤ {PAGE_REQUESTS} requests",
                    f"{page['requests']} requests",
                    verdict(page["requests"], PAGE_REQUESTS),
                )
            )
    return rows


def _fanout(add, results, settings) -> None:
    add("## 1. Fan-out: one speech delivered to every client in the room")
    add("")
    add(
        f"N clients join one consultation room; the chair makes {results['settings']['speeches']} speeches "
        f"(~{settings.body_chars} characters) spaced so that one broadcast ends before the next starts; each "
        "recipient's latency is its receive time minus the send time written into the speech. The bare server "
        "is Flask-SocketIO with no app logic, in the same async mode, broadcasting a payload padded to the "
        "size of Yishi's `message` event, to the same harness, measured right after Yishi at each N."
    )
    add("")
    for mode, fan in results["fanout"].items():
        add(f"### {mode}")
        add("")
        if fan.get("error"):
            add(f"Not available: {fan['error']}")
            add("")
            continue
        add(
            "| N | Yishi p50 | Yishi p99 | bare p50 | bare p99 | p99 ratio | delivered (Yishi / bare) | "
            "speak ack p50 / p99 | all N clients joined, then presence events settled (Yishi / bare) |"
        )
        add("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for n in sorted(fan.get("yishi", {})):
            y, b = fan["yishi"][n], fan["bare"].get(n, {})
            yl, bl = y.get("latency") or {}, b.get("latency") or {}
            ratio = yl["p99"] / bl["p99"] if yl.get("p99") and bl.get("p99") else None
            add(
                f"| {n} | {ms(yl.get('p50'))} | {ms(yl.get('p99'))} | {ms(bl.get('p50'))} | {ms(bl.get('p99'))} | "
                f"{f'{ratio:.2f}×' if ratio else '—'} | {y.get('received')}/{y.get('expected')} / "
                f"{b.get('received')}/{b.get('expected')} | "
                f"{ms((y.get('speak_ack') or {}).get('p50'))} / {ms((y.get('speak_ack') or {}).get('p99'))} ms | "
                f"{y.get('join_seconds')} + {_settle(y)} s / {b.get('join_seconds')} + {_settle(b)} s |"
            )
        add("")
        sizes = {y.get("payload_bytes") for y in fan.get("yishi", {}).values() if y.get("payload_bytes")}
        if sizes:
            add(
                f"Yishi's `message` payload: {', '.join(map(str, sorted(sizes)))} bytes of JSON; "
                "the bare one padded to match."
            )
        problems = [
            f"N = {n} {kind}: {', '.join(row.get('errors') or [])} {', '.join(row.get('refused') or [])}".strip()
            for kind in ("yishi", "bare")
            for n, row in fan.get(kind, {}).items()
            if row.get("connect_failed") or row.get("refused")
        ]
        for p in problems:
            add(f"- {p}")
        add("")


def _http(add, http) -> None:
    add("## 4. HTTP under load: the consultation room page")
    add("")
    idle, busy = http["idle"], http.get("load") or {}
    add(
        f"The room page (`GET /consultations/<id>`, logged in, gzip/br accepted) fetched one request at a time: "
        f"idle (N = {http['n']} clients in the room, no speeches) and again while the fan-out at N = {http['n']} "
        "runs, same run, same server."
    )
    add("")
    add("| | requests | p50 | p99 | max |")
    add("| --- | --- | --- | --- | --- |")
    add(f"| idle | {idle['n']} | {ms(idle['p50'])} | {ms(idle['p99'])} | {ms(idle['max'])} |")
    add(f"| under fan-out | {busy.get('n')} | {ms(busy.get('p50'))} | {ms(busy.get('p99'))} | {ms(busy.get('max'))} |")
    add("")
    during = http.get("fanout_during") or {}
    if during:
        lat = during.get("latency") or {}
        add(
            f"The fan-out during this pass (an extra pass, apart from section 1's figures): p50 {ms(lat.get('p50'))} "
            f"ms, p99 {ms(lat.get('p99'))} ms, {during.get('received')}/{during.get('expected')} delivered."
        )
        add("")
    errors = (http.get("idle_errors") or []) + (http.get("load_errors") or [])
    if errors:
        add(f"Failed requests: {dict(Counter(errors))}")
        add("")


def _capacity(add, results) -> None:
    add("## 2. Capacity: concurrent authenticated connections in one process")
    add("")
    add(
        "Each client connects to `/consultations` with a session cookie (an authenticated handshake: the "
        "namespace refuses anonymous users). Memory per connection is the server's RSS growth (psutil) from "
        "after a warm-up connection to 2 s after the last connection, divided by the connections made."
    )
    add("")
    add(
        "| mode | server | connected | failed | time to connect all | handshake p50 / p99 | RSS before → after "
        "| per connection |"
    )
    add("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for mode, out in results["capacity"].items():
        if out.get("error"):
            add(f"| {mode} | — | not available: {out['error']} | | | | | |")
            continue
        for kind in ("yishi", "bare"):
            row = out.get(kind) or {}
            if row.get("error"):
                add(f"| {mode} | {kind} | {row['error'][:150]} | | | | | |")
                continue
            if not row:
                continue
            hs = row["handshake_ms"]
            per = (
                f"{row['kb_per_connection']:.1f} KB"
                if row["connected"] >= row["wanted"] / 2
                else f"n/a ({row['connected']} connections)"
            )
            add(
                f"| {mode} | {kind} | {row['connected']}/{row['wanted']} | {row['failed']} | {row['seconds']} s | "
                f"{ms(hs['p50'])} / {ms(hs['p99'])} ms | {row['rss_before_mb']:.1f} → {row['rss_after_mb']:.1f} MiB | "
                f"{per} |"
            )
            if row.get("errors"):
                add(f"| | | first errors: {'; '.join(e.replace('|', '/') for e in row['errors'][:3])} | | | | | |")
    add("")


def _votes(add, votes) -> None:
    add("## 3. Votes: every voter submits twice at once (PostgreSQL)")
    add("")
    if votes.get("error"):
        add(f"Not run: {votes['error']}")
        add("")
        return
    add(
        "Voters are verified residents connected to `/consultations`, not joined to the room (each ballot "
        "still broadcasts the live count `motion` event to the room). At one instant every voter emits `vote` "
        "twice without waiting; ballots per second = voters acknowledged ÷ (last acknowledgement − first "
        "emit). The baseline is the bare server acknowledging the same `vote` events at once (no database)."
    )
    add("")
    add(
        "| server | voters | submissions | acks ok | voters acknowledged | same receipt both times | stored ballots "
        "| seconds | ballots/s | ack p50 | ack p99 | errors |"
    )
    add("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for kind in ("yishi", "bare"):
        row = votes.get(kind) or {}
        if not row:
            continue
        if row.get("error"):
            add(f"| {kind} | {row['error'][:200]} | | | | | | | | | | |")
            continue
        for label, figures in ((kind, row), (f"{kind}, steady", row.get("steady"))):
            if figures:
                add(
                    f"| {label} | {figures['voters']} | {figures['submissions']} | {figures['acks_ok']} | "
                    f"{figures['accepted']} | {figures['same_receipt_twice']} | "
                    f"{figures['stored'] if figures['stored'] is not None else '—'} | {figures['seconds']:.2f} | "
                    f"{figures['ballots_per_second']:.0f} | {ms(figures['ack']['p50'])} | "
                    f"{ms(figures['ack']['p99'])} | {figures['errors'] or 'none'} |"
                )
    add("")
    steady = (votes.get("yishi") or {}).get("steady")
    if steady:
        add(
            f"The *steady* rows: the same voters vote on a second motion, arriving at {steady['rate']:.0f} voters "
            "per second (each still submits twice at once), so the acknowledgement time is the time one vote "
            "takes at the target rate rather than its place in a queue of every vote at once."
        )
        add("")


def _modes(add, results) -> None:
    add("## 5. Async modes side by side")
    add("")
    add("| mode | fan-out p99 by N (Yishi / bare, ms) | capacity (Yishi) | KB per connection (Yishi / bare) |")
    add("| --- | --- | --- | --- |")
    modes = list(dict.fromkeys([*(results.get("fanout") or {}), *(results.get("capacity") or {})]))
    for mode in modes:
        fan = (results.get("fanout") or {}).get(mode) or {}
        cap = (results.get("capacity") or {}).get(mode) or {}
        if fan.get("error") or cap.get("error"):
            add(f"| {mode} | cannot start: {fan.get('error') or cap.get('error')} | | |")
            continue
        cells = []
        for n in sorted(fan.get("yishi", {})):
            yp = (fan["yishi"][n].get("latency") or {}).get("p99")
            bp = ((fan.get("bare", {}).get(n) or {}).get("latency") or {}).get("p99")
            cells.append(f"{n}: {ms(yp)} / {ms(bp)}")
        y, b = cap.get("yishi") or {}, cap.get("bare") or {}
        capacity = y.get("error") or (f"{y['connected']}/{y['wanted']}, {y['failed']} failed" if y else "—")
        per = f"{_kb(y)} / {_kb(b)}"
        add(f"| {mode} | {'; '.join(cells) or fan.get('error', '—')} | {capacity} | {per} |")
    add("")


def _pageweight(add, page) -> None:
    add("## 6. Page weight: the room's first load")
    add("")
    if page.get("error"):
        add(f"Not measured: {page['error']}")
        add("")
        return
    add(
        "Chromium (/usr/bin/chromium, headless, 390 px wide, empty cache, `Accept-Encoding: gzip, br`) loads "
        "the consultation room logged in; every finished request is listed with its body as transferred "
        "(compressed if the server compressed it). The Socket.IO transport itself (the websocket) is not page weight."
    )
    add("")
    add(
        f"Total: **{page['requests']} requests, {page['body_bytes'] / 1024:.1f} KB of bodies** "
        f"(+ {page['header_bytes'] / 1024:.1f} KB of response headers); page status {page['status']}."
    )
    add("")
    add("| request | type | status | bytes | content-encoding | cache-control |")
    add("| --- | --- | --- | --- | --- | --- |")
    for row in page["rows"]:
        add(
            f"| `{row['url'][:90]}` | {row['type']} | {row['status']} | {row['body_bytes']} | "
            f"{row['encoding'] or 'none'} | {row['cache_control'] or '—'} |"
        )
    add("")
    if page.get("transport"):
        add("Socket.IO transport requests (not counted): " + ", ".join(f"`{r['url'][:60]}`" for r in page["transport"]))
    if page.get("websockets"):
        add(f"WebSockets opened: {len(page['websockets'])}.")
    if page.get("failed"):
        add("Failed requests: " + "; ".join(page["failed"][:5]))
    add("")


def _median(values: list) -> float | None:
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def _spread(values: list, unit: str = "", digits: int = 2) -> str:
    """median (min–max over the runs)."""
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}{unit}"
    return f"{_median(values):.{digits}f}{unit} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def join_figures(runs: list[dict]) -> dict:
    """Each storm's figures over its runs: all acknowledged (s), p50 and p99 join (ms), ack bytes."""
    return {
        "all": [r.get("all_seconds") for r in runs],
        "p50": [(r.get("join_ms") or {}).get("p50") for r in runs],
        "p99": [(r.get("join_ms") or {}).get("p99") for r in runs],
        "bytes": [(r.get("ack_bytes") or {}).get("max") for r in runs],
        "failed": sum((r.get("failed") or 0) + (r.get("connect_failed") or 0) for r in runs),
        "retries": sum(r.get("retries") or 0 for r in runs),
        "attendance": [r.get("attendance") for r in runs],
    }


def _join(add, results) -> None:
    add("## 0. Join storm: N clients, already connected, all ask to join one room at the same instant")
    add("")
    add(
        "Each run uses a room nobody has attended yet (200 speeches of history) and N connected clients that "
        'send `join` (no `after_id`) at one instant; "all acknowledged" is from that instant to the last '
        "acknowledgement. The bare server (Flask-SocketIO, same async mode, `join_room` and an answer) sees the "
        'same clients right after. A client answered "busy, retry after" waits as the web client does and '
        "asks again (its join time includes the wait). Figures: median (min–max) over the runs."
    )
    add("")
    for mode, out in results["join"].items():
        add(f"### {mode}")
        add("")
        if out.get("error"):
            add(f"Not available: {out['error']}")
            add("")
            continue
        add(
            "| N | runs | all acknowledged, Yishi | bare | ratio | join p50 Yishi / bare (ms) | "
            "join p99 Yishi / bare (ms) | largest ack Yishi / bare (B) | failed, retried (Yishi) | attendance rows |"
        )
        add("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for n in sorted(out.get("yishi", {}), key=int):
            y, b = join_figures(out["yishi"][n]), join_figures(out["bare"].get(n, []))
            ratios = [ya / ba for ya, ba in zip(y["all"], b["all"], strict=False) if ya and ba]
            add(
                f"| {n} | {len(y['all'])} | {_spread(y['all'], ' s')} | {_spread(b['all'], ' s')} | "
                f"{_spread(ratios, '×', 1)} | {_spread(y['p50'], '', 0)} / {_spread(b['p50'], '', 0)} | "
                f"{_spread(y['p99'], '', 0)} / {_spread(b['p99'], '', 0)} | "
                f"{_spread(y['bytes'], '', 0)} / {_spread(b['bytes'], '', 0)} | {y['failed']}, {y['retries']} | "
                f"{', '.join(str(a) for a in y['attendance'])} |"
            )
        add("")
        errors = [
            e
            for kind in ("yishi", "bare")
            for runs in out.get(kind, {}).values()
            for r in runs
            for e in r.get("errors") or []
        ]
        for e in errors[:5]:
            add(f"- {e}")
        if errors:
            add("")


def _profiles(add, results) -> None:
    found = []
    for mode, out in (results.get("join") or {}).items():
        for n, runs in (out.get("yishi") or {}).items():
            for row in runs:
                if row.get("profile"):
                    found.append((f"join storm, {mode}, N = {n} (Yishi server)", row["profile"]))
    for mode, fan in (results.get("fanout") or {}).items():
        for n, row in (fan.get("yishi") or {}).items():
            if row.get("profile"):
                found.append((f"fan-out, {mode}, N = {n} (Yishi server)", row["profile"]))
    votes = (results.get("votes") or {}).get("yishi") or {}
    if votes.get("profile"):
        found.append(("votes (Yishi server)", votes["profile"]))
    if not found:
        return
    add("## Profiles (py-spy record of the server process, 50 Hz)")
    add("")
    for title, prof in found:
        add(f"### {title}")
        add("")
        if prof.get("error"):
            add(f"py-spy: {prof['error']}")
            add("")
            continue
        add(f"{prof['samples']} samples. Busiest frames (self time):")
        add("")
        for name, pct in prof["self"]:
            add(f"- {pct:.1f}% `{name}`")
        add("")
        add("Yishi's own frames (time including callees):")
        add("")
        for name, pct in prof["ours"]:
            add(f"- {pct:.1f}% `{name}`")
        add("")
