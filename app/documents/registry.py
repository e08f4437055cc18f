"""The owner kinds documents may be attached to. The kernel knows no feature: each registers itself.

    registry.register(registry.OwnerKind(
        name="decision",                      # in URLs: /attachments/decision/<id>
        model=Decision,                       # loaded with access.load (the community's access rule)
        can_view=permissions.can_view,        # the feature's narrower rule: refused -> 404
        can_attach=permissions.can_attach,    # refused -> 403
        can_remove=permissions.can_remove_attachment,
        url=lambda d: url_for("decisions.show", decision_id=d.id),  # the owner's page
        admits=None,  # optional: who beyond the community's members and overseers reaches the owner's files
    ))

`admits(viewer, owner)` is the owner feature's rule for people who are not the community's (experts on a
service call's panel, a contracted organisation's agents): the access rule lets them through to that one
owner only, and `can_view` still decides. Without it, the community's access rule alone decides.

Views then pass `documents.services.panel(viewer, obj)` to the template's `attachments(panel)` macro.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.core.errors import NotFound


@dataclass(frozen=True)
class OwnerKind:
    name: str
    model: type
    can_view: Callable[[Any, Any], bool]
    can_attach: Callable[[Any, Any], bool]
    can_remove: Callable[[Any, Any], bool]
    url: Callable[[Any], str]
    community_of: Callable[[Any], int] = field(default=lambda obj: obj.community_id)
    admits: Callable[[Any, Any], bool] | None = None


_KINDS: dict[str, OwnerKind] = {}


def register(kind: OwnerKind) -> OwnerKind:
    """Register (or, on a second app in one process, re-register) an owner kind."""
    if not kind.name.isascii() or not kind.name.isidentifier() or len(kind.name) > 30:
        raise ValueError(f"an owner kind's name is a short identifier: {kind.name!r}")
    _KINDS[kind.name] = kind
    return kind


def kind(name: str) -> OwnerKind:
    """The registered kind of that name; NotFound (404) for any other."""
    found = _KINDS.get(name)
    if found is None:
        raise NotFound()
    return found


def kind_of(obj) -> OwnerKind:
    """The kind an object's model was registered as."""
    for registered in _KINDS.values():
        if isinstance(obj, registered.model):
            return registered
    raise LookupError(f"no owner kind registered for {type(obj).__name__}")
