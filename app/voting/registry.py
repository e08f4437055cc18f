"""What each kind of poll is, for pages that show any ballot (the receipts lookup).

A feature registers its poll type once at import; voting never imports features.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Subject:
    """A poll's subject as a voter recognises it."""

    kind: str  # "议题表决", "提案大赛", "业主共同决定" (translated)
    title: str
    url: str | None
    choice_label: Callable[[str], str] = str
    # the result once decided, for a poll whose result needs no certification (a motion's vote is decided
    # when the chair closes it: "Carried"); None while undecided, and for certified polls
    outcome: str | None = None


_describers: dict[str, Callable[[int], Subject | None]] = {}


def register(poll_type: str, describe: Callable[[int], Subject | None]) -> None:
    """Tell voting how to describe a poll of this type by its subject id."""
    _describers[poll_type] = describe


def describe(poll_type: str, subject_id: int) -> Subject | None:
    describer = _describers.get(poll_type)
    return describer(subject_id) if describer else None
