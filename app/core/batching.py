"""Group commit: requests that arrive while one batch is being written go into the next, together.

A burst of a thousand votes would otherwise be a thousand transactions, each paying for the same
permission queries and a commit. Here the first request to arrive writes alone; the ones that
arrive meanwhile wait, and the first of them writes all of them in one transaction, and so on.
Under no load a request is written at once (a batch of one), so nothing waits for a timer.

There is no background worker: whoever is first in the queue leads, inside its own request and
app context, with its own database session. The waiting requests' threads (or green threads)
only wait. That works the same in every async mode and in tests.

The group commit is its own edge, one of the two documented exceptions to "services never commit" (the
other is the ballot sealer, voting.services.sealer): the leader's `write` commits the whole batch once,
because no single request's edge owns a transaction that carries the others' votes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(eq=False)
class _Slot:
    item: object
    done: threading.Event = field(default_factory=threading.Event)
    lead: bool = False
    result: object = None
    error: BaseException | None = None


class GroupCommit:
    """Run write(items) for batches of up to max_batch submitted items; submit() returns each item's result.

    write() returns one outcome per item, in order: a value, or an exception instance, which is raised
    to that item's submitter alone. If write() itself raises, every item of the batch gets that error.
    """

    def __init__(self, write: Callable[[Sequence[object]], list], *, max_batch: int = 500):
        self._write = write
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Slot] = []
        self._leading = False

    def submit(self, item):
        slot = _Slot(item)
        with self._lock:
            self._queue.append(slot)
            follow = self._leading
            self._leading = True
        if follow:
            slot.done.wait()
        if not follow or slot.lead:
            self._lead()
        if slot.error is not None:
            raise slot.error
        return slot.result

    def _lead(self) -> None:
        """Write one batch (which holds this request's own item: it is first in the queue), then pass on."""
        with self._lock:
            batch, self._queue = self._queue[: self._max_batch], self._queue[self._max_batch :]
        outcomes: list = [RuntimeError("the batch was interrupted")] * len(batch)
        try:
            written = self._write([slot.item for slot in batch])
            if len(written) != len(batch):
                raise RuntimeError(f"a batch of {len(batch)} items had {len(written)} outcomes")
            outcomes = written
        except Exception as err:  # each submitter gets the error and answers it as its own
            outcomes = [err] * len(batch)
        finally:
            # even if this (green) thread is being killed: answer everyone and pass the lead on
            for slot, outcome in zip(batch, outcomes, strict=True):
                if isinstance(outcome, BaseException):
                    slot.error = outcome
                else:
                    slot.result = outcome
                slot.done.set()
            with self._lock:
                if self._queue:
                    successor = self._queue[0]
                    successor.lead = True
                    successor.done.set()
                else:
                    self._leading = False
