"""What the server process (wsgi.py) needs that is plain Python: no eventlet or gevent here."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

# Beyond the connections: the database pool, Redis, log files, the listening socket.
SPARE_FILE_DESCRIPTORS = 256


def raise_open_files_limit(connections: int) -> tuple[int, int]:
    """Raise this process's soft RLIMIT_NOFILE so it can hold `connections` sockets.

    The soft limit goes up to what is needed, never above the hard limit (only
    root may raise that: see docs/deploy.md, LimitNOFILE=). Returns the
    (soft, hard) limits in force afterwards.
    """
    try:
        import resource
    except ImportError:  # not on this platform (Windows): nothing to raise
        return (-1, -1)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + SPARE_FILE_DESCRIPTORS
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError) as err:
            logger.warning("could not raise the open files limit to %s: %s", wanted, err)
    if soft != resource.RLIM_INFINITY and soft < connections + SPARE_FILE_DESCRIPTORS:
        logger.warning(
            "open files limit %s is below %s connections + %s spare: raise LimitNOFILE (docs/deploy.md)",
            soft,
            connections,
            SPARE_FILE_DESCRIPTORS,
        )
    return soft, hard


class InFlight:
    """WSGI middleware keeping the requests this process is serving, so that a draining process knows
    when the last one has finished. A request counts until its response has been sent (close()).

    A WebSocket is not counted among the requests: it lasts as long as the phone stays, and a draining
    process closes it itself (wsgi.drain_sockets), telling the phone to reconnect elsewhere. Open
    WebSockets are counted apart (`websockets`).
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.requests: dict[int, str] = {}
        self.websockets = 0

    @property
    def count(self) -> int:
        return len(self.requests)

    def __call__(self, environ, start_response):
        if environ.get("HTTP_UPGRADE", "").lower() == "websocket":
            self.websockets += 1  # the call lasts as long as the WebSocket
            try:
                return self.wsgi_app(environ, start_response)
            finally:
                self.websockets -= 1
        from werkzeug.wsgi import ClosingIterator

        key = id(environ)
        self.requests[key] = f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}"
        try:
            response = self.wsgi_app(environ, start_response)
        except BaseException:
            self.requests.pop(key, None)
            raise
        return ClosingIterator(response, [lambda: self.requests.pop(key, None)])
