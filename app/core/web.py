"""The edge of an HTTP request: it owns the transaction. Thin views are built from three helpers here.

- `perform(action)`: call a use case (services flush, never commit), commit once, and answer a refusal
  (DomainError) by rolling back: nothing half-written, and nothing queued for after the commit (emits,
  notifications pushed to a socket) leaves.
- `form_view(form, action, render=..., done=...)`: the shape of every form view: a valid POST performs the
  use case and redirects (`done(result)`); a refusal goes beside its field and the form is shown again with
  the refusal's status; an invalid POST is shown with 400; a GET shows the form.
- `safe_next`, `handle_refusal`, `show_error`: the pieces they are made of, for the odd view that needs them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from flask import Response, current_app, flash, has_request_context, request, url_for

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
    nothing half-written (a refusal that `keeps_writes` is committed instead: what it wrote is the record of
    the refused try). A refusal whose status is in `reraise` (403, 404) is raised again, to be answered
    with the error page. Anything else goes next to the form's field the error names, or is flashed (always
    flashed without a form); the caller renders or redirects with the returned status.

        except DomainError as err:
            status = handle_refusal(err, form)
    """
    if err.keeps_writes:
        db.session.commit()  # the refusal is a record (a wrong code's try): it stays
    else:
        db.session.rollback()
    if err.status_code in reraise:
        raise err
    if form is not None:
        show_error(form, err)
    else:
        flash(err.message, "error")
    return err.status_code


@dataclass(frozen=True)
class Outcome:
    """What `perform` did: the use case's result, or the status its refusal is answered with."""

    result: Any = None
    status: int = 200

    @property
    def ok(self) -> bool:
        return self.status < 400


def perform(action: Callable[[], Any], form=None, *, reraise=ERROR_PAGES) -> Outcome:
    """Run one use case at the edge and commit once; a refusal rolls back and is reported (see
    `handle_refusal`: 403 and 404 are raised again, for the error page)."""
    try:
        result = action()
        db.session.commit()
    except DomainError as err:
        return Outcome(status=handle_refusal(err, form, reraise=reraise))
    return Outcome(result)


def form_view(
    form,
    action: Callable[[], Any],
    *,
    render: Callable[[int], Any],
    done: Callable[[Any], Any],
    message=None,
):
    """A form page: GET shows it; a valid POST performs `action` and returns `done(result)` (a redirect),
    flashing `message` first; an invalid POST or a refusal shows it again (`render(status)`)."""
    status = 200
    if form.validate_on_submit():
        outcome = perform(action, form)
        if outcome.ok:
            if message is not None:
                flash(message, "success")
            return done(outcome.result)
        status = outcome.status
    elif request.method == "POST":
        status = 400
    return render(status)


DOWNLOAD_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "zip": "application/zip",
}


def download(body: bytes, extension: str, *, ascii_name: str, name: str) -> Response:
    """An export as a file download: `ascii_name` for old clients, `name` (Chinese allowed) for the rest,
    both without the extension; never cached by a shared cache."""
    disposition = (
        f"attachment; filename={ascii_name}.{extension}; filename*=UTF-8''{quote(f'{name}.{extension}', safe='')}"
    )
    return Response(
        body,
        mimetype=DOWNLOAD_TYPES[extension],
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )


def path_for(endpoint: str, **values) -> str:
    """A page's path, in a request or not (a CLI command, the demo, the scheduler's tick, a background job)."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)
