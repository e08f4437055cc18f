"""Uploaded photos: content checks, metadata stripping, storage and serving."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib

import pytest
from flask import url_for
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import func, select

from app.core import uploads
from app.core.errors import DomainError
from app.core.uploads import Photo, delete_photo, discard_files, photo_path, save_photo
from app.extensions import db

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000


def image_bytes(fmt: str, size=(64, 48), mode="RGB", color="red", **save_args) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save_args)
    return out.getvalue()


def gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD] = {1: "N", 2: (31.0, 58.0, 0.0), 3: "E", 4: (118.0, 47.0, 0.0)}
    if orientation is not None:
        exif[ORIENTATION] = orientation
    return exif


def files_under(directory) -> list:
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


def photo_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Photo))


@pytest.fixture
def store(app, world, tmp_path):
    """save_photo bound to the test community, its owner and a temporary upload directory."""
    upload_dir = tmp_path / "uploads"
    app.config["UPLOAD_DIR"] = str(upload_dir)

    def save(data: bytes, **overrides) -> Photo:
        args = {
            "community_id": world.community.id,
            "owner_id": world.users["resident"].id,
            "upload_dir": upload_dir,
            "max_bytes": MAX_BYTES,
            "max_pixels": MAX_PIXELS,
            **overrides,
        }
        return save_photo(data, **args)

    save.dir = upload_dir
    return save


def refused(save, data: bytes, code: str, **overrides) -> DomainError:
    with pytest.raises(DomainError) as caught:
        save(data, **overrides)
    err = caught.value
    assert err.code == code and err.field == "photos" and err.status_code == 400
    db.session.rollback()
    assert photo_count() == 0
    assert files_under(save.dir) == []
    return err


# -- accepted photos -------------------------------------------------------


def test_jpeg_is_stored_without_exif_gps_xmp_or_comment_and_downscaled(store, world):
    src = image_bytes(
        "JPEG",
        size=(3000, 1500),
        exif=gps_exif(),
        xmp=b"<x:xmpmeta>secret-xmp</x:xmpmeta>",
        comment=b"camera serial 12345",
    )
    with Image.open(io.BytesIO(src)) as original:
        assert original.getexif().get_ifd(GPS_IFD)  # the source really carries GPS
    assert b"Exif" in src and b"secret-xmp" in src and b"camera serial" in src

    photo = store(src)
    db.session.commit()

    assert photo.id is not None and photo.community_id == world.community.id
    assert photo.owner_id == world.users["resident"].id
    assert (photo.content_type, photo.width, photo.height) == ("image/jpeg", 2048, 1024)
    path = photo_path(photo, store.dir)
    assert path == store.dir / str(world.community.id) / f"{photo.id}.jpg"
    stored = path.read_bytes()
    assert photo.size_bytes == len(stored)
    assert photo.sha256 == hashlib.sha256(stored).hexdigest()
    for marker in (b"Exif", b"secret-xmp", b"camera serial", b"PhoneMaker", b"http://ns.adobe.com/xap"):
        assert marker not in stored
    with Image.open(path) as image:
        assert image.format == "JPEG" and image.size == (2048, 1024)
        assert len(image.getexif()) == 0
        assert not image.getexif().get_ifd(GPS_IFD)
        assert "exif" not in image.info and "xmp" not in image.info and "comment" not in image.info

    thumb = photo_path(photo, store.dir, thumb=True)
    assert thumb.name == f"{photo.id}.thumb.jpg"
    assert photo.thumb_size_bytes == thumb.stat().st_size
    assert b"Exif" not in thumb.read_bytes()
    with Image.open(thumb) as image:
        assert image.format == "JPEG" and image.size == (400, 200)
    assert sorted(p.name for p in files_under(store.dir)) == sorted([path.name, thumb.name])  # no temp files left


def test_png_is_accepted_stays_png_and_keeps_transparency(store):
    src = image_bytes("PNG", size=(500, 300), mode="RGBA", color=(0, 128, 255, 100), exif=gps_exif())
    assert b"eXIf" in src
    photo = store(src)
    db.session.commit()
    assert photo.content_type == "image/png" and (photo.width, photo.height) == (500, 300)
    stored = photo_path(photo, store.dir).read_bytes()
    assert b"eXIf" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG" and image.mode == "RGBA"
        assert image.getpixel((0, 0)) == (0, 128, 255, 100)
    with Image.open(photo_path(photo, store.dir, thumb=True)) as thumb:
        assert thumb.format == "PNG" and thumb.size == (400, 240)


def test_webp_is_accepted_and_stays_webp(store):
    src = image_bytes("WEBP", size=(800, 600), exif=gps_exif())
    assert b"EXIF" in src
    photo = store(src)
    db.session.commit()
    assert photo.content_type == "image/webp" and photo.extension == "webp"
    stored = photo_path(photo, store.dir).read_bytes()
    assert b"EXIF" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "WEBP" and image.size == (800, 600)
    with Image.open(photo_path(photo, store.dir, thumb=True)) as thumb:
        assert thumb.format == "WEBP" and thumb.size == (400, 300)


def test_exif_orientation_is_applied(store):
    src = image_bytes("JPEG", size=(20, 10), exif=gps_exif(orientation=6))
    photo = store(src)
    assert (photo.width, photo.height) == (10, 20)
    with Image.open(photo_path(photo, store.dir)) as image:
        assert image.size == (10, 20)
        assert ORIENTATION not in image.getexif()


def test_small_images_are_not_upscaled(store):
    photo = store(image_bytes("PNG", size=(30, 20)))
    with Image.open(photo_path(photo, store.dir, thumb=True)) as thumb:
        assert thumb.size == (30, 20)


# -- refused uploads -------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"just some text, saved as holiday.jpg\n" * 10, id="text"),
        pytest.param(image_bytes("GIF"), id="gif"),
        pytest.param(
            b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>', id="svg"
        ),
        pytest.param(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", id="pdf"),
        pytest.param(image_bytes("BMP"), id="bmp"),
        pytest.param(b"\xff\xd8\xff\xe0" + b"\x00" * 64, id="jpeg-magic-only"),
    ],
)
def test_anything_but_jpeg_png_webp_is_refused(store, data):
    err = refused(store, data, "bad_image")
    with force_locale("en"):  # outside a request the message renders in the default locale (zh_CN)
        assert "JPEG, PNG or WebP" in str(err.message)


def test_empty_file_is_refused(store):
    refused(store, b"", "bad_image")


def test_more_bytes_than_allowed_is_too_large(store):
    data = image_bytes("PNG", size=(200, 200))
    err = refused(store, data, "too_large", max_bytes=len(data) - 1)
    assert "MB" in str(err.message)
    assert store(data, max_bytes=len(data)).id  # exactly at the limit is fine


def test_truncated_jpeg_is_refused(store):
    data = image_bytes("JPEG", size=(400, 300))
    refused(store, data[: len(data) // 2], "bad_image")


def test_more_pixels_than_allowed_is_too_large(store):
    refused(store, image_bytes("PNG", size=(50, 50)), "too_large", max_pixels=2499)


def test_decompression_bomb_is_too_large(store):
    # One colour, 100 million pixels: a few kilobytes on the wire.
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000), 0).save(out, "PNG")
    data = out.getvalue()
    assert len(data) < 100_000
    refused(store, data, "too_large")


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def test_huge_declared_dimensions_are_too_large_before_decoding(store):
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00"))
        + _png_chunk(b"IEND", b"")
    )
    refused(store, data, "too_large", max_pixels=10**12)  # Pillow's own limit still holds


# -- files and transactions ------------------------------------------------


def test_a_failed_write_leaves_no_files(store, monkeypatch):
    real_replace = uploads.os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:  # the thumbnail
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(uploads.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        store(image_bytes("JPEG"))
    assert files_under(store.dir) == []
    db.session.rollback()
    assert photo_count() == 0


def test_discard_files_after_the_callers_rollback(store):
    photo = store(image_bytes("JPEG"))
    assert len(files_under(store.dir)) == 2
    db.session.rollback()
    discard_files(photo, store.dir)
    assert files_under(store.dir) == []
    assert photo_count() == 0


def test_a_photo_store_removes_the_files_when_the_transaction_does_not_commit(app, world, store):
    """A service saves a photo, then the use case is refused: the edge rolls back, and the files go too."""
    photos = uploads.PhotoStore(app.config, community_id=world.community.id, owner_id=world.users["resident"].id)
    photos.save(image_bytes("JPEG"))
    assert len(files_under(store.dir)) == 2
    db.session.rollback()
    assert files_under(store.dir) == []
    assert photo_count() == 0

    kept = photos.save(image_bytes("PNG"))
    db.session.commit()
    db.session.rollback()  # a later transaction's rollback leaves a committed photo alone
    assert sorted(p.name for p in files_under(store.dir)) == sorted(
        photo_path(kept, store.dir, thumb=thumb).name for thumb in (False, True)
    )
    assert photo_count() == 1


def test_delete_photo_removes_row_and_files(store):
    photo = store(image_bytes("WEBP"))
    db.session.commit()
    delete_photo(photo, store.dir)
    db.session.commit()
    assert photo_count() == 0
    assert files_under(store.dir) == []


# -- serving ---------------------------------------------------------------


def get(client, url: str, **kwargs):
    """GET, read the body and close the response (send_file keeps the file open until then)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


