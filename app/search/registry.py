"""What search can find: each kind registers a provider. A new kind (a notice, say) adds itself with one
`register(Provider(...))` in providers.py, about twenty lines: how to read its document from an object, who
may see it, where it is shown, and (if others change what it shows) which models to watch."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Document:
    """The text of one object as it is indexed. Only what every member of its community may see."""

    community_id: int
    title: str
    body: str
    status: str
    created_at: datetime
    category: str | None = None
    building_id: int | None = None
    parent_id: int | None = None


@dataclass(frozen=True)
class Provider:
    kind: str  # stored in search_documents.kind, at most 20 characters
    model: type  # the indexed model
    document: Callable[[Any], Document | None]  # None: not to be found (a draft, hidden content)
    can_view: Callable[[Any, Any], bool]  # (viewer, object): the feature's own rule, checked per result
    url: Callable[[Any], str]
    label: Any  # the kind's name (lazy_gettext)
    group: str = ""  # the filter it is found under (speeches under consultations); the kind itself if empty
    statuses: dict = field(default_factory=dict)  # status value -> label, for the filter and the results
    context: Callable[[Any], str] | None = None  # a line saying where it is (a speech: its consultation)
    watches: tuple[tuple[type, Callable[[Any], Iterable[Any]]], ...] = ()  # another model's change -> objects
    fields: tuple[str, ...] = ()  # the attributes its document reads: a change to others writes nothing (all if empty)

    @property
    def filter(self) -> str:
        return self.group or self.kind


PROVIDERS: dict[str, Provider] = {}


def register(provider: Provider) -> Provider:
    PROVIDERS[provider.kind] = provider
    return provider


def groups() -> dict[str, Any]:
    """The kinds a search may be narrowed to, value -> label (a group under its first provider's label)."""
    found: dict[str, Any] = {}
    for provider in PROVIDERS.values():
        found.setdefault(provider.filter, provider.label)
    return found


def kinds_of(group: str) -> list[str]:
    return [p.kind for p in PROVIDERS.values() if p.filter == group]
