"""The benchmark driver: `python -m bench [--quick] [--only fanout,capacity,...]`.

Every timing is taken beside a baseline in the same run (a bare Flask-SocketIO server on the same
stack, or the idle page), so the ratios hold on a small, shared, noisy machine. The server runs
pinned to core 0, the load (worker processes of python-socketio clients) and this driver to core 1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import load, report, servers
from bench.common import Speaker, fmt, log, summary

BENCHMARKS = ("join", "fanout", "capacity", "votes", "twoproc", "http", "modes", "pageweight", "search", "district")
JOIN_MODES = ("gevent", "eventlet")  # the join storm: production's mode and the one the probe used
MODES = ("eventlet", "gunicorn", "gevent", "threading")


class Settings:
    def __init__(self, args):
        quick = args.quick
        self.quick = quick
        self.fanout_ns = [10, 30] if quick else [50, 200, 500, 1000]
        # gevent and threading stop at the target N unless --all-n: N = 1000 costs minutes per mode
        self.other_mode_ns = self.fanout_ns if quick or args.all_n else [n for n in self.fanout_ns if n <= 500]
        self.http_n = 30 if quick else 500
        self.speeches = 4 if quick else 12
        self.capacity = 60 if quick else 2000
        self.voters = 40 if quick else 1000
        # clients in one room over two processes behind nginx
        self.twoproc_n = args.twoproc_n if args.twoproc_n else 20 if quick else 2000
        self.vote_rate = 40.0 if quick else 500.0  # voters per second in the steady vote run
        self.body_chars = 120
        self.http_idle_samples = 20 if quick else 200
        self.workers = 2 if quick else 4
        self.join_ns = (
            [int(n) for n in args.join_ns.split(",")] if args.join_ns else [10, 30] if quick else [200, 500, 1000]
        )
        self.repeats = args.repeats if args.repeats else (1 if quick else 3)
        self.modes = [m for m in args.modes.split(",") if m] if args.modes else list(MODES)
        self.only = set(args.only.split(",")) if args.only else set(BENCHMARKS)
        unknown = self.only - set(BENCHMARKS)
        if unknown:
            raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}; choose from {BENCHMARKS}")
        if "http" in self.only and "fanout" not in self.only:
            self.only.add("fanout")  # http is measured while the fan-out runs
        self.join_modes = [m for m in self.modes if m in JOIN_MODES] if args.modes else list(JOIN_MODES)
        if "modes" not in self.only:
            self.modes = self.modes[:1]
        self.pin = servers.can_pin() and not args.no_pin
        self.profile = not args.no_profile and shutil.which("py-spy", path=str(Path(sys.executable).parent)) is not None
        self.py_spy = shutil.which("py-spy", path=str(Path(sys.executable).parent))

    def interval(self, n: int) -> float:
        """Seconds between speeches: one broadcast is over before the next starts."""
        return 0.25 + n * 0.0005


# -- the page sampler (the speaker is in bench/common.py) -----------------------------------------------------------


class PageSampler:
    """Fetches the consultation room page again and again, timing each answer."""

    def __init__(self, url: str, cookie_name: str, cookie: str):
        import requests

        self.url = url
        self.session = requests.Session()
        self.session.headers["Cookie"] = f"{cookie_name}={cookie}"
        self.session.headers["Accept-Encoding"] = "gzip, br"
        self.times: list[float] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def fetch(self) -> None:
        start = time.monotonic()
        try:
            response = self.session.get(self.url, timeout=30)
            took = (time.monotonic() - start) * 1000.0
            if response.status_code != 200:
                self.errors.append(f"HTTP {response.status_code}")
            else:
                self.times.append(took)
        except Exception as err:
            self.errors.append(type(err).__name__)

    def sample(self, count: int) -> list[float]:
        self.times = []
        for _ in range(count):
            self.fetch()
        return list(self.times)

    def start(self) -> None:
        self.times = []
        self._stop.clear()

        def run():
            while not self._stop.is_set():
                self.fetch()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def stop(self) -> list[float]:
        self._stop.set()
        if self._thread:
            self._thread.join(60)
        return list(self.times)


# -- profiling -----------------------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    """CPU seconds (user and system) the server process has used so far."""
    import psutil

    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


class Profile:
    """py-spy recording of the server while a step runs (folded stacks, summarised)."""

    def __init__(self, settings: Settings, pid: int, out: Path):
        self.process = None
        self.out = out
        if settings.profile:
            self.process = subprocess.Popen(
                [
                    settings.py_spy,
                    "record",
                    "--pid",
                    str(pid),
                    "--format",
                    "raw",
                    "--rate",
                    os.environ.get("BENCH_PYSPY_RATE", "50"),  # higher for a closer look at one step
                    "--nonblocking",
                    "--output",
                    str(out),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )

    def stop(self) -> dict | None:
        if self.process is None:
            return None
        self.process.send_signal(2)  # py-spy writes its output on SIGINT
        try:
            _out, err = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return {"error": "py-spy did not stop"}
        if not self.out.exists():
            return {"error": (err or b"").decode(errors="replace").strip()[-300:] or "no output"}
        return report.top_frames(self.out)


# -- the benchmarks ------------------------------------------------------------------------------


class Run:
    def __init__(self, settings: Settings, workdir: Path, admin_db_url: str | None, redis_url: str | None):
        self.s = settings
        self.workdir = workdir
        self.results: dict = {"settings": {}, "fanout": {}, "capacity": {}, "notes": []}
        self.db = servers.ScratchDatabase(admin_db_url, workdir)
        if self.db.note:
            self.results["notes"].append(self.db.note)
        self.redis_url = redis_url
        if redis_url:
            problem = servers.redis_ready(redis_url)
            if problem:
                self.results["notes"].append(f"Redis not reachable at {redis_url} ({problem}): no message queue")
                self.redis_url = None
        sizes = [*settings.fanout_ns, *settings.join_ns, settings.capacity, settings.voters, settings.http_n]
        members = max([*sizes, settings.twoproc_n if "twoproc" in settings.only else 0]) + 5
        # each mode: `repeats` storms at each N for the ratio, and `repeats` more at the largest N with the page timed
        storms = len(settings.join_modes) * (len(settings.join_ns) + 1) * settings.repeats
        storms = storms if "join" in settings.only else 0
        rounds = settings.repeats if "votes" in settings.only else 1
        # two processes: rooms and motions for Yishi's two layouts (one process, two), `repeats` of each
        extra = 2 * settings.repeats if "twoproc" in settings.only else 0
        log(f"building the world: {members} members, {storms + extra} storm rooms, in a {self.db.kind} database")
        self.world = servers.setup_world(self.db, members, workdir, storms + extra, rounds + extra)
        self.storm_rooms = list(self.world.get("storm_rooms", []))
        if extra:
            self.world["twoproc_rooms"] = self.storm_rooms[storms:]
            self.storm_rooms = self.storm_rooms[:storms]
            self.world["twoproc_vote_rounds"] = self.world["vote_rounds"][rounds:]
        self.cookie_name = self.world["session_cookie_name"]

    def start(self, kind: str, mode: str):
        server = servers.start(
            kind, mode, self.workdir, database_url=self.db.url, redis_url=self.redis_url, pin=self.s.pin
        )
        log(f"{kind} server ({mode}) " + (f"FAILED: {server.error}" if server.error else f"up on {server.url}"))
        return server

    def pool(self, server) -> load.LoadPool:
        return load.LoadPool(
            server.url,
            self.cookie_name,
            workers=self.s.workers,
            core=servers.CLIENT_CORE if self.s.pin else None,
        )

    # 1, 4 and 5: fan-out (with the page sampled during N = http_n), beside the bare server

    def fanout(self, mode: str) -> None:
        out = self.results["fanout"].setdefault(mode, {"yishi": {}, "bare": {}})
        problem = servers.mode_available(mode)
        if problem:
            out["error"] = problem
            log(f"fan-out {mode}: not available ({problem})")
            return
        yishi = self.start("yishi", mode)
        bare = self.start("bare", mode)
        try:
            if yishi.error or bare.error:
                out["error"] = "; ".join(
                    f"{s.kind} server cannot start in {mode} mode: {s.error}" for s in (yishi, bare) if s.error
                )
                return
            if mode == "eventlet" and "pageweight" in self.s.only:
                self.pageweight(yishi)
            self._fanout_pair(mode, yishi, bare, out)
        finally:
            yishi.stop()
            bare.stop()

    def _fanout_pair(self, mode: str, yishi, bare, out: dict) -> None:
        members = self.world["members"]
        sides = {}
        for server in (yishi, bare):
            pool = self.pool(server)
            speaker = Speaker(server, self.cookie_name, self.world["chair"], self.world["consultation_id"])
            sides[server.kind] = (server, pool, speaker, [0] * self.s.workers)
        sampler = None
        if "http" in self.s.only and mode == "eventlet":
            room = f"{yishi.url}/consultations/{self.world['consultation_id']}"
            sampler = PageSampler(room, self.cookie_name, members[-1])
        try:
            # Yishi first, then the bare server on the same N: the pair is measured side by side.
            for n in self.s.fanout_ns if mode == "eventlet" else self.s.other_mode_ns:
                for kind in ("yishi", "bare"):
                    server, pool, speaker, _held = sides[kind]
                    row = out[kind].setdefault(n, {})
                    have = sum(pool.reset())
                    log(f"fan-out {mode} {kind} N={n}: connecting {n - have}")
                    connected = pool.connect(members[have:n])
                    started = time.monotonic()
                    # all N join (again, for those already in: a join is idempotent), so the step is N joins at N
                    joined = pool.join(self.world["consultation_id"])
                    row["connect_failed"] = connected["failed"] + joined["failed"]
                    row["errors"] = connected["errors"] + joined["errors"]
                    row["join_seconds"] = round(time.monotonic() - started, 2)
                    # every join announces the presence count to the whole room (N² events): let them land
                    row["settle_seconds"] = round(pool.quiet(1.0, 90) - 1.0, 2)
                    row["join_ms"] = summary(joined["ms"])
                    if kind == "bare":
                        speaker.match_payload(sides["yishi"][2].payload_bytes, self.s.body_chars)
                    profile = None
                    if self.s.profile and kind == "yishi" and n == self.s.http_n and mode == "eventlet":
                        profile = Profile(self.s, server.pid, self.workdir / f"fanout-{mode}-{n}.txt")
                    row.update(self._speeches(pool, speaker, n))
                    if profile:
                        row["profile"] = profile.stop()
                    if kind == "yishi":
                        row["payload_bytes"] = speaker.payload_bytes
                    lat = row["latency"]
                    log(
                        f"fan-out {mode} {kind} N={n}: p50 {fmt(lat['p50'])} p99 {fmt(lat['p99'])} ms, "
                        f"{row['received']}/{row['expected']} delivered, join {row['join_seconds']} s"
                    )
                if sampler is not None and n == self.s.http_n:
                    self._http_under_load(sampler, sides["yishi"][1], sides["yishi"][2], n)
                if sides["bare"][0].kind == "bare":
                    out["bare"].setdefault(n, {})["payload_bytes"] = len(
                        json.dumps(
                            {"body": load.speech_body(0, self.s.body_chars), "pad": sides["bare"][2].pad},
                            separators=(",", ":"),
                        ).encode()
                    )
        finally:
            for _server, pool, speaker, _held in sides.values():
                speaker.close()
                with contextlib.suppress(Exception):
                    pool.disconnect()
                pool.close()

    def _speeches(self, pool, speaker, n: int) -> dict:
        """The speaker makes the speeches; every client's receive latencies are gathered."""
        clients = sum(pool.reset())
        acks, refused = [], []
        for seq in range(self.s.speeches):
            ok, took, why = speaker.speak(seq, self.s.body_chars)
            acks.append(took)
            if not ok:
                refused.append(why)
            time.sleep(self.s.interval(n))
        got = pool.collect(self.s.speeches - len(refused), timeout=15 + n * 0.02)
        return {
            "clients": clients,
            "speeches": self.s.speeches,
            "refused": refused[:3],
            "expected": clients * (self.s.speeches - len(refused)),
            "received": got["received"],
            "latency": summary(got["latencies"]),
            "speak_ack": summary(acks),
        }

    def _http_under_load(self, sampler, pool, speaker, n: int) -> None:
        """4: the room page idle, then while the fan-out at N runs again (an extra pass, so that the
        fan-out figures above are not disturbed by the page requests)."""
        sampler.sample(20)  # warm: the first requests compile templates and fill caches
        idle = sampler.sample(self.s.http_idle_samples)
        http = self.results["http"] = {"n": n, "idle": summary(idle), "idle_errors": list(sampler.errors)}
        sampler.errors = []
        sampler.start()
        fanout = self._speeches(pool, speaker, n)
        http["load"] = summary(sampler.stop())
        http["load_errors"] = list(sampler.errors)
        http["fanout_during"] = fanout
        log(
            f"http N={n}: idle p99 {fmt(http['idle']['p99'])} ms, under fan-out p99 {fmt(http['load']['p99'])} ms "
            f"({http['load']['n']} requests)"
        )

    # 0: the join storm: N clients, connected beforehand, all ask to join one room at the same instant

    def join(self, mode: str) -> None:
        out = self.results.setdefault("join", {}).setdefault(mode, {"yishi": {}, "bare": {}})
        problem = servers.mode_available(mode)
        if problem:
            out["error"] = problem
            log(f"join {mode}: not available ({problem})")
            return
        yishi = self.start("yishi", mode)
        bare = self.start("bare", mode)
        try:
            if yishi.error or bare.error:
                out["error"] = "; ".join(
                    f"{s.kind} server cannot start in {mode} mode: {s.error}" for s in (yishi, bare) if s.error
                )
                return
            largest = max(self.s.join_ns)
            # the ratio's storms: Yishi and the bare server see the same clients and nothing else
            for n in self.s.join_ns:
                for attempt in range(self.s.repeats):
                    room = self.storm_rooms.pop(0)  # a room nobody has attended: each join is a first one
                    for server in (yishi, bare):
                        profile = server.kind == "yishi" and n == largest and self.s.profile and attempt == 0
                        row = self._join_storm(server, n, room, profile=profile)
                        out[server.kind].setdefault(n, []).append(row)
                        self._log_storm(mode, server.kind, row, attempt)
            # the page's storms: the same storm while a resident loads the room's page again and again (a page
            # goes first, so these joins take longer: they are not the ratio's)
            for attempt in range(self.s.repeats):
                row = self._join_storm(yishi, largest, self.storm_rooms.pop(0), page=True)
                out.setdefault("paged", {}).setdefault(largest, []).append(row)
                self._log_storm(mode, "yishi with the page", row, attempt)
                page = row["page"]
                log(
                    f"join {mode} N={largest} run {attempt + 1}: room page idle p99 {fmt(page['idle']['p99'])} "
                    f"ms, during the storm p99 {fmt(page['storm']['p99'])} ms ({page['storm']['n']} requests)"
                )
        finally:
            yishi.stop()
            bare.stop()

    @staticmethod
    def _log_storm(mode: str, kind: str, row: dict, attempt: int) -> None:
        log(
            f"join {mode} {kind} N={row['n']} run {attempt + 1}: all {row['joined']} acknowledged in "
            f"{row['all_seconds']} s, p50 {fmt(row['join_ms']['p50'])} p99 {fmt(row['join_ms']['p99'])} ms, "
            f"ack {row['ack_bytes']['p50']} B, {row['failed']} failed, {row['retries']} retried, server CPU "
            f"{row['server_cpu_ms_per_join']} ms per join"
        )

    def _join_storm(self, server, n: int, room: int, profile: bool = False, page: bool = False) -> dict:
        """N connected clients join `room` at one instant. With `page`: the room's page (as a resident who is
        not among the N), timed idle with the N connected, and again again and again while the storm runs."""
        pool = self.pool(server)
        sampler = None
        try:
            connected = pool.connect(self.world["members"][:n])
            time.sleep(1.0)
            page_figures = None
            if page:
                sampler = PageSampler(f"{server.url}/consultations/{room}", self.cookie_name, self.world["members"][-1])
                sampler.sample(10)  # warm: templates, caches
                idle = sampler.sample(self.s.http_idle_samples)
                page_figures = {"idle": summary(idle), "idle_errors": list(sampler.errors)}
                sampler.errors = []
            at = time.monotonic() + 1.0
            recording = Profile(self.s, server.pid, self.workdir / f"join-{server.mode}-{n}.txt") if profile else None
            if sampler:
                threading.Timer(max(at - time.monotonic(), 0), sampler.start).start()
            cpu_before = _cpu_seconds(server.pid)
            joined = pool.join(room, concurrency=n, at=at)
            cpu = _cpu_seconds(server.pid) - cpu_before  # robust to others' load, unlike the wall clock
            if sampler:
                page_figures["storm"] = summary(sampler.stop())
                page_figures["storm_errors"] = list(sampler.errors)
            profiled = recording.stop() if recording else None
            return {
                "page": page_figures,
                "profile": profiled,
                "n": n,
                "room": room,
                "connect_failed": connected["failed"],
                "joined": joined["joined"],
                "failed": joined["failed"],
                "errors": connected["errors"] + joined["errors"],
                "retries": joined["retries"],
                "all_seconds": round(joined["last"] - at, 3),
                "server_cpu_ms_per_join": round(cpu * 1000 / max(joined["joined"], 1), 3),
                "join_ms": summary(joined["ms"]),
                "ack_bytes": summary(joined["bytes"]),
                "attendance": self.db.scalar("SELECT count(*) FROM attendances WHERE consultation_id = %s", room)
                if server.kind == "yishi"
                else None,
            }
        finally:
            if sampler:
                sampler.stop()
            try:
                pool.disconnect()
            finally:
                pool.close()

    # 2 and 5: capacity

    def capacity(self, mode: str) -> None:
        out = self.results["capacity"].setdefault(mode, {})
        problem = servers.mode_available(mode)
        if problem:
            out["error"] = problem
            return
        for kind in ("yishi", "bare"):
            server = self.start(kind, mode)
            if server.error:
                out[kind] = {"error": f"cannot start in {mode} mode: {server.error}"}
                continue
            try:
                out[kind] = self._capacity(server)
                row = out[kind]
                log(
                    f"capacity {mode} {kind}: {row['connected']}/{row['wanted']} connected, "
                    f"{row['failed']} failed, {row['kb_per_connection']:.1f} KB/connection"
                )
            except Exception as err:
                out[kind] = {"error": f"{type(err).__name__}: {err}"}
            finally:
                server.stop()

    def _capacity(self, server) -> dict:
        import psutil

        process = psutil.Process(server.pid)
        pool = self.pool(server)
        try:
            warm = pool.connect(self.world["members"][: self.s.workers])  # warm the code paths
            pool.disconnect()
            time.sleep(1)
            rss0 = process.memory_info().rss
            started = time.monotonic()
            # all at once, as phones do when a hot topic lands
            result = pool.connect(self.world["members"][: self.s.capacity], concurrency=self.s.capacity, timeout=30)
            took = time.monotonic() - started
            time.sleep(2)
            rss1 = process.memory_info().rss
            alive = sum(pool.reset())
            connected = result["connected"]
            # and once they are all in the room (membership of the room, presence), as phones are in a hot topic
            joined = pool.join(self.world["consultation_id"], concurrency=50, timeout=120)
            time.sleep(2)
            rss2 = process.memory_info().rss
            return {
                "wanted": self.s.capacity,
                "connected": connected,
                "failed": result["failed"],
                "still_connected": alive,
                "errors": result["errors"] + warm["errors"],
                "seconds": round(took, 1),
                "handshake_ms": summary(result["handshake_ms"]),
                "rss_before_mb": rss0 / 2**20,
                "rss_after_mb": rss1 / 2**20,
                "kb_per_connection": (rss1 - rss0) / max(connected, 1) / 1024,
                "joined": joined["joined"],
                "join_failed": joined["failed"],
                "rss_joined_mb": rss2 / 2**20,
                "kb_per_joined_connection": (rss2 - rss0) / max(joined["joined"], 1) / 1024,
                "server_log": server.log_tail(4) if result["failed"] else "",
            }
        finally:
            try:
                pool.disconnect()
            finally:
                pool.close()

    # 3: votes

    def votes(self) -> None:
        """3: the vote burst, Yishi and the bare server in turns, `repeats` rounds (each on motions of its own)."""
        out = self.results["votes"] = {"database": self.db.kind, "yishi": [], "bare": []}
        if self.db.kind != "postgresql":
            out["error"] = "PostgreSQL is not available: the vote benchmark needs it"
            return
        started = {kind: self.start(kind, "eventlet") for kind in ("yishi", "bare")}
        try:
            for kind, server in started.items():
                if server.error:
                    out[f"{kind}_error"] = server.error
            for attempt, motions in enumerate(self.world["vote_rounds"][: self.s.repeats]):
                for kind, server in started.items():
                    if server.error:
                        continue
                    try:
                        row = self._votes(server, motions, profile=attempt == 0)
                    except Exception as err:
                        row = {"error": f"{type(err).__name__}: {err}"}
                    out[kind].append(row)
                    if "error" in row:
                        log(f"votes {kind} run {attempt + 1}: {row['error']}")
                        continue
                    log(
                        f"votes {kind} run {attempt + 1}: {row['accepted']} accepted, {row['stored']} stored, "
                        f"{row['ballots_per_second']:.0f} ballots/s, ack p99 {fmt(row['ack']['p99'])} ms, "
                        f"server CPU {row['cpu_seconds']} s "
                        f"({row['cpu_seconds'] * 1000 / row['voters']:.2f} ms a voter)"
                    )
        finally:
            for server in started.values():
                server.stop()

    def _votes(self, server, motions: dict, profile: bool = False) -> dict:
        import psutil

        voters = self.world["members"][: self.s.voters]
        pool = self.pool(server)
        recording = profiled = None
        try:
            connected = pool.connect(voters)
            if connected["failed"]:
                raise RuntimeError(f"{connected['failed']} voters could not connect: {connected['errors']}")
            time.sleep(1)
            if profile and self.s.profile and server.kind == "yishi":
                recording = Profile(self.s, server.pid, self.workdir / "votes.txt")
            # the server's own CPU seconds over the burst: robust to other work on the machine, unlike its p99
            process = psutil.Process(server.pid)
            before = process.cpu_times()
            burst = pool.vote(motions["motion_id"], time.monotonic() + 1.0)
            after = process.cpu_times()
            if recording:  # the burst only: not the steady run, not the disconnects
                recording, profiled = None, recording.stop()
            time.sleep(2)  # the sealer catches up; the steady run starts on a quiet server
            steady = pool.vote(motions["paced_motion_id"], time.monotonic() + 1.0, rate=self.s.vote_rate)
        finally:
            try:
                pool.disconnect()
            finally:
                pool.close()
                if recording:
                    recording.stop()
        out = self._vote_figures(server, voters, burst, motions["motion_id"])
        out["profile"] = profiled
        out["cpu_seconds"] = round((after.user + after.system) - (before.user + before.system), 3)
        out["steady"] = self._vote_figures(server, voters, steady, motions["paced_motion_id"])
        out["steady"]["rate"] = self.s.vote_rate
        return out

    def _vote_figures(self, server, voters, rows, motion_id) -> dict:
        first = min(r[2] for r in rows)
        last = max(r[3] for r in rows)
        acks = [(r[3] - r[2]) * 1000.0 for r in rows]
        ok = [r for r in rows if r[4]]
        by_voter: dict = {}
        for worker, index, _b, _e, good, code in rows:
            by_voter.setdefault((worker, index), []).append((good, code))
        both_same = sum(
            1 for pair in by_voter.values() if len(pair) == 2 and all(g for g, _ in pair) and pair[0][1] == pair[1][1]
        )
        errors: dict = {}
        for r in rows:
            if not r[4]:
                errors[r[5]] = errors.get(r[5], 0) + 1
        stored = distinct = None
        if server.kind == "yishi":
            stored = self.db.scalar(
                "SELECT count(*) FROM ballots WHERE poll_id = %s AND poll_type = %s", motion_id, "motion"
            )
            distinct = self.db.scalar(
                "SELECT count(DISTINCT voter_id) FROM ballots WHERE poll_id = %s AND poll_type = %s",
                motion_id,
                "motion",
            )
        accepted = len({k for k, pair in by_voter.items() if any(g for g, _ in pair)})
        return {
            "voters": len(voters),
            "submissions": len(rows),
            "acks_ok": len(ok),
            "accepted": accepted,
            "same_receipt_twice": both_same,
            "errors": errors,
            "stored": stored,
            "stored_voters": distinct,
            "seconds": last - first,
            "ballots_per_second": accepted / (last - first) if last > first else 0.0,
            "ack": summary(acks),
        }

    # 6: page weight

    def pageweight(self, server) -> None:
        from bench import pageweight

        log("page weight: loading the room in Chromium")
        try:
            self.results["pageweight"] = pageweight.measure(
                server.url,
                f"/consultations/{self.world['consultation_id']}",
                self.cookie_name,
                self.world["members"][-2],
            )
        except Exception as err:
            self.results["pageweight"] = {"error": f"{type(err).__name__}: {err}"}

    def close(self) -> None:
        try:
            self.db.drop()
        except Exception as err:
            self.results["notes"].append(f"could not drop the scratch database: {err}")


