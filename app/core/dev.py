"""Development-only pages, registered only outside production (app factory): /dev/sms lists the text messages
the development SMS backend would have sent, codes and all, so that logging in with a code works locally."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.core import sms

bp = Blueprint("dev", __name__)


@bp.route("/dev/sms")
def sms_outbox():
    """The latest messages of the development SMS backend, newest first (none with another backend)."""
    backend = sms.backend()
    messages = backend.recent() if isinstance(backend, sms.DevelopmentBackend) else []
    page = render_template(
        "core/dev_sms.html",
        messages=messages,
        backend_name=type(backend).__name__,
        is_development=isinstance(backend, sms.DevelopmentBackend),
    )
    return page, 200, {"Cache-Control": "no-store"}
