""" "需要您处理": what needs the viewer now, as a registry of providers, one per feature.

A provider is a function `(viewer) -> list[Need]` registered with `@provider(order)`; it asks its feature's
`queries` (the feature decides what counts, through the one access rule and its permissions) and words the
items. A feature added later (notices) registers its own in a few lines:

    @needs.provider(15)
    def _new_notices(viewer):
        return [Need(_("New notice: %(t)s", t=n.title), url_for("notices.show", notice_id=n.id)) for n in ...]

The home page shows them in `order`, lowest first (what has a deadline before what is merely new).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.communities.access import Viewer


@dataclass(frozen=True)
class Need:
    text: str  # what, in plain words: "为「加装电梯」投票"
    url: str  # the exact page to act on, one tap away
    detail: str = ""  # when or how many: "12月10日周三 截止"
    urgent: bool = False  # shown first and marked: a deadline is near


Provider = Callable[[Viewer], list[Need]]
_PROVIDERS: list[tuple[int, str, Provider]] = []


def provider(order: int) -> Callable[[Provider], Provider]:
    """Register a provider of needs; `order` places its items on the page (lower first)."""

    def register(func: Provider) -> Provider:
        name = f"{func.__module__}.{func.__qualname__}"
        if all(existing != name for _, existing, _ in _PROVIDERS):
            _PROVIDERS.append((order, name, func))
            _PROVIDERS.sort(key=lambda item: (item[0], item[1]))
        return func

    return register


def needs_of(viewer: Viewer) -> list[Need]:
    """Everything that needs the viewer now in this community, urgent first, then in the providers' order.
    Only members and overseers have needs; a visitor has none."""
    if viewer.user is None or not viewer.may_see:
        return []
    found = [need for _, _, func in _PROVIDERS for need in func(viewer)]
    return sorted(found, key=lambda need: not need.urgent)  # stable: the providers' order within each
