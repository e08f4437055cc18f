"""What objections may be raised on: each owner kind says who may see the thing objected to and where its
objections are shown. Registered from app/flows/objections.py; the kernel imports no feature."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.communities.access import Viewer


@dataclass(frozen=True)
class OwnerKind:
    name: str  # the objections' owner_kind: "poll", "meeting"
    can_view: Callable[[Viewer, int], bool]  # may the viewer see the owner with this id (refused: 404)
    url: Callable[[int], str]  # the owner's page, where its objections are listed


_kinds: dict[str, OwnerKind] = {}


def register(kind: OwnerKind) -> None:
    _kinds[kind.name] = kind


def kind(name: str) -> OwnerKind | None:
    return _kinds.get(name)
