"""Small helpers for thin views: safe redirects and answering a service's refusal (DomainError) on the page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash

from app.core.errors import DomainError
from app.extensions import db

ERROR_PAGES = (403, 404)  # a refusal with one of these statuses is answered with the error page, not the form


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


def handle_refusal(err: DomainError, form=None, *, reraise=ERROR_PAGES) -> int:
    """A service refused: undo what it wrote, then report the refusal; returns the status to answer with.

    Call it in `except DomainError as err:`. The session is rolled back first, so a failed call leaves
    nothing half-written. A refusal whose status is in `reraise` (403, 404) is raised again, to be answered
    with the error page. Anything else goes next to the form's field the error names, or is flashed (always
    flashed without a form); the caller renders or redirects with the returned status.

        except DomainError as err:
            status = handle_refusal(err, form)
    """
    db.session.rollback()
    if err.status_code in reraise:
        raise err
    if form is not None:
        show_error(form, err)
    else:
        flash(err.message, "error")
    return err.status_code
