"""Live turnout for the /contests rooms, coalesced: a ballot marks its contest, and a background task
sends each marked contest's turnout at most every FLUSH_INTERVAL seconds.

In a server process the task starts with the first ballot. Tests (and any app with
CONTESTS_TURNOUT_AUTOFLUSH false; the default under TESTING) call `flush()` themselves.
"""

from __future__ import annotations

import logging
import threading

from flask import current_app

from app.extensions import db, socketio

FLUSH_INTERVAL = 0.25  # seconds: at most four turnout updates a second per contest
logger = logging.getLogger(__name__)

_lock = threading.Lock()
_pending: set[int] = set()
_started = False


def mark(contest_id: int) -> None:
    """A ballot was committed: this contest's turnout is to be sent."""
    with _lock:
        _pending.add(contest_id)
    app = current_app._get_current_object()
    if app.config.get("CONTESTS_TURNOUT_AUTOFLUSH", not app.testing):
        _ensure_task(app)


def pending() -> set[int]:
    with _lock:
        return set(_pending)


def _ensure_task(app) -> None:
    global _started
    with _lock:
        if _started:
            return
        _started = True
    socketio.start_background_task(_run, app)


def stop() -> None:
    """Let the background task end after its current pause (tests; a clean shutdown)."""
    global _started
    with _lock:
        _started = False


def _running() -> bool:
    with _lock:
        return _started


def _run(app) -> None:
    while _running():
        socketio.sleep(FLUSH_INTERVAL)
        try:
            flush(app)
        except Exception:  # keep the task alive: the next ballot marks again
            logger.exception("contest turnout flush failed")


def flush(app=None) -> int:
    """Send the turnout of every marked contest to its room; returns how many were sent."""
    from app.contests import services
    from app.contests.models import Contest

    with _lock:
        taken = sorted(_pending)
        _pending.clear()
    if not taken:
        return 0
    app = app or current_app._get_current_object()
    with app.app_context():
        try:
            for contest_id in taken:
                contest = db.session.get(Contest, contest_id)
                if contest is not None:
                    socketio.emit("turnout", services.turnout(contest), namespace=services.NAMESPACE, to=contest.room)
        finally:
            db.session.remove()
    return len(taken)
