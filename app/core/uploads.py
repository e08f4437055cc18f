"""Uploaded photos: checked by content, re-encoded without metadata, stored by id.

Usage from a feature service (it flushes; the edge owns the transaction and commits):

    store = uploads.PhotoStore(current_app.config, community_id=c.id, owner_id=u.id)
    photo = store.save(data)   # its files go again by themselves if the transaction does not commit
    idea.photos.append(photo)  # or store photo.id

Files are named by the row's id, so nothing user-controlled ever reaches a
path. The trade-off: files are written inside the caller's transaction, before
its commit. `PhotoStore.save` queues their removal for a rollback
(core.realtime.call_after_rollback); a bare `save_photo` leaves that to its
caller (`discard_files`), and files left behind are harmless orphans (nothing
serves a file without its row, and a reused id simply overwrites them).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
import warnings
from datetime import datetime
from pathlib import Path

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from app.core.errors import DomainError
from app.core.models import UTCDateTime, utcnow
from app.core.realtime import call_after_rollback
from app.extensions import db

MAX_SIDE = 2048  # longest side of the stored photo, in pixels
THUMB_SIDE = 400  # longest side of the thumbnail

# Pillow format name -> (content type, file extension). Nothing else is accepted.
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
EXTENSIONS = dict(FORMATS.values())  # content type -> extension


class Photo(db.Model):
    """A photo uploaded to a community, stored re-encoded (no EXIF, no GPS) with a thumbnail."""

    __tablename__ = "photos"
    __table_args__ = (
        CheckConstraint("content_type IN ('image/jpeg', 'image/png', 'image/webp')", name="content_type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    content_type: Mapped[str] = mapped_column(String(20))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    thumb_size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))  # of the stored, re-encoded file
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # not for every member: only those a restricted reader lets through (the photo of a signed authorisation)
    restricted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


# Who may see a restricted photo: each package that stores one registers a check (viewer, photo) -> bool; the
# photo is shown when one of them says yes. Core knows no feature; the feature knows what the photo is of.
_RESTRICTED_READERS: list = []


def restricted_reader(check):
    """Register `check(viewer, photo) -> bool` for restricted photos (a decorator)."""
    _RESTRICTED_READERS.append(check)
    return check


def may_see(viewer, photo: Photo) -> bool:
    """Any member of the photo's community sees an ordinary photo; a restricted one, those a reader lets see it."""
    return not photo.restricted or any(check(viewer, photo) for check in _RESTRICTED_READERS)


def photo_path(photo: Photo, upload_dir: str | os.PathLike, thumb: bool = False) -> Path:
    """Where the photo (or its thumbnail) lives: UPLOAD_DIR/<community_id>/<id>[.thumb].<ext>."""
    name = f"{int(photo.id)}.thumb.{photo.extension}" if thumb else f"{int(photo.id)}.{photo.extension}"
    return community_dir(upload_dir, photo.community_id) / name


def _bad_image() -> DomainError:
    return DomainError(
        "bad_image",
        _l("This file is not a photo we can use. Choose a JPEG, PNG or WebP image."),
        field="photos",
        status=400,
    )


def _megabytes(n: int) -> str:
    text = f"{n / (1024 * 1024):.1f}"
    return text.removesuffix(".0")


def _decode(data: bytes, max_pixels: int) -> tuple[Image.Image, str]:
    """Open and fully decode the image; refuse what is not a sound JPEG, PNG or WebP."""
    too_many_pixels = DomainError(
        "too_large",
        _l("This photo's resolution is too high. Take a smaller photo or resize it, then try again."),
        field="photos",
        status=400,
    )
    # Pillow warns (and past twice its limit, refuses) on huge images. Make the
    # warning an error here so tests and production behave alike; other Pillow
    # warnings (odd EXIF, say) concern metadata we drop anyway.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
            if image.format not in FORMATS:
                raise _bad_image()
            width, height = image.size
            if width < 1 or height < 1:
                raise _bad_image()
            if width * height > max_pixels:
                raise too_many_pixels
            if image.format == "JPEG":
                image.draft(None, (MAX_SIDE, MAX_SIDE))  # decode big JPEGs at a reduced scale: less memory
            image.load()  # truncated or corrupt data fails here, not later
        except DomainError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_many_pixels from None
        except Exception:  # Pillow raises many types for bad input
            raise _bad_image() from None
        fmt = image.format
        # A broken EXIF block costs only the rotation, not the photo.
        with contextlib.suppress(Exception):
            ImageOps.exif_transpose(image, in_place=True)
    return image, fmt


def _normalise_mode(image: Image.Image, fmt: str) -> Image.Image:
    if fmt == "JPEG":
        return image.convert("RGB") if image.mode != "RGB" else image
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    wanted = "RGBA" if has_alpha else "RGB"
    return image.convert(wanted) if image.mode != wanted else image


