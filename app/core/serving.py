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
