"""The load: python-socketio AsyncClients (websocket transport only) spread over worker processes.

Each worker process runs one asyncio loop holding its share of the connections and obeys
commands sent over a pipe (connect, join, reset, collect, vote, disconnect). Latencies are
measured against time.monotonic(), which on Linux is one clock for every process, so a
timestamp written into a speech by the speaker can be read off by any recipient.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import os
import re
import time

NAMESPACE = "/consultations"
MARK = re.compile(r"B(\d+)T(\d+\.\d+)E")


def pin(core: int | None) -> None:
    """Run this process on one core, where the machine allows."""
    if core is None or not hasattr(os, "sched_setaffinity"):
        return
    with contextlib.suppress(OSError):
        os.sched_setaffinity(0, {core})


def speech_body(seq: int, size: int) -> str:
    """A speech carrying its sequence number and send time, padded to `size` characters."""
    head = f"B{seq}T{time.monotonic():.6f}E "
    return head + "议" * max(size - len(head), 0)


class Worker:
    def __init__(self, conn, url: str, cookie_name: str, sources: list[str] | None = None):
        self.conn = conn
        self.url = url
        self.cookie_name = cookie_name
        # through nginx (bench/twoproc.py): each client leaves from one of these loopback addresses, as phones
        # come from many, so that nginx's `hash $remote_addr` spreads them; TLS without checking the certificate
        self.sources = sources or []
        self.sessions: list = []
        self.clients: list = []
        self.latencies: list[float] = []
        self.received = 0
        self.last_event = time.monotonic()

    def on_any(self, *args):
        self.last_event = time.monotonic()

    def on_message(self, data):
        now = self.last_event = time.monotonic()
        text = ""
        if isinstance(data, dict):
            text = data.get("body_html") or data.get("body") or ""
        found = MARK.search(text)
        if found:
            self.latencies.append((now - float(found.group(2))) * 1000.0)
            self.received += 1

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            command, args = await loop.run_in_executor(None, self.conn.recv)
            if command == "exit":
                await self.disconnect()
                self.conn.send(("ok", None))
                return
            try:
                result = await getattr(self, command)(*args)
                self.conn.send(("ok", result))
            except Exception as err:  # report, never hang the orchestrator
                self.conn.send(("error", f"{type(err).__name__}: {err}"))

    async def connect(self, cookies: list[str], concurrency: int, timeout: float) -> dict:
        import socketio

        gate = asyncio.Semaphore(concurrency)
        times: list[float] = []
        errors: list[str] = []

        async def one(cookie: str):
            options = {}
            if self.sources:
                import aiohttp

                source = self.sources[len(self.sessions) % len(self.sources)]
                # a session per client: the client keeps its cookie in the session's jar
                session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(source, 0), limit=0))
                self.sessions.append(session)
                options = {"http_session": session, "ssl_verify": False}
            client = socketio.AsyncClient(reconnection=False, **options)
            client.on("message", self.on_message, namespace=NAMESPACE)
            client.on("*", self.on_any, namespace=NAMESPACE)
            async with gate:
                start = time.monotonic()
                try:
                    # a hard deadline: a server that stops accepting leaves the TCP connect in SYN retries
                    await asyncio.wait_for(
                        client.connect(
                            self.url,
                            headers={"Cookie": f"{self.cookie_name}={cookie}"},
                            transports=["websocket"],
                            namespaces=[NAMESPACE],
                            wait_timeout=timeout,
                        ),
                        timeout + 5,
                    )
                except Exception as err:
                    errors.append(f"{type(err).__name__}: {err}"[:200])
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(client.disconnect(), 5)
                    return
                times.append((time.monotonic() - start) * 1000.0)
                self.clients.append(client)

        await asyncio.gather(*(one(c) for c in cookies))
        return {"connected": len(times), "failed": len(errors), "errors": errors[:5], "handshake_ms": times}

    async def join(
        self, consultation_id: int, concurrency: int, timeout: float, start: int = 0, at: float | None = None
    ) -> dict:
        """Every client from `start` on joins (all at the monotonic time `at`, if given); the answers' sizes
        are kept (the join acknowledgement's JSON bytes) and "busy, retry after" answers are retried as the
        web client does: after the time the server asks for, with jitter."""
        import json
        import random

        gate = asyncio.Semaphore(concurrency)
        failures: list[str] = []
        times: list[float] = []
        sizes: list[int] = []
        retries = [0]
        if at is not None:
            await asyncio.sleep(max(at - time.monotonic(), 0))

        async def one(client):
            async with gate:
                begin = time.monotonic()
                try:
                    while True:
                        answer = await client.call(
                            "join", {"consultation_id": consultation_id}, namespace=NAMESPACE, timeout=timeout
                        )
                        error = answer.get("error") if isinstance(answer, dict) else None
                        if not (isinstance(error, dict) and error.get("retry_after")):
                            break
                        retries[0] += 1
                        wait = float(error["retry_after"])
                        await asyncio.sleep(wait / 2 + random.random() * wait)
                except Exception as err:
                    failures.append(f"{type(err).__name__}: {err}"[:200])
                    return
                times.append((time.monotonic() - begin) * 1000.0)
                sizes.append(len(json.dumps(answer, separators=(",", ":"), ensure_ascii=False).encode()))
                if not (isinstance(answer, dict) and answer.get("ok")):
                    failures.append(str(answer)[:200])

        await asyncio.gather(*(one(c) for c in self.clients[start:]))
        return {
            "joined": len(times) - len(failures),
            "failed": len(failures),
            "errors": failures[:5],
            "ms": times,
            "bytes": sizes,
            "retries": retries[0],
            "last": time.monotonic(),
        }

    async def quiet(self, seconds: float, timeout: float) -> float:
        """Wait until no event has arrived for `seconds` (the joins' presence events are delivered)."""
        start = time.monotonic()
        while time.monotonic() - self.last_event < seconds and time.monotonic() - start < timeout:
            await asyncio.sleep(0.1)
        return time.monotonic() - start

    async def reset(self) -> int:
        self.latencies = []
        self.received = 0
        return len(self.clients)

    async def collect(self, expected: int, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while self.received < expected and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return {"received": self.received, "latencies": list(self.latencies)}

    async def vote(self, motion_id: int, start_at: float, timeout: float, interval: float = 0.0) -> dict:
        """Every client submits its vote twice at once: all at start_at (a monotonic time), or the
        i-th client at start_at + i × interval (a steady stream of voters)."""
        await asyncio.sleep(max(start_at - time.monotonic(), 0))
        results: list[tuple] = []

        async def one(client, index: int):
            await asyncio.sleep(max(start_at + index * interval - time.monotonic(), 0))
            begin = time.monotonic()
            try:
                answer = await client.call(
                    "vote", {"motion_id": motion_id, "choice": "for"}, namespace=NAMESPACE, timeout=timeout
                )
            except Exception as err:
                answer = {"ok": False, "error": {"code": type(err).__name__}}
            end = time.monotonic()
            ok = isinstance(answer, dict) and bool(answer.get("ok"))
            code = answer.get("receipt") if ok else (answer.get("error") or {}).get("code", str(answer)[:80])
            results.append((index, begin, end, ok, code))

        await asyncio.gather(*(one(c, i) for i, c in enumerate(self.clients) for _twice in range(2)))
        return {"results": results}

    async def disconnect(self) -> int:
        clients, self.clients = self.clients, []
        await asyncio.gather(*(asyncio.wait_for(c.disconnect(), 10) for c in clients), return_exceptions=True)
        sessions, self.sessions = self.sessions, []
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
        await asyncio.sleep(0.2)
        return len(clients)


def _worker_main(conn, url: str, cookie_name: str, core: int | None, sources: list[str] | None = None) -> None:
    pin(core)
    asyncio.run(Worker(conn, url, cookie_name, sources).serve())


class LoadPool:
    """Worker processes holding client connections; every call fans a command out and gathers."""

    def __init__(
        self, url: str, cookie_name: str, workers: int = 4, core: int | None = None, sources: list[str] | None = None
    ):
        context = mp.get_context("spawn")
        self.pipes = []
        self.processes = []
        for w in range(workers):
            parent, child = context.Pipe()
            share = sources[w::workers] if sources and len(sources) >= workers else sources
            process = context.Process(target=_worker_main, args=(child, url, cookie_name, core, share), daemon=True)
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    def _each(self, commands: list[tuple]) -> list:
        for pipe, command in zip(self.pipes, commands, strict=True):
            pipe.send(command)
        results = []
        for pipe in self.pipes:
            status, result = pipe.recv()
            if status != "ok":
                raise RuntimeError(f"load worker failed: {result}")
            results.append(result)
        return results

    def _all(self, command: str, *args) -> list:
        return self._each([(command, args)] * len(self.pipes))

    def connect(self, cookies: list[str], concurrency: int = 25, timeout: float = 60) -> dict:
        shares = [cookies[i :: len(self.pipes)] for i in range(len(self.pipes))]
        results = self._each([("connect", (share, concurrency, timeout)) for share in shares])
        return {
            "connected": sum(r["connected"] for r in results),
            "failed": sum(r["failed"] for r in results),
            "errors": [e for r in results for e in r["errors"]][:5],
            "handshake_ms": [t for r in results for t in r["handshake_ms"]],
        }

    def join(
        self,
        consultation_id: int,
        concurrency: int = 25,
        timeout: float = 60,
        start: list | None = None,
        at: float | None = None,
    ):
        """Every client joins (from `start[w]` on in worker w); `at`: all at that monotonic instant."""
        starts = start or [0] * len(self.pipes)
        results = self._each([("join", (consultation_id, concurrency, timeout, s, at)) for s in starts])
        return {
            "joined": sum(r["joined"] for r in results),
            "failed": sum(r["failed"] for r in results),
            "errors": [e for r in results for e in r["errors"]][:5],
            "ms": [t for r in results for t in r["ms"]],
            "bytes": [b for r in results for b in r["bytes"]],
            "retries": sum(r["retries"] for r in results),
            "last": max(r["last"] for r in results),
        }

    def quiet(self, seconds: float = 1.0, timeout: float = 90) -> float:
        """Seconds until every worker has heard nothing for `seconds`."""
        return max(self._all("quiet", seconds, timeout))

    def reset(self) -> list[int]:
        """Forget the latencies so far; note how many clients each worker holds."""
        self.sizes_cache = self._all("reset")
        return self.sizes_cache

    def collect(self, per_client: int, timeout: float) -> dict:
        sizes = self.sizes_cache
        results = self._each([("collect", (n * per_client, timeout)) for n in sizes])
        return {
            "received": sum(r["received"] for r in results),
            "latencies": [x for r in results for x in r["latencies"]],
        }

    def vote(self, motion_id: int, start_at: float, timeout: float = 60, rate: float | None = None) -> list[tuple]:
        """All voters at start_at, or (rate) a steady stream of that many voters per second over all workers."""
        interval = len(self.pipes) / rate if rate else 0.0
        results = self._all("vote", motion_id, start_at, timeout, interval)
        return [(w, *row) for w, r in enumerate(results) for row in r["results"]]

    def disconnect(self) -> int:
        return sum(self._all("disconnect"))

    def close(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError):
                pipe.send(("exit", ()))
        for pipe, process in zip(self.pipes, self.processes, strict=True):
            try:
                if pipe.poll(15):
                    pipe.recv()
            except (EOFError, OSError):
                pass
            process.join(5)
            if process.is_alive():
                process.kill()
