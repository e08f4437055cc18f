"""What an agenda item may point to: a motion, an idea, a micro-project, a decision. Meetings know none of
those features (they sit beside or above them): each kind is registered from app/flows/meeting_items.py with
the feature's own rule for who may see it, like the documents kernel's OwnerKind.

    register(ItemKind(name="idea", label=_l("Golden idea"), resolve=..., candidates=...))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.communities.access import Viewer


@dataclass(frozen=True)
class Linked:
    """An item's target as a viewer may see it."""

    kind: str
    id: int
    title: str
    url: str
    status: str = ""  # its state now, in words (the minutes record it)


@dataclass(frozen=True)
class ItemKind:
    name: str  # stored in agenda_items.ref_kind
    label: object  # a lazy string: "Golden idea"
    # the target if it exists in the viewer's community and the viewer may see it, else None
    resolve: Callable[[Viewer, int], Linked | None]
    # what the agenda form offers for a consultation: (id, title) pairs, newest first
    candidates: Callable[[Viewer, object], list[tuple[int, str]]]


_KINDS: dict[str, ItemKind] = {}


def register(kind: ItemKind) -> ItemKind:
    _KINDS[kind.name] = kind
    return kind


def get(name: str | None) -> ItemKind | None:
    return _KINDS.get(name or "")


def kinds() -> list[ItemKind]:
    return list(_KINDS.values())


def resolve(viewer: Viewer, kind: str | None, ref_id: int | None) -> Linked | None:
    found = get(kind)
    if found is None or ref_id is None:
        return None
    return found.resolve(viewer, ref_id)
