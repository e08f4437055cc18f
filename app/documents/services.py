"""Attaching, removing and listing documents. Services flush; the edge commits.

Checks are the owner kind's own (registry): a viewer who may not see the owner never learns an attachment
exists (404), one who sees it but may not attach or remove is refused (403). A removed attachment stays
(row and file) for the record, hidden from all but the community's staff, who see it marked as removed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.services import names_of
from app.communities.access import Viewer
from app.core import audit, uploads, validation
from app.core.errors import DomainError, Forbidden, NotFound
from app.core.models import utcnow
from app.core.realtime import call_after_rollback
from app.documents import content
from app.documents.labels import TYPE_LABELS
from app.documents.models import Attachment
from app.documents.registry import OwnerKind, kind_of
from app.extensions import db

MAX_NAME = 120
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def path_of(attachment: Attachment, upload_dir=None) -> Path:
    """UPLOAD_DIR/<community_id>/documents/<id>.<extension>."""
    upload_dir = upload_dir or current_app.config["UPLOAD_DIR"]
    return uploads.community_dir(upload_dir, attachment.community_id) / "documents" / attachment.stored_name


def clean_name(name: str | None, extension: str) -> str:
    """The uploader's file name as shown and downloaded: no folders, no control or reserved characters, at
    most 120 characters, and the extension of what the file really is."""
    base = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    base = base.encode("utf-8", "replace").decode("utf-8")  # no lone surrogates
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _UNSAFE.sub("_", stem).strip(" ._") or str(_l("attachment"))
    return f"{stem[: MAX_NAME - len(extension) - 1]}.{extension}"


def may_see(viewer: Viewer, attachment: Attachment) -> bool:
    """Removed attachments: the community's staff only."""
    return not attachment.removed or viewer.is_staff


def visible(viewer: Viewer, kind: OwnerKind, owner) -> list[Attachment]:
    rows = db.session.scalars(
        select(Attachment)
        .where(Attachment.owner_kind == kind.name, Attachment.owner_id == owner.id)
        .order_by(Attachment.created_at, Attachment.id)
    )
    return [a for a in rows if may_see(viewer, a)]


def _count(kind: OwnerKind, owner) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Attachment)
        .where(Attachment.owner_kind == kind.name, Attachment.owner_id == owner.id, Attachment.removed_at.is_(None))
    )


def _by_client(user_id: int, client_id: str) -> Attachment | None:
    return db.session.scalar(
        select(Attachment).where(Attachment.uploaded_by_id == user_id, Attachment.client_id == client_id)
    )


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".removesuffix(".0")


def attach(viewer: Viewer, kind: OwnerKind, owner, *, data: bytes, file_name: str | None, client_id) -> Attachment:
    """Check the file by its content and store it for the owner; the same client_id again returns the
    attachment stored the first time. Refusals store nothing (no row, no file)."""
    if not kind.can_attach(viewer, owner):
        raise Forbidden(_l("You may not attach files here."))
    client_id = validation.client_id(client_id)
    existing = _by_client(viewer.user_id, client_id)
    if existing is not None:
        if (existing.owner_kind, existing.owner_id) != (kind.name, owner.id):
            raise DomainError("bad_request", _l("The request could not be understood."), field="client_id")
        return existing
    config = current_app.config
    if not data:
        raise DomainError("no_file", _l("Choose a file to attach."), field="file", status=400)
    limit = config["ATTACHMENT_MAX_BYTES"]
    if len(data) > limit:
        message = _l("This file is too large. Files can be up to %(megabytes)s MB.", megabytes=_megabytes(limit))
        raise DomainError("too_large", message, field="file", status=400)
    most = config["ATTACHMENT_MAX_COUNT"]
    if _count(kind, owner) >= most:
        message = _l("This already has %(count)s files, the most allowed. Remove one first.", count=most)
        raise DomainError("too_many", message, field="file", status=409)
    checked = content.check(data, config["UPLOAD_MAX_PIXELS"])
    attachment = Attachment(
        community_id=kind.community_of(owner),
        owner_kind=kind.name,
        owner_id=owner.id,
        file_name=clean_name(file_name, checked.extension),
        content_type=checked.content_type,
        extension=checked.extension,
        size_bytes=len(checked.data),
        sha256=hashlib.sha256(checked.data).hexdigest(),
        uploaded_by_id=viewer.user_id,
        client_id=client_id,
    )
    try:
        with db.session.begin_nested():  # the same upload sent twice at once: the second finds the first
            db.session.add(attachment)
            db.session.flush()
    except IntegrityError:
        existing = _by_client(viewer.user_id, client_id)
        if existing is None:
            raise
        return existing
    _write(attachment, checked.data)
    audit.record(viewer.user, "attachment.add", attachment, community_id=attachment.community_id, kind=kind.name)
    db.session.flush()
    return attachment


def _write(attachment: Attachment, data: bytes) -> None:
    path = path_of(attachment)
    call_after_rollback(lambda: uploads.unlink_all([path]))  # a refusal after this leaves no file behind
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        uploads.write_atomically(path, data)
    except BaseException:
        uploads.unlink_all([path])
        raise


def remove(viewer: Viewer, kind: OwnerKind, owner, attachment: Attachment, reason) -> Attachment:
    """Hide an attachment, with a reason: the row and the file stay for the record."""
    if (attachment.owner_kind, attachment.owner_id) != (kind.name, owner.id) or not may_see(viewer, attachment):
        raise NotFound()
    if not kind.can_remove(viewer, owner):
        raise Forbidden(_l("You may not remove files here."))
    reason = validation.text(reason, field="reason", low=2, high=500, message=_l("Say why the file is removed."))
    if attachment.removed:
        return attachment
    attachment.removed_at = utcnow()
    attachment.removed_by_id = viewer.user_id
    attachment.removal_reason = reason
    audit.record(viewer.user, "attachment.remove", attachment, community_id=attachment.community_id, reason=reason)
    db.session.flush()
    return attachment


@dataclass
class Panel:
    """What the `attachments` macro shows for one owner object."""

    kind: str
    owner_id: int
    items: list[Attachment]
    can_attach: bool
    can_remove: bool
    names: dict[int, str] = field(default_factory=dict)
    max_megabytes: str = ""
    client_id: str = field(default_factory=lambda: uuid.uuid4().hex)  # the upload form's, made per page
    type_labels: dict = field(default_factory=lambda: TYPE_LABELS)


def panel(viewer: Viewer, owner) -> Panel:
    """The attachments of `owner` as this viewer sees them, and what they may do."""
    kind = kind_of(owner)
    items = visible(viewer, kind, owner)
    ids = {a.uploaded_by_id for a in items} | {a.removed_by_id for a in items}
    return Panel(
        kind=kind.name,
        owner_id=owner.id,
        items=items,
        can_attach=kind.can_attach(viewer, owner),
        can_remove=kind.can_remove(viewer, owner),
        names=names_of(i for i in ids if i is not None),
        max_megabytes=_megabytes(current_app.config["ATTACHMENT_MAX_BYTES"]),
    )
