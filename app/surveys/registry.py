"""The owners a survey may belong to. The kernel knows no feature: each owner registers its kind with its own
checks (as attachments' owners do in app/documents/registry.py):

    registry.register(registry.OwnerKind(
        name="satisfaction",                     # Survey.owner_kind
        can_view=...,                            # (viewer, survey) -> bool, narrower than the community rule
        can_manage=...,                          # open and close it by hand (False: the owner does it)
        can_see_results=...,                     # once closed: who reads the results
        url=lambda survey: ...,                  # the owner's page, linked from the survey
        label=_l("Satisfaction campaign"),
    ))

A survey with no owner (owner_kind None) is a stand-alone questionnaire or quick poll: the community's staff
make and run it, and every member reads its results once it is closed (app/surveys/permissions.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.core.errors import NotFound


@dataclass(frozen=True)
class OwnerKind:
    name: str
    can_view: Callable[[Any, Any], bool]
    can_manage: Callable[[Any, Any], bool]
    can_see_results: Callable[[Any, Any], bool]
    url: Callable[[Any], str]
    label: Any = ""


_KINDS: dict[str, OwnerKind] = {}


def register(kind: OwnerKind) -> OwnerKind:
    """Register (or, on a second app in one process, re-register) an owner kind."""
    if not kind.name.isascii() or not kind.name.isidentifier() or len(kind.name) > 32:
        raise ValueError(f"a survey owner kind's name is a short identifier: {kind.name!r}")
    _KINDS[kind.name] = kind
    return kind


def kind(name: str) -> OwnerKind:
    """The registered kind; NotFound (404) for a name nobody registered (its surveys are not shown)."""
    found = _KINDS.get(name)
    if found is None:
        raise NotFound()
    return found


def registered(name: str | None) -> bool:
    return name is not None and name in _KINDS
