"""Input no route has to check for itself: ids beyond an INTEGER column and characters no database stores.

- `<int:...>` in any route is an id between 1 and MAX_ID: a larger one (2**63) is a 404, as a missing
  object is, instead of an overflow in the database driver (SQLite) or an out-of-range error (PostgreSQL).
- `<slug>`, `<string:...>` and `<path:...>` never hold a control character: "a\\x00b" in a path is a 404.
- A query string holding one is refused with 400 before any view reads it.

The converters replace werkzeug's own under the same names in `GuardedMap`, the application's URL map
class (create_app), so every rule uses them, the static files' rule too.
"""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, Map, PathConverter, UnicodeConverter, ValidationError

from app.core.validation import MAX_ID, unstorable


class IdConverter(IntegerConverter):
    """`<int:...>`: a whole number from 1 to MAX_ID (unless the rule names its own bounds)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> int:
        if len(value) > 20:  # no id has more digits: do not even parse it
            raise ValidationError()
        return super().to_python(value)


class TextConverter(UnicodeConverter):
    """`<name>` and `<string:name>`: a path segment without control characters."""

    def to_python(self, value: str) -> str:
        if unstorable(value, multiline=False):
            raise ValidationError()
        return value


class SafePathConverter(PathConverter):
    """`<path:name>`: a path without control characters."""

    def to_python(self, value: str) -> str:
        if unstorable(value, multiline=False):
            raise ValidationError()
        return value


class GuardedMap(Map):
    """The URL map with the converters above in place of werkzeug's."""

    default_converters = {
        **Map.default_converters,
        "int": IdConverter,
        "default": TextConverter,
        "string": TextConverter,
        "path": SafePathConverter,
    }


def register_input_guards(app: Flask) -> None:
    """Refuse a query string holding a control character (400), before any view reads it."""
    if not isinstance(app.url_map, GuardedMap):
        raise RuntimeError("the application's url_map_class must be core.guards.GuardedMap")

    @app.before_request
    def refuse_control_characters_in_the_query_string():
        for name, values in request.args.lists():
            if unstorable(name, multiline=False) or any(unstorable(v, multiline=False) for v in values):
                abort(400)