@pytest.fixture
def stored(store):
    photo = store(image_bytes("JPEG", size=(1000, 500), exif=gps_exif()))
    db.session.commit()
    return photo


def test_member_sees_the_photo_with_safe_headers(client, auth, world, store, stored):
    auth.login(world.users["resident"])
    response = get(client, f"/photos/{stored.id}")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.data == photo_path(stored, store.dir).read_bytes()
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["Content-Disposition"] == f"inline; filename=photo-{stored.id}.jpg"
    assert "private" in response.headers["Cache-Control"] and "public" not in response.headers["Cache-Control"]
    assert "max-age=86400" in response.headers["Cache-Control"]


def test_thumbnail_route(client, auth, world, store, stored):
    auth.login(world.users["resident"])
    response = get(client, f"/photos/{stored.id}/thumb")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.data == photo_path(stored, store.dir, thumb=True).read_bytes()
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    with Image.open(io.BytesIO(response.data)) as image:
        assert image.size == (400, 200)


def test_urls_for_photo_and_thumbnail(app, stored):
    with app.test_request_context():
        assert url_for("communities.photo", photo_id=stored.id) == f"/photos/{stored.id}"
        assert url_for("communities.photo", photo_id=stored.id, thumb=True) == f"/photos/{stored.id}/thumb"


