"""The scheduler's tick (`flask yishi tick`, every minute from a systemd timer or cron): what is due now.

The kernel's own steps (quiet hours over, digests, retries with back-off, deliveries a dead worker left
sending: settled with the provider) and the reminders other packages register (app/flows registers "a vote
closing tomorrow you have not cast"): each hook takes the time, notifies (idempotently: notify(key=...))
and returns how many it sent.
The tick is an edge: each step commits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.extensions import db
from app.notifications import delivery

HOOKS: dict[str, Callable[[datetime], int]] = {}


def register(name: str, hook: Callable[[datetime], int]) -> None:
    HOOKS[name] = hook


def tick(now: datetime) -> dict[str, int]:
    """Run every step once; returns what each did."""
    done = {"settled": delivery.settle(now)}
    for name, hook in HOOKS.items():  # reminders first: their deliveries go out in this same tick
        done[name] = hook(now)
        db.session.commit()
    done["released"] = delivery.release_held(now)
    done["digests"] = delivery.send_digests(now)
    done["retried"] = delivery.retry_failed(now)
    return done
