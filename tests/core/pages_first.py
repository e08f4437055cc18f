"""A process whose pages go first (core.priority), caught at its busiest: shared by the tests of every event that
yields to pages (a room's join, a contest's join)."""

from __future__ import annotations

from contextlib import contextmanager

from app.core import priority


@contextmanager
def a_page_in_flight_and_its_one_turn_taken(app, slot_wait: str):
    """A page is being served and another event holds the one turn a page leaves, and an event waits 50 ms for
    its turn (`slot_wait`: the setting its handler names): an event that yields to pages is answered busy."""
    saved = {name: app.config[name] for name in ("SOCKET_DEFERRED_DURING_PAGES", slot_wait)}
    app.config.update({"SOCKET_DEFERRED_DURING_PAGES": 1, slot_wait: 0.05})
    priority.gate.page_started()
    assert priority.gate.enter(wide=64, narrow=1, timeout=1)
    try:
        yield
    finally:
        priority.gate.leave()
        priority.gate.page_ended()
        app.config.update(saved)
