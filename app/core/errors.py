"""Domain errors: a stable code, a translated message, an HTTP status."""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from app.extensions import db


class DomainError(Exception):
    """A refused use case. Services raise it; views and sockets report it.

    The edge rolls back what the use case wrote, unless the refusal `keeps_writes`: a refusal that is itself
    a record (a wrong one-time code counts a try, accounts.codes) is committed, so the next try sees it. Such a
    refusal must be raised before the use case wrote anything else."""

    status_code = 400
    keeps_writes = False

    def __init__(self, code: str, message, *, field: str | None = None, status: int | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field
        if status is not None:
            self.status_code = status

    def to_dict(self) -> dict:
        return {"code": self.code, "message": str(self.message)}


class Forbidden(DomainError):
    status_code = 403

    def __init__(self, message=None, *, code: str = "forbidden"):
        super().__init__(code, message or _l("You do not have permission to do this."))


class NotFound(DomainError):
    status_code = 404

    def __init__(self, message=None):
        super().__init__("not_found", message or _l("This item does not exist or is not visible to you."))


class Conflict(DomainError):
    status_code = 409


_HTTP_MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You do not have permission to do this."),
    404: _l("This page does not exist."),
    405: _l("This action is not allowed here."),
    413: _l("The upload is too large."),
    429: _l("Too many attempts. Please wait a moment and try again."),
    500: _l("Something went wrong on our side. Nothing you sent was lost; please try again."),
}


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _render(status: int, code: str, message) -> tuple:
    if status >= 500 or _failed_transaction():
        # The page itself reads (the user, the unread count): on a transaction the database refused it would
        # fail too (PendingRollbackError, or PostgreSQL's "current transaction is aborted"). Nothing a
        # failed request wrote is kept anyway.
        _rollback()
    if _wants_json():
        return jsonify(ok=False, error={"code": code, "message": str(message)}), status
    return render_template("core/error.html", status=status, message=message), status


def _failed_transaction() -> bool:
    """Whether the request's session is in a transaction that can only be rolled back.

    A healthy one is left alone: what it holds is discarded when the request ends, and tests that share the
    session of their app context with the requests they make keep their uncommitted rows.
    """
    session = db.session()
    if not session.in_transaction():
        return False
    if not session.is_active:  # a flush failed: SQLAlchemy refuses everything until a rollback
        return True
    try:
        dbapi = session.connection().connection.dbapi_connection
    except Exception:  # no connection to be had: rolling back is all that is left
        return True
    status = getattr(getattr(dbapi, "info", None), "transaction_status", None)
    return status == 3  # psycopg2.extensions.TRANSACTION_STATUS_INERROR: PostgreSQL refused a statement


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection itself is gone: the page renders without it, or fails on its own
        db.session.remove()


def register_error_handlers(app) -> None:
    """Render domain and HTTP errors as translated pages (or JSON when asked)."""

    @app.errorhandler(DomainError)
    def handle_domain_error(err: DomainError):
        return _render(err.status_code, err.code, err.message)

    @app.errorhandler(HTTPException)
    def handle_http_error(err: HTTPException):
        status = err.code or 500
        message = _HTTP_MESSAGES.get(status, err.description)
        code = {429: "rate_limited", 404: "not_found", 403: "forbidden"}.get(status, "bad_request")
        if status == 400 and "CSRF" in (err.description or ""):
            message = _l("The form expired or was sent twice. Please reload the page and try again.")
        return _render(status, code, message)
