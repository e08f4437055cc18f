"""Small helpers for thin views: safe redirects and showing domain errors on forms."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site; anything else (another host, a scheme) falls back."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def show_error(form, err) -> None:
    """Put a DomainError next to its field, or at the top of the form."""
    field = getattr(form, err.field, None) if err.field else None
    if field is not None:
        field.errors = [*field.errors, err.message] if isinstance(field.errors, list) else [err.message]
    else:
        flash(err.message, "error")
