"""bench/RESULTS.md from the figures: the machine, every figure, each target PASS or MISS and by how much."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bench import servers

TARGET_N = 500
P99_MS = 250.0
RATIO = 1.5
CAPACITY = 2000
KB_PER_CONNECTION = 60.0  # issue 20: 2,000 connections in one process at ≤ 60 KB each
VOTERS = 1000
BALLOTS_PER_SECOND = 500.0
VOTE_P99_MS = 100.0
VOTE_RATIO = 1.5  # issue 20: the burst's ack p99 within 1.5× of the bare server's in the same run
STORM_PAGE_RATIO = 1.5  # issue 20: the room page's p99 during a join storm within 1.5× of its idle p99
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
    if results.get("twoproc"):
        _twoproc(add, results["twoproc"])
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


def _capacity_targets(mode: str, cap: dict) -> list[tuple]:
    rows: list[tuple] = []
    if not cap:
        return rows
    if cap.get("error"):
        return [("2", f"capacity ({mode})", cap["error"][:200], "MISS (did not run)")]
    rows.append(
        (
            "2",
            f"{cap['wanted']} authenticated connections in one process ({mode}), no failed handshake",
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
            f"memory ≤ {KB_PER_CONNECTION:.0f} KB per connection ({mode}; RSS at 0 and at {cap['wanted']} connected)",
            f"{cap['kb_per_connection']:.1f} KB",
            verdict(cap["kb_per_connection"], KB_PER_CONNECTION, unit=" KB"),
        )
    )
    if cap.get("kb_per_joined_connection") is not None:
        rows.append(
            (
                "2",
                f"… and with all {cap['joined']} in one room ({mode})",
                f"{cap['kb_per_joined_connection']:.1f} KB",
                verdict(cap["kb_per_joined_connection"], KB_PER_CONNECTION, unit=" KB"),
            )
        )
    return rows


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
        pages = storm_pages((out.get("paged") or {}).get(n, []))
        if pages["ratios"]:
            ratio = _median(pages["ratios"])
            rows.append(
                (
                    "4",
                    f"room page p99 during the join storm N = {n} ({mode}) ≤ {STORM_PAGE_RATIO}× its idle p99 "
                    "(median of runs)",
                    f"{_spread(pages['storm'], ' ms', 0)} / {_spread(pages['idle'], ' ms', 0)} = "
                    f"{_spread(pages['ratios'], '×')}",
                    verdict(ratio, STORM_PAGE_RATIO, unit="×"),
                )
            )
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
    for cap_mode, cap_out in (results.get("capacity") or {}).items():
        rows.extend(_capacity_targets(cap_mode, (cap_out or {}).get("yishi") or {}))
    votes = results.get("votes") or {}
    if votes:
        rows.extend(_vote_targets(votes))
    if results.get("twoproc"):
        rows.extend(_twoproc_targets(results["twoproc"]))
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
        "0 connected (after a warm-up connection, closed again) to 2 s after the last connection, divided by the "
        "connections made; then every client joins the room and the RSS is read again (per connection in the "
        "room: from 0 connected)."
    )
    add("")
    add(
        "| mode | server | connected | failed | time to connect all | handshake p50 / p99 | RSS before → after "
        "| per connection | all in the room: RSS, per connection |"
    )
    add("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
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
                f"{per} | {_in_room(row)} |"
            )
            if row.get("errors"):
                add(f"| | | first errors: {'; '.join(e.replace('|', '/') for e in row['errors'][:3])} | | | | | |")
    add("")


def _vote_runs(votes: dict, kind: str) -> list[dict]:
    """A server's rounds of the vote benchmark (older results: one round, a dict)."""
    runs = votes.get(kind) or []
    return [runs] if isinstance(runs, dict) else [r for r in runs if r]


