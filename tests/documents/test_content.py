"""Documents are recognised by their bytes: each accepted type passes, disguised files are refused."""

from __future__ import annotations

import pytest
from PIL import Image

from app.core.errors import DomainError
from app.documents import content
from tests.documents import samples

PIXELS = 40_000_000


@pytest.mark.parametrize(
    ("make", "content_type", "extension"),
    [
        (samples.pdf, content.PDF, "pdf"),
        (samples.docx, content.DOCX, "docx"),
        (samples.xlsx, content.XLSX, "xlsx"),
        (lambda: samples.ole2("WordDocument"), content.DOC, "doc"),
        (lambda: samples.ole2("Workbook"), content.XLS, "xls"),
        (samples.png, "image/png", "png"),
        (samples.jpeg_with_gps, "image/jpeg", "jpg"),
    ],
)
def test_each_accepted_type_is_recognised_by_content(make, content_type, extension):
    checked = content.check(make(), PIXELS)
    assert (checked.content_type, checked.extension) == (content_type, extension)


@pytest.mark.parametrize(
    "make",
    [
        samples.exe,
        samples.html,
        samples.plain_zip,
        samples.macro_workbook,
        lambda: samples.ole2("PowerPoint Document"),
        lambda: b"%PDF-1.4 but no end",
        lambda: b"GIF89a" + b"\x00" * 40,
        lambda: "电梯维修报价".encode(),
        lambda: b"PK\x03\x04 broken zip",
    ],
)
def test_disguised_or_unknown_files_are_refused(make):
    with pytest.raises(DomainError) as refused:
        content.check(make(), PIXELS)
    assert refused.value.code == "bad_document"
    assert refused.value.field == "file"


def test_a_photo_loses_its_location(app):
    import io

    checked = content.check(samples.jpeg_with_gps(), PIXELS)
    assert 0x8825 not in Image.open(io.BytesIO(checked.data)).getexif()
    assert 0x8825 in Image.open(io.BytesIO(samples.jpeg_with_gps())).getexif()