def test_conditional_request_is_not_modified(client, auth, world, stored):
    auth.login(world.users["resident"])
    etag = get(client, f"/photos/{stored.id}").headers["ETag"]
    assert get(client, f"/photos/{stored.id}", headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize("who", ["owner", "staff", "pending_a", "street_staff", "district_staff"])
def test_members_of_any_status_and_overseers_see_the_photo(client, auth, world, stored, who):
    auth.login(world.users[who])
    assert get(client, f"/photos/{stored.id}").status_code == 200


@pytest.mark.parametrize("who", ["other_resident", "other_staff", "outsider"])
def test_others_get_404(client, auth, world, stored, who):
    auth.login(world.users[who])
    assert get(client, f"/photos/{stored.id}").status_code == 404
    assert get(client, f"/photos/{stored.id}/thumb").status_code == 404


def test_anonymous_is_sent_to_login(client, stored):
    response = get(client, f"/photos/{stored.id}")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_unknown_photo_or_missing_file_is_404(client, auth, world, store, stored):
    auth.login(world.users["resident"])
    assert get(client, f"/photos/{stored.id + 1000}").status_code == 404
    photo_path(stored, store.dir, thumb=True).unlink()
    assert get(client, f"/photos/{stored.id}/thumb").status_code == 404
    assert get(client, f"/photos/{stored.id}").status_code == 200


@pytest.mark.parametrize(
    ("fmt", "mode", "color", "stored_mode"),
    [
        ("JPEG", "L", 128, "RGB"),
        ("JPEG", "CMYK", (0, 255, 255, 0), "RGB"),
        ("PNG", "P", 3, "RGB"),
        ("PNG", "LA", (128, 50), "RGBA"),
        ("PNG", "I;16", 40_000, "RGB"),
        ("PNG", "1", 1, "RGB"),
        ("WEBP", "RGBA", (1, 2, 3, 40), "RGBA"),
    ],
)
def test_unusual_colour_modes_are_normalised(store, fmt, mode, color, stored_mode):
    photo = store(image_bytes(fmt, size=(40, 30), mode=mode, color=color))
    with Image.open(photo_path(photo, store.dir)) as image:
        assert image.format == fmt and image.mode == stored_mode and image.size == (40, 30)


def test_palette_png_transparency_survives(store):
    image = Image.new("P", (40, 30), 0)
    image.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    image.paste(1, (0, 0, 20, 30))
    out = io.BytesIO()
    image.save(out, "PNG", transparency=0)
    photo = store(out.getvalue())
    with Image.open(photo_path(photo, store.dir)) as stored_image:
        assert stored_image.mode == "RGBA"
        assert stored_image.getpixel((30, 10))[3] == 0 and stored_image.getpixel((5, 10)) == (0, 255, 0, 255)
