"""Pages first: socket events that can wait give the process to the HTTP requests in flight (issue 20).

One process (one gevent or eventlet worker) runs every green thread in turn: a green thread runs until it
waits (a query, Redis, a socket), then every other ready one runs before it gets the core back. A thousand
joins arriving at once are a thousand ready green threads, and a page request waits behind all of them at
each of its own waits: a page of 150 ms took over a second while a storm of joins ran.

An event whose client asks again when told to (a join: it retries with back-off, and a `busy` answer says
when) is marked `yields_to_pages` (core.sockets.acknowledged) and goes through this process's gate before its
handler starts, before Flask's context for it is even built:

- at most `SOCKET_DEFERRED_CONCURRENCY` such handlers run at once; the others wait in line, cheaply (one
  condition wait each, woken in order of arrival, as many as there are turns);
- while an HTTP request (a page, a form post, a static file) is being served in this process, and for
  `SOCKET_PAGES_GRACE_SECONDS` after the last one ended, at most `SOCKET_DEFERRED_DURING_PAGES` of them start:
  the page waits behind that few at each of its waits, and the joins still go on (never none: nothing starves,
  and a page that never ends cannot stop them). The grace (off by default): pages come one after another (a
  page, then its files; many residents opening the room), and a gate opened wide in the millisecond between
  two lets up to the wide limit in, to run during the next page. Measured with a page asked for again and
  again through a storm of 1,000 joins (gevent, bench/NOTES.md): without the grace the page's p50 is 80 ms
  against 46 idle and the joins take 1.5 s; with 50 ms of grace 52–55 ms, and the joins 9 s;
- a handler that waits in line longer than its slot wait is answered `busy` (retry after), as a saturated
  process answers it anyway.

Requests are counted by `PagesInFlight`, a WSGI middleware inside Flask-SocketIO's: the Socket.IO traffic
(polling and WebSocket) never reaches it. Plain Python: the green threads come from the patched `threading`.
"""

from __future__ import annotations

import threading
import time


class PageFirstGate:
    """The process's gate: handlers that can wait `enter()` and `leave()`; requests `page_started()` and
    `page_ended()`."""

    def __init__(self):
        self._cond = threading.Condition(threading.Lock())
        self.pages = 0  # HTTP requests being served now
        self.running = 0  # handlers that can wait, running now
        self.waiting = 0
        self._wide = self._narrow = 1  # the limits last asked for: how many to wake when a turn comes free
        self._grace = 0.0  # the grace last asked for
        self._last_page_ended = float("-inf")
        self._timer = False  # a wake-up is set for the grace's end

    def _pages_lately(self) -> bool:
        return bool(self.pages) or time.monotonic() - self._last_page_ended < self._grace

    def _limit(self, wide: int, narrow: int) -> int:
        return max(1, min(narrow, wide) if self._pages_lately() else wide)

    def enter(self, wide: int, narrow: int, timeout: float, grace: float = 0.0) -> bool:
        """Wait for a turn (at most `timeout` seconds); False if none came. Every True is followed by leave().
        `grace`: seconds after the last page ended that the narrow limit still holds."""
        with self._cond:
            self._wide, self._narrow, self._grace = wide, narrow, grace
            if not self.waiting and self.running < self._limit(wide, narrow):
                self.running += 1
                return True
            deadline = time.monotonic() + timeout
            self.waiting += 1
            try:
                while self.running >= self._limit(wide, narrow):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    self._cond.wait(left)
                self.running += 1
                return True
            finally:
                self.waiting -= 1

    def leave(self) -> None:
        with self._cond:
            self.running -= 1
            free = self._limit(self._wide, self._narrow) - self.running
            if self.waiting and free > 0:
                self._cond.notify(free)  # as many as there are turns (more once a grace is over)

    def page_started(self) -> None:
        with self._cond:
            self.pages += 1

    def page_ended(self) -> None:
        with self._cond:
            self.pages -= 1
            if self.pages:
                return
            self._last_page_ended = time.monotonic()
            if not self.waiting:
                return
            if self._grace <= 0:
                self._cond.notify(max(self._wide - self.running, 0))
            elif not self._timer:
                self._wake_after(self._grace)

    def _wake_after(self, seconds: float) -> None:
        """Wake the waiting at the grace's end if no page came since (one timer at a time: a green thread)."""
        self._timer = True
        timer = threading.Timer(seconds, self._grace_over)
        timer.daemon = True
        timer.start()

    def _grace_over(self) -> None:
        with self._cond:
            self._timer = False
            if self.pages or not self.waiting:
                return  # a page in flight: its end sets the next wake-up; nobody waiting: nothing to do
            left = self._grace - (time.monotonic() - self._last_page_ended)
            if left > 0:
                self._wake_after(left)  # another page ended since: its grace
            else:
                self._cond.notify(max(self._wide - self.running, 0))


gate = PageFirstGate()


class PagesInFlight:
    """WSGI middleware: each request counts as a page in flight until the application has made its response
    (the view's queries and its template: the work that waits its turn at each query). Sending the made
    response is left uncounted: it rarely waits, and a server (or a test client) that never closes a response
    cannot leave a page in flight for ever."""

    def __init__(self, wsgi_app, page_gate: PageFirstGate = gate):
        self.wsgi_app = wsgi_app
        self.gate = page_gate

    def __call__(self, environ, start_response):
        self.gate.page_started()
        try:
            return self.wsgi_app(environ, start_response)
        finally:
            self.gate.page_ended()
