"""The JSON module Socket.IO packets are written and read with (SocketIO(json=...)): the standard one, except
that a `Fragment`, a value encoded once and kept, is written into a packet as it was encoded, not again.

A room's shared join answer (its last page of speeches: about 12 KB) is the same for a thousand joiners: it is
encoded once per version of the room, and each joiner's acknowledgement splices it in (issue 20). A fragment is
also opaque to python-socketio's search of every packet for binary attachments, which walked each answer's
whole tree. Reading is engine.io's own (bounded integers).
"""

from __future__ import annotations

import json
import secrets

from engineio.json import loads  # noqa: F401 (this module is the packets' json: reading as engine.io reads)

# what stands for a fragment while the rest is encoded: unguessable, and holding a NUL, which no payload stores
_MARK = "\x00" + secrets.token_hex(8) + ":"


class Fragment:
    """A value encoded as JSON once, written as it is wherever a Socket.IO packet holds it. Encoded as packets
    are (compact separators, non-ASCII escaped), so a packet reads byte for byte as if the value were in it."""

    __slots__ = ("text",)

    def __init__(self, value) -> None:
        self.text = json.dumps(value, separators=(",", ":"))

    def __repr__(self) -> str:
        return f"Fragment({self.text[:40]!r}{'…' if len(self.text) > 40 else ''})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Fragment) and other.text == self.text

    __hash__ = None  # a value, compared by its text (as a dict or list it stands for would be)

    def value(self):
        """What was encoded (a copy)."""
        return json.loads(self.text)


def dumps(obj, **kwargs) -> str:
    """json.dumps, writing each Fragment's text where it stands."""
    fragments: list[str] = []
    outer = kwargs.pop("default", None)

    def default(value):
        if isinstance(value, Fragment):
            fragments.append(value.text)
            return f"{_MARK}{len(fragments) - 1}"
        if outer is not None:
            return outer(value)
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    text = json.dumps(obj, default=default, **kwargs)
    for number, fragment in enumerate(fragments):
        text = text.replace(json.dumps(f"{_MARK}{number}"), fragment, 1)
    return text


def plain(value):
    """The value with each fragment decoded again (for a caller that reads the answer in Python, as a client
    reads it after decoding)."""
    if isinstance(value, Fragment):
        return value.value()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value