def _vote_targets(votes: dict) -> list[tuple]:
    ys, bs = _vote_runs(votes, "yishi"), _vote_runs(votes, "bare")
    problem = votes.get("error") or votes.get("yishi_error") or next((r["error"] for r in ys if r.get("error")), None)
    if problem or not ys:
        return [("3", "votes", (problem or "no round ran")[:200], "MISS (did not run)")]
    rows = []
    exact = all(r["stored"] == r["voters"] == r["stored_voters"] == r["accepted"] for r in ys)
    rows.append(
        (
            "3",
            f"{ys[0]['voters']} voters × 2 submissions: exactly {ys[0]['voters']} ballots stored, every round",
            ", ".join(f"{r['stored']} stored ({r['stored_voters']} voters)" for r in ys),
            "PASS" if exact else "MISS",
        )
    )
    ratios = [
        y["ack"]["p99"] / b["ack"]["p99"]
        for y, b in zip(ys, bs, strict=False)
        if not b.get("error") and y["ack"]["p99"] and b["ack"]["p99"]
    ]
    ratio = _median(ratios)
    rows.append(
        (
            "3",
            f"vote burst ack p99 within {VOTE_RATIO}× of the bare server's in the same run (median of rounds)",
            f"{_spread([y['ack']['p99'] for y in ys], ' ms', 0)} / "
            f"{_spread([b['ack']['p99'] for b in bs if not b.get('error')], ' ms', 0)} = {_spread(ratios, '×')}",
            verdict(ratio, VOTE_RATIO, unit="×") if ratio is not None else "—",
        )
    )
    bps = _median([y["ballots_per_second"] for y in ys])
    rows.append(
        (
            "3",
            f"≥ {BALLOTS_PER_SECOND:.0f} ballots/s",
            f"{_spread([y['ballots_per_second'] for y in ys], ' /s', 0)}",
            verdict(bps, BALLOTS_PER_SECOND, higher_is_better=True, unit="/s"),
        )
    )
    p99 = _median([y["ack"]["p99"] for y in ys])
    rows.append(
        (
            "3",
            f"acknowledgement p99 ≤ {VOTE_P99_MS:.0f} ms (all {ys[0]['voters']} voters at one instant)",
            f"{_spread([y['ack']['p99'] for y in ys], ' ms', 0)}",
            verdict(p99, VOTE_P99_MS, unit=" ms"),
        )
    )
    steady = [y["steady"] for y in ys if y.get("steady")]
    if steady:
        sp99 = _median([s["ack"]["p99"] for s in steady])
        rows.append(
            (
                "3",
                f"acknowledgement p99 ≤ {VOTE_P99_MS:.0f} ms with voters arriving at "
                f"{steady[0]['rate']:.0f}/s (2 submissions each); exactly {steady[0]['voters']} stored",
                f"{_spread([s['ack']['p99'] for s in steady], ' ms', 0)}; "
                + ", ".join(f"{s['stored']} stored" for s in steady),
                verdict(sp99, VOTE_P99_MS, unit=" ms")
                if all(s["stored"] == s["voters"] == s["stored_voters"] for s in steady)
                else "MISS (count)",
            )
        )
    return rows


def _in_room(row: dict) -> str:
    if row.get("rss_joined_mb") is None:
        return "—"
    failed = f", {row['join_failed']} failed" if row.get("join_failed") else ""
    return f"{row['joined']} joined{failed}: {row['rss_joined_mb']:.1f} MiB, {row['kb_per_joined_connection']:.1f} KB"