def feature_blocks(text: str) -> str:
    """The sections of a RESULTS.md the feature benches write between their own markers (search, the district
    dashboard, the slow page...): kept when the other benchmarks write the file again."""
    import re

    blocks = re.finditer(r"<!-- ([\w-]+):start -->.*?<!-- \1:end -->\n?", text, flags=re.S)
    return "\n".join(block.group(0).rstrip("\n") + "\n" for block in blocks)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small N: proves the harness, measures little")
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(BENCHMARKS)}")
    parser.add_argument(
        "--modes",
        help="comma-separated modes (default: eventlet,gunicorn,gevent,threading; gunicorn: gevent under gunicorn)",
    )
    parser.add_argument("--out", default=str(servers.ROOT / "bench" / "RESULTS.md"))
    parser.add_argument(
        "--database",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="PostgreSQL admin URL for the scratch database ('sqlite' to use SQLite)",
    )
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/13",
        help="Redis URL for the Socket.IO message queue and rate limits ('none' for no Redis)",
    )
    parser.add_argument("--join-ns", help="comma-separated N of the join storm (default 200,500,1000)")
    parser.add_argument("--repeats", type=int, help="runs of each join storm (default 3; --quick: 1)")
    parser.add_argument("--all-n", action="store_true", help="N = 1000 in gevent and threading modes too")
    parser.add_argument("--twoproc-n", type=int, help="clients of the two-process run (default 2000; --quick: 20)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin the server and the load to cores")
    parser.add_argument("--no-profile", action="store_true", help="do not run py-spy")
    parser.add_argument("--render", metavar="RESULTS_JSON", help="only write --out again from a run's results.json")
    args = parser.parse_args(argv)
    if args.render:
        results = json.loads(Path(args.render).read_text())
        for fan in (results.get("fanout") or {}).values():
            for kind in ("yishi", "bare"):
                if kind in fan:
                    fan[kind] = {int(n): row for n, row in fan[kind].items()}
        Path(args.out).write_text(report.render(results.pop("machine"), results, Settings(args)), encoding="utf-8")
        return
    # a stopped run still stops its servers and drops its database (the finally blocks)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    settings = Settings(args)
    if "search" in settings.only:  # its own data and section of RESULTS.md (bench/search.py)
        from bench import search

        log("search: 10,000 ideas and 100,000 speeches, PostgreSQL and SQLite")
        figures = search.run(None if args.database == "sqlite" else args.database, quick=settings.quick)
        search.write_section(Path(args.out), figures)
        settings.only.discard("search")
        if not settings.only:
            return
    if "district" in settings.only:  # its own scratch schema and section of RESULTS.md (bench/district_scale.py)
        settings.only.discard("district")
        if args.database == "sqlite":
            log("district: skipped (PostgreSQL only)")
        else:
            from bench import district_scale

            scale = 0.01 if settings.quick else district_scale.SCALE
            log(f"district: the district dashboard at scale {scale} (100 communities, 40,000 households at 1)")
            figures = district_scale.run(args.database, scale=scale, repeats=5 if settings.quick else 30)
            district_scale.write_section(Path(args.out), figures)
        if not settings.only:
            return
    info = servers.machine()
    if settings.pin:
        load.pin(servers.CLIENT_CORE)
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="yishi-bench-"))
    admin = None if args.database == "sqlite" else args.database
    redis_url = None if args.redis in ("", "none") else args.redis
    run = Run(settings, workdir, admin, redis_url)
    try:
        if "join" in settings.only:
            for mode in settings.join_modes:
                run.join(mode)
        for mode in settings.modes:
            if "fanout" in settings.only:
                run.fanout(mode)
            if "capacity" in settings.only:
                run.capacity(mode)
        if "capacity" in settings.only and "gunicorn" not in settings.modes and not args.modes:
            run.capacity("gunicorn")  # one process as production serves it (gunicorn.conf.py), beside the first mode
        if "votes" in settings.only:
            run.votes()
        if "twoproc" in settings.only:
            from bench import twoproc

            run.results["twoproc"] = twoproc.run(run, settings)
        if "pageweight" in settings.only and "pageweight" not in run.results:
            server = run.start("yishi", "eventlet")
            try:
                if server.error:
                    run.results["pageweight"] = {"error": server.error}
                else:
                    run.pageweight(server)
            finally:
                server.stop()
    finally:
        run.close()
    run.results["settings"] = {
        "quick": settings.quick,
        "only": sorted(settings.only),
        "modes": settings.modes,
        "pinned": settings.pin,
        "database": run.db.kind + (f" {run.db.version}" if run.db.version else ""),
        "redis": run.redis_url,
        "speeches": settings.speeches,
        "fanout_ns": settings.fanout_ns,
        "other_mode_ns": settings.other_mode_ns,
        "workers": settings.workers,
        "join_ns": settings.join_ns,
        "join_modes": settings.join_modes,
        "repeats": settings.repeats,
        "seconds": round(time.monotonic() - started),
        "workdir": str(workdir),
    }
    (workdir / "results.json").write_text(json.dumps({**run.results, "machine": info}, indent=1, default=str))
    searched = Path(args.out).read_text(encoding="utf-8") if Path(args.out).exists() else ""
    Path(args.out).write_text(report.render(info, run.results, settings), encoding="utf-8")
    if kept := feature_blocks(searched):
        with Path(args.out).open("a", encoding="utf-8") as out:
            out.write("\n" + kept)
    log(f"wrote {args.out} in {round(time.monotonic() - started)} s (raw figures: {workdir / 'results.json'})")
