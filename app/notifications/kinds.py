"""Kinds of notification and their importance: the packages that send a kind register it; the kernel knows
no feature.

    URGENT = kinds.register("notice_urgent", Importance.URGENT, _l("Urgent notices"))

Importance decides the defaults and the quiet hours (docs in app/notifications/delivery.py):

- urgent: a text message at any hour (never held for the quiet hours);
- action: needs the person to act by a deadline (a vote opened for them, a vote closing tomorrow they have
  not cast, their verification decided): a text message by default, held overnight;
- info: the inbox only, unless the person chooses a text message, an email or the daily digest.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


class Importance(enum.StrEnum):
    URGENT = "urgent"
    ACTION = "action"
    INFO = "info"


class Channel(enum.StrEnum):
    """Ways out of the app; the inbox (in-app) always gets every notification."""

    SMS = "sms"
    EMAIL = "email"


class Mode(enum.StrEnum):
    """What a person chose for one kind on one channel."""

    NOW = "now"
    DIGEST = "digest"  # in the daily digest (one message at DIGEST_HOUR)
    OFF = "off"


IMPORTANCE_LABELS = {
    Importance.URGENT: _l("Urgent"),
    Importance.ACTION: _l("Needs you to act"),
    Importance.INFO: _l("For information"),
}
CHANNEL_LABELS = {Channel.SMS: _l("Text message"), Channel.EMAIL: _l("Email")}
MODE_LABELS = {Mode.NOW: _l("At once"), Mode.DIGEST: _l("In the daily digest"), Mode.OFF: _l("Off")}


@dataclass(frozen=True)
class Kind:
    name: str
    importance: Importance
    label: object  # a lazy string: what the preferences page calls it

    def default(self, channel: Channel) -> Mode:
        """An elderly resident's defaults: a text message only for what needs them (urgent or action), email
        off until they set it."""
        if channel == Channel.SMS and self.importance in (Importance.URGENT, Importance.ACTION):
            return Mode.NOW
        return Mode.OFF


_KINDS: dict[str, Kind] = {}
FALLBACK = Kind("other", Importance.INFO, _l("Other messages"))


def register(name: str, importance: Importance, label) -> Kind:
    """Declare a kind (once per name; registering it again with the same importance is harmless)."""
    found = _KINDS.get(name)
    if found is not None and found.importance != importance:
        raise ValueError(f"notification kind {name!r} registered twice with different importance")
    kind = _KINDS[name] = Kind(name, importance, label)
    return kind


def get(name: str) -> Kind:
    """The registered kind, or the fallback (info) for a name nobody registered."""
    return _KINDS.get(name, FALLBACK)


def all_kinds() -> list[Kind]:
    """Every registered kind, most important first, then by name."""
    order = {Importance.URGENT: 0, Importance.ACTION: 1, Importance.INFO: 2}
    return sorted(_KINDS.values(), key=lambda k: (order[k.importance], k.name))
