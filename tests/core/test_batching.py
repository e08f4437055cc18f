"""Group commit (core.batching): requests that arrive while a batch is written go into the next one together."""

from __future__ import annotations

import threading

import pytest

from app.core.batching import GroupCommit


class Recorder:
    """A write() that records its batches and can be held open, so that others queue behind it."""

    def __init__(self):
        self.batches: list[list] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def __call__(self, items):
        self.batches.append(list(items))
        self.entered.set()
        assert self.release.wait(10)
        return [ValueError(f"refused {item}") if str(item).startswith("bad") else f"ok {item}" for item in items]


def submit_in_threads(writer: GroupCommit, items) -> dict:
    answers: dict = {}

    def one(item):
        try:
            answers[item] = writer.submit(item)
        except Exception as err:  # the refusal is the answer
            answers[item] = err

    threads = [threading.Thread(target=one, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    return {"threads": threads, "answers": answers}


def wait_queued(writer: GroupCommit, count: int) -> None:
    for _ in range(1000):
        if len(writer._queue) >= count:
            return
        threading.Event().wait(0.005)
    raise AssertionError(f"{count} requests never queued")


def behind_a_held_write(writer: GroupCommit, write: Recorder, items) -> dict:
    """Submit items while a first request's write is held open; release it; answers by item."""
    write.release.clear()
    first = submit_in_threads(writer, ["first"])
    assert write.entered.wait(5)
    rest = submit_in_threads(writer, items)
    wait_queued(writer, len(items))
    write.release.set()
    for thread in first["threads"] + rest["threads"]:
        thread.join(10)
    return rest["answers"]


def test_a_lone_request_is_written_at_once_as_a_batch_of_one():
    write = Recorder()
    writer = GroupCommit(write)
    assert writer.submit("a") == "ok a"
    assert writer.submit("b") == "ok b"
    assert write.batches == [["a"], ["b"]]


def test_requests_arriving_during_a_write_go_together_into_the_next_batch():
    write = Recorder()
    writer = GroupCommit(write)
    answers = behind_a_held_write(writer, write, [f"v{i}" for i in range(20)])
    assert write.batches[0] == ["first"]
    assert len(write.batches) == 2 and sorted(write.batches[1]) == sorted(f"v{i}" for i in range(20))
    assert answers == {f"v{i}": f"ok v{i}" for i in range(20)}


def test_a_refusal_goes_to_its_own_submitter_only():
    write = Recorder()
    writer = GroupCommit(write)
    answers = behind_a_held_write(writer, write, ["good1", "bad1", "good2"])
    assert answers["good1"] == "ok good1" and answers["good2"] == "ok good2"
    assert isinstance(answers["bad1"], ValueError) and str(answers["bad1"]) == "refused bad1"


def test_batches_are_at_most_max_batch_and_the_lead_passes_on():
    write = Recorder()
    writer = GroupCommit(write, max_batch=4)
    answers = behind_a_held_write(writer, write, [f"v{i}" for i in range(10)])
    assert [len(b) for b in write.batches] == [1, 4, 4, 2]
    assert len(answers) == 10 and all(a.startswith("ok") for a in answers.values())
    assert writer._leading is False and writer._queue == []


def test_a_failing_write_fails_its_batch_and_the_next_request_is_written():
    calls = []

    def write(items):
        calls.append(list(items))
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return [f"ok {item}" for item in items]

    writer = GroupCommit(write)
    with pytest.raises(RuntimeError, match="database went away"):
        writer.submit("a")
    assert writer.submit("b") == "ok b"


def test_a_write_that_answers_the_wrong_number_of_items_is_an_error_for_all():
    writer = GroupCommit(lambda items: [])
    with pytest.raises(RuntimeError, match="1 items had 0 outcomes"):
        writer.submit("a")
    assert writer._leading is False
