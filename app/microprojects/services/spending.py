"""Expenditures: recorded with a photo of the receipt, within the project's allocation, while the work is
under way (ledger.py keeps the invariants)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.communities.access import Viewer
from app.core import validation
from app.core.errors import DomainError, Forbidden
from app.extensions import db
from app.microprojects import ledger, permissions
from app.microprojects.models import EntryKind, LedgerEntry, MicroProject, ProjectStatus

# Money is spent only while the work is under way: an approved project is started first (one tap by the
# applicant or staff), and a completed or evaluated project is closed to new expenditures.
SPENDING = frozenset({ProjectStatus.IN_PROGRESS})
CLOSED = frozenset({ProjectStatus.COMPLETED, ProjectStatus.EVALUATED})


def check_spending(viewer: Viewer, project: MicroProject) -> None:
    """Refuse, before anything is written (a receipt photo too), an expenditure the viewer may not record
    on `project` now: only its applicant and the staff, and only while the project is in progress."""
    if not permissions.can_keep_books(viewer, project):
        raise Forbidden()
    if project.status in CLOSED:
        raise DomainError(
            "project_closed", _l("This project is closed: no more expenditures can be recorded."), status=409
        )
    if project.status not in SPENDING:
        raise DomainError("wrong_status", _l("Expenditures are recorded while the project is in progress."), status=409)


def expenditure_by_client(viewer: Viewer, project: MicroProject, client_id) -> LedgerEntry | None:
    """The expenditure the viewer already recorded on `project` from the form `client_id`, if any."""
    if not isinstance(client_id, str) or not client_id or viewer.user_id is None:
        return None
    if len(client_id) > validation.MAX_CLIENT_ID or validation.unstorable(client_id):
        return None  # read before the form is validated: no such id was ever stored
    return db.session.scalar(
        select(LedgerEntry).where(
            LedgerEntry.project_id == project.id,
            LedgerEntry.actor_id == viewer.user_id,
            LedgerEntry.client_id == client_id,
            LedgerEntry.kind == EntryKind.EXPENDITURE,
        )
    )


def spend(
    viewer: Viewer,
    project: MicroProject,
    amount_fen: int,
    note: str = "",
    *,
    client_id,
    receipt: bytes | None = None,
    store=None,
    receipt_photo_id: int | None = None,
) -> LedgerEntry:
    """The applicant or staff record an expenditure with its receipt, within the allocation, while the
    project is in progress. A retry (same client_id) returns the first entry and records nothing.

    `receipt` (the photo's bytes) is stored through `store` (save(data) -> Photo, discard(photo)), after
    every check that can be made before it; its file is removed if the expenditure is refused, or if a
    retry racing this one recorded the expenditure first. `receipt_photo_id`: a photo stored already.
    """
    client_id = validation.client_id(client_id)
    existing = expenditure_by_client(viewer, project, client_id)
    if existing is not None:
        return existing
    check_spending(viewer, project)
    photo = None
    try:
        with db.session.begin_nested():  # a refusal or a lost race undoes the photo's row with the entry
            if receipt is not None:
                photo = _stored_receipt(store, receipt)
                receipt_photo_id = photo.id
            entry = ledger.spend(
                project,
                amount_fen,
                actor_id=viewer.user_id,
                note=note or "",
                receipt_photo_id=receipt_photo_id,
                client_id=client_id,
            )
    except IntegrityError:
        _discard(store, photo)
        existing = expenditure_by_client(viewer, project, client_id)
        if existing is None:
            raise
        return existing  # the same expenditure, sent twice at once: the first one won, with its receipt
    except Exception:
        _discard(store, photo)
        raise
    return entry


def _stored_receipt(store, data: bytes):
    try:
        return store.save(data)
    except DomainError as err:
        err.field = "receipt"  # told beside the receipt's field
        raise


def _discard(store, photo) -> None:
    if photo is not None:
        store.discard(photo)
