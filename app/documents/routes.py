"""Attachment pages and downloads. Every route loads the owner through the access rule and its kind's
own checks: 404 for who may not see it, 403 for who sees it but may not attach or remove."""

from __future__ import annotations

from urllib.parse import quote

from flask import current_app, redirect, render_template, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities import access
from app.core.errors import Forbidden, NotFound
from app.core.web import form_view
from app.documents import bp, registry, services
from app.documents.forms import RemoveForm, UploadForm
from app.documents.models import Attachment
from app.extensions import db

SANDBOX = "sandbox; default-src 'none'"


def _owner(kind_name: str, owner_id: int):
    kind = registry.kind(kind_name)
    owner, viewer = access.load(
        kind.model, owner_id, current_user, can=kind.can_view, community_of=kind.community_of, admit=kind.admits
    )
    return kind, owner, viewer


def _attachment(attachment_id: int):
    attachment = db.session.get(Attachment, attachment_id) if attachment_id > 0 else None
    if attachment is None:
        raise NotFound()
    kind, owner, viewer = _owner(attachment.owner_kind, attachment.owner_id)
    if not services.may_see(viewer, attachment):
        raise NotFound()
    return attachment, kind, owner, viewer


def _page(kind, owner, viewer, *, upload_form=None, remove_form=None, status=200):
    return (
        render_template(
            "documents/page.html",
            community=viewer.community,
            panel=services.panel(viewer, owner),
            back=kind.url(owner),
            upload_form=upload_form,
            remove_form=remove_form,
        ),
        status,
    )


@bp.route("/attachments/<kind_name>/<int:owner_id>", methods=["GET", "POST"])
@login_required
def owner_files(kind_name: str, owner_id: int):
    """An object's files, and the upload form for those allowed (works without JavaScript)."""
    kind, owner, viewer = _owner(kind_name, owner_id)
    form = UploadForm()
    if form.is_submitted() and not kind.can_attach(viewer, owner):
        raise Forbidden(_("You may not attach files here."))
    upload = form.file.data
    return form_view(
        form,
        lambda: services.attach(
            viewer, kind, owner, data=_read(upload), file_name=getattr(upload, "filename", None),
            client_id=form.client_id.data,
        ),
        render=lambda status: _page(kind, owner, viewer, upload_form=form, status=status),
        done=lambda _a: redirect(kind.url(owner) + "#attachments", 303),
        message=_("The file is attached."),
    )  # fmt: skip


def _read(upload) -> bytes:
    """At most one byte past the limit: enough to tell the file is too large without reading it all."""
    if upload is None or not hasattr(upload, "read"):
        return b""
    return upload.read(current_app.config["ATTACHMENT_MAX_BYTES"] + 1)


@bp.route("/attachments/<int:attachment_id>/remove", methods=["POST"])
@login_required
def remove(attachment_id: int):
    """Hide a file, with a reason; it stays in the record (staff still see it, marked as removed)."""
    attachment, kind, owner, viewer = _attachment(attachment_id)
    if not kind.can_remove(viewer, owner):
        raise Forbidden(_("You may not remove files here."))
    form = RemoveForm(prefix=f"remove-{attachment.id}")
    return form_view(
        form,
        lambda: services.remove(viewer, kind, owner, attachment, form.reason.data),
        render=lambda status: _page(kind, owner, viewer, remove_form=form, status=status),
        done=lambda _a: redirect(kind.url(owner) + "#attachments", 303),
        message=_("The file was removed. It is kept in the record."),
    )


@bp.route("/attachments/<int:attachment_id>/preview", defaults={"inline": True})
@bp.route("/attachments/<int:attachment_id>", defaults={"inline": False})  # registered first: url_for's default
@login_required
def download(attachment_id: int, inline: bool = False):
    """The file, as a download (images may be previewed inline), to those who may see its owner only."""
    attachment, _kind, _owner_obj, _viewer = _attachment(attachment_id)
    if inline and not attachment.is_image:
        raise NotFound()
    try:
        response = send_file(
            services.path_of(attachment), mimetype=attachment.content_type or "application/octet-stream",
            conditional=True, max_age=0, etag=attachment.sha256,
        )  # fmt: skip
    except FileNotFoundError:
        raise NotFound() from None
    response.cache_control.private = True
    response.cache_control.public = False
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SANDBOX
    response.headers["Content-Disposition"] = _disposition("inline" if inline else "attachment", attachment.file_name)
    return response


def _disposition(how: str, name: str) -> str:
    """RFC 6266 with an ASCII fallback and the UTF-8 name per RFC 5987."""
    fallback = name.encode("ascii", "replace").decode("ascii").replace("?", "_").replace('"', "_")
    return f"{how}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