def _votes(add, votes) -> None:
    add("## 3. Votes: every voter submits twice at once (PostgreSQL)")
    add("")
    if votes.get("error"):
        add(f"Not run: {votes['error']}")
        add("")
        return
    add(
        "Voters are verified residents connected to `/consultations`, not joined to the room (each ballot "
        "still brings its voter into the room and the live count `motion` event goes to the room, coalesced). "
        "At one instant every voter emits `vote` twice without waiting; ballots per second = voters "
        "acknowledged ÷ (last acknowledgement − first emit). The baseline is the bare server acknowledging "
        "the same `vote` events at once (no database), from the same clients, right after Yishi in each round; "
        "each round votes on motions of its own. One row per round."
    )
    add("")
    add(
        "| server | round | voters | submissions | acks ok | voters acknowledged | same receipt both times "
        "| stored ballots | seconds | ballots/s | ack p50 | ack p99 | errors |"
    )
    add("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for kind in ("yishi", "bare"):
        if votes.get(f"{kind}_error"):
            add(f"| {kind} | | {votes[f'{kind}_error'][:200]} | | | | | | | | | | |")
        for number, row in enumerate(_vote_runs(votes, kind), 1):
            if row.get("error"):
                add(f"| {kind} | {number} | {row['error'][:200]} | | | | | | | | | | |")
                continue
            for label, figures in ((kind, row), (f"{kind}, steady", row.get("steady"))):
                if figures:
                    add(
                        f"| {label} | {number} | {figures['voters']} | {figures['submissions']} | "
                        f"{figures['acks_ok']} | {figures['accepted']} | {figures['same_receipt_twice']} | "
                        f"{figures['stored'] if figures['stored'] is not None else '—'} | "
                        f"{figures['seconds']:.2f} | {figures['ballots_per_second']:.0f} | "
                        f"{ms(figures['ack']['p50'])} | {ms(figures['ack']['p99'])} | {figures['errors'] or 'none'} |"
                    )
    add("")
    steady = next((r.get("steady") for r in _vote_runs(votes, "yishi") if r.get("steady")), None)
    if steady:
        add(
            f"The *steady* rows: the same voters vote on a second motion, arriving at {steady['rate']:.0f} voters "
            "per second (each still submits twice at once), so the acknowledgement time is the time one vote "
            "takes at the target rate rather than its place in a queue of every vote at once."
        )
        add("")


def twoproc_figures(layout: dict) -> dict:
    """A layout's timings over its runs."""
    joins, fan, votes = layout.get("joins") or [], layout.get("fanout") or [], layout.get("votes") or []
    return {
        "join_all": [r["all_seconds"] for r in joins],
        "join_p99": [r["join_ms"]["p99"] for r in joins],
        "fan_p99": [r["latency"]["p99"] for r in fan],
        "vote_p99": [r["ack"]["p99"] for r in votes],
        "ballots": [r["ballots_per_second"] for r in votes],
        "complete": all(r["joined"] == layout.get("n", r["joined"]) for r in joins)
        and all(r["received"] == r["expected"] for r in fan),
        "stored": [r.get("stored") for r in votes],
        "attendance": [r.get("attendance") for r in joins],
        "failed": sum(r["failed"] for r in joins) + (layout.get("connect") or {}).get("failed", 0),
        "retries": sum(r["retries"] for r in joins),
        "delivered": [f"{r['received']}/{r['expected']}" for r in fan],
    }


def _twoproc_targets(out: dict) -> list[tuple]:
    if out.get("error"):
        return [("7", "two processes behind nginx", out["error"][:200], "MISS (did not run)")]
    rows = []
    layouts = out.get("layouts") or {}
    for name, layout in layouts.items():
        if layout.get("error"):
            rows.append(("7", f"two processes behind nginx: {name}", layout["error"][:200], "MISS (did not run)"))
    two = layouts.get("yishi-2") or {}
    if two and not two.get("error"):
        f = twoproc_figures(two)
        n = out["n"]
        exact = all(s == n for s in f["stored"]) and all(a == n for a in f["attendance"])
        rows.append(
            (
                "7",
                f"{n} clients in one room over two processes: every join, speech and vote through, "
                f"exactly {n} ballots and attendance rows each run",
                f"split {two.get('split')}; delivered {', '.join(f['delivered'])}; stored {f['stored']}",
                "PASS" if f["complete"] and exact and not f["failed"] else "MISS",
            )
        )
    return rows


def _twoproc(add, out: dict) -> None:
    add("## 7. Two processes behind nginx")
    add("")
    if out.get("error"):
        add(f"Not run: {out['error']}")
        add("")
        return
    n = out["n"]
    add(
        f"The shipped deploy/nginx/yishi.conf (rendered for local ports, TLS with a certificate of the run's own) "
        f"run by Debian's nginx as the bench's own process, in front of one and then two processes under gunicorn "
        f"(gunicorn.conf.py: one gevent worker each), sharing PostgreSQL and Redis (the Socket.IO message queue); "
        f"the bare server (gevent, the same Redis queue) behind the same configuration. {n} clients, websocket "
        "over TLS, each from one of 64 loopback addresses (nginx's `hash $remote_addr` spreads them: the split "
        f"column). Each layout connects the {n} once, then {out['repeats']} runs of each: a join storm (all at one "
        "instant, a room nobody has attended), the fan-out of the chair's speeches to all in one room (latency "
        "of every delivery, across the processes), a vote burst (each client votes twice at one instant). Not "
        "pinned: the processes, nginx and the load share the two cores. Median (min–max) over the runs."
    )
    add("")
    add(
        "| layout | split (clients per process) | connect all | join storm: all acknowledged | join p99 (ms) "
        "| fan-out p99 (ms) | vote ack p99 (ms) | ballots/s | failed, retried | RSS per process (MiB) |"
    )
    add("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    layouts = out.get("layouts") or {}
    for name, layout in layouts.items():
        if layout.get("error"):
            add(f"| {name} | {layout['error'][:200]} | | | | | | | | |")
            continue
        f = twoproc_figures(layout)
        split = ", ".join(f"{v}" for _k, v in sorted((layout.get("split") or {}).items()))
        add(
            f"| {name} | {split} | {(layout.get('connect') or {}).get('seconds', '—')} s | "
            f"{_spread(f['join_all'], ' s')} | {_spread(f['join_p99'], '', 0)} | {_spread(f['fan_p99'], '', 0)} | "
            f"{_spread(f['vote_p99'], '', 0)} | {_spread(f['ballots'], '', 0)} | {f['failed']}, {f['retries']} | "
            f"{', '.join(str(r) for r in layout.get('rss_mb') or [])} |"
        )
    add("")
    pairs = [("yishi-1", "yishi-2"), ("bare-1", "bare-2"), ("bare-2", "yishi-2")]
    lines = []
    for a, b in pairs:
        la, lb = layouts.get(a) or {}, layouts.get(b) or {}
        if la.get("error") or lb.get("error") or not la or not lb:
            continue
        fa, fb = twoproc_figures(la), twoproc_figures(lb)
        cells = []
        for key, label in (("join_all", "join storm"), ("fan_p99", "fan-out p99"), ("vote_p99", "vote ack p99")):
            ma, mb = _median(fa[key]), _median(fb[key])
            if ma and mb:
                cells.append(f"{label} {mb / ma:.2f}×")
        if cells:
            lines.append(f"- {b} against {a}: " + ", ".join(cells) + " (below 1: faster)")
    for line in lines:
        add(line)
    if lines:
        add("")
    for name, layout in layouts.items():
        errors = [e for r in layout.get("joins") or [] for e in r.get("errors") or []]
        errors += (layout.get("connect") or {}).get("errors") or []
        for e in errors[:3]:
            add(f"- {name}: {e}")


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


def storm_pages(runs: list[dict]) -> dict:
    """The room page timed idle and during each storm run that measured it: p99s and their ratios."""
    pages = [r["page"] for r in runs if r.get("page") and r["page"].get("storm")]
    idle = [p["idle"]["p99"] for p in pages]
    storm = [p["storm"]["p99"] for p in pages]
    return {
        "pages": pages,
        "idle": idle,
        "storm": storm,
        "ratios": [b / a for a, b in zip(idle, storm, strict=True) if a and b],
    }


def _storm_pages(add, results) -> None:
    found = [
        (mode, n, storm_pages(runs), runs)
        for mode, out in results["join"].items()
        for n, runs in (out.get("paged") or {}).items()
        if storm_pages(runs)["pages"]
    ]
    if not found:
        return
    add("### The room page during the join storm")
    add("")
    add(
        "The room's page (`GET /consultations/<id>`, as a resident who is not among the N), fetched one request "
        "after another: idle (the N clients connected, nobody joining), then from the storm's instant until "
        "the last join is acknowledged. Each run's ratio is its own storm p99 over its own idle p99. These are "
        "storms of their own, after the ratio's above: the server serves the page first, so their joins take "
        "longer, and the bare server has no page to serve."
    )
    add("")
    add(
        "| mode | N | run | idle: requests, p50 / p99 (ms) | during the storm: requests, p50 / p99 (ms) "
        "| p99 ratio | errors | the storm's joins: all acknowledged, p99 |"
    )
    add("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for mode, n, figures, runs in found:
        for number, (page, run) in enumerate(zip(figures["pages"], runs, strict=False), 1):
            idle, storm = page["idle"], page["storm"]
            ratio = storm["p99"] / idle["p99"] if storm["p99"] and idle["p99"] else None
            errors = (page.get("idle_errors") or []) + (page.get("storm_errors") or [])
            add(
                f"| {mode} | {n} | {number} | {idle['n']}, {ms(idle['p50'])} / {ms(idle['p99'])} | "
                f"{storm['n']}, {ms(storm['p50'])} / {ms(storm['p99'])} | "
                f"{f'{ratio:.2f}×' if ratio else '—'} | {', '.join(errors[:3]) or 'none'} | "
                f"{run.get('all_seconds')} s, {ms((run.get('join_ms') or {}).get('p99'))} ms |"
            )
    add("")


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
    _storm_pages(add, results)


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
    for row in _vote_runs(results.get("votes") or {}, "yishi"):
        if row.get("profile"):
            found.append(("votes (Yishi server)", row["profile"]))
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