def _encode(image: Image.Image, fmt: str) -> bytes:
    """Re-encode with no metadata: no EXIF (so no GPS), no XMP, no ICC, no comments."""
    image.info = {}  # some encoders read text chunks, comments or ICC from here
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    elif fmt == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=80)
    return out.getvalue()


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary name in the same directory, then rename over the target."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def clean_image(data: bytes, max_pixels: int) -> tuple[bytes, str]:
    """A sound JPEG, PNG or WebP re-encoded at its own size with no metadata (no EXIF, so no GPS):
    (bytes, content type). Refuses anything else as save_photo does (DomainError on field "photos")."""
    image, fmt = _decode(data, max_pixels)
    try:
        stored = _encode(_normalise_mode(image, fmt), fmt)
    except Exception:  # an image Pillow decoded but cannot convert (exotic modes)
        raise _bad_image() from None
    return stored, FORMATS[fmt][0]


def community_dir(upload_dir: str | os.PathLike, community_id: int) -> Path:
    """A community's own folder under UPLOAD_DIR: its photos, and its documents in documents/."""
    return Path(upload_dir) / str(int(community_id))


def unlink_all(paths: list[Path]) -> None:
    """Remove files; missing ones are fine."""
    for path in paths:
        path.unlink(missing_ok=True)


def save_photo(
    data: bytes,
    *,
    community_id: int,
    owner_id: int,
    upload_dir: str | os.PathLike,
    max_bytes: int,
    max_pixels: int,
) -> Photo:
    """Check, clean and store an uploaded photo; add its row to the session, flushed but NOT committed.

    The caller commits (with whatever refers to the photo) and, if it rolls
    back instead, calls `discard_files(photo, upload_dir)`. Raises DomainError
    "bad_image" (not a sound JPEG/PNG/WebP, or empty) or "too_large" (more than
    max_bytes, or more than max_pixels), both with field "photos" and status
    400; an OSError while writing is re-raised after removing partial files.
    """
    if not data:
        raise DomainError("bad_image", _l("This file is empty. Choose a photo."), field="photos", status=400)
    if len(data) > max_bytes:
        raise DomainError(
            "too_large",
            _l("This photo is too large. Photos can be up to %(megabytes)s MB.", megabytes=_megabytes(max_bytes)),
            field="photos",
            status=400,
        )
    image, fmt = _decode(data, max_pixels)
    try:
        image = _normalise_mode(image, fmt)
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        thumb = image.copy()
        thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
        stored = _encode(image, fmt)
        stored_thumb = _encode(thumb, fmt)
    except Exception:  # an image Pillow decoded but cannot convert (exotic modes)
        raise _bad_image() from None

    content_type, _ext = FORMATS[fmt]
    photo = Photo(
        community_id=community_id,
        owner_id=owner_id,
        content_type=content_type,
        width=image.width,
        height=image.height,
        size_bytes=len(stored),
        thumb_size_bytes=len(stored_thumb),
        sha256=hashlib.sha256(stored).hexdigest(),
    )
    db.session.add(photo)
    db.session.flush()  # the id names the files

    try:
        directory = photo_path(photo, upload_dir).parent
        directory.mkdir(parents=True, exist_ok=True)
        write_atomically(photo_path(photo, upload_dir), stored)
        write_atomically(photo_path(photo, upload_dir, thumb=True), stored_thumb)
    except BaseException:
        discard_files(photo, upload_dir)
        raise
    return photo


def discard_files(photo: Photo, upload_dir: str | os.PathLike) -> None:
    """Remove a photo's files (after its row was rolled back, or is being deleted). Missing files are fine."""
    if photo.id is None or photo.community_id is None:
        return
    unlink_all(_paths(photo, upload_dir))


def delete_photo(photo: Photo, upload_dir: str | os.PathLike) -> None:
    """Delete a photo's row and files. The caller commits.

    The files go at once: if the caller's commit then fails, the row survives
    without its files and is served as 404, which is the harmless side to err on.
    """
    paths = _paths(photo, upload_dir)  # before the delete: a deleted instance no longer loads its attributes
    db.session.delete(photo)
    unlink_all(paths)


def _paths(photo: Photo, upload_dir: str | os.PathLike) -> list[Path]:
    return [photo_path(photo, upload_dir, thumb=thumb) for thumb in (False, True)]


class PhotoStore:
    """Saving and discarding one member's photos in one community, with the configured limits.

    Services that take photos call store.save(data) -> Photo; if the transaction then does not commit
    (a refusal after the upload, rolled back at the edge), the photo's files are removed with it.
    `store.discard(photo)` removes them at once (harmless if they are gone already).
    """

    def __init__(self, config, *, community_id: int, owner_id: int):
        self.upload_dir = config["UPLOAD_DIR"]
        self.community_id = community_id
        self.owner_id = owner_id
        self.max_bytes = config["UPLOAD_MAX_BYTES"]
        self.max_pixels = config["UPLOAD_MAX_PIXELS"]

    def save(self, data: bytes, *, restricted: bool = False) -> Photo:
        """The photo stored; `restricted`: shown only to those a restricted reader lets see it."""
        photo = save_photo(
            data,
            community_id=self.community_id,
            owner_id=self.owner_id,
            upload_dir=self.upload_dir,
            max_bytes=self.max_bytes,
            max_pixels=self.max_pixels,
        )
        photo.restricted = restricted
        paths = _paths(photo, self.upload_dir)  # now: a rolled-back row no longer loads its attributes
        call_after_rollback(lambda: unlink_all(paths))
        return photo

    def discard(self, photo: Photo) -> None:
        discard_files(photo, self.upload_dir)
