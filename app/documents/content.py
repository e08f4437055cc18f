"""What an uploaded document really is, read from its bytes, never from its name.

puremagic (magic numbers) names the family; each family is then checked for the structure it must have:
a PDF starts with its header and ends with %%EOF; Word and Excel files in the OOXML format are zip
packages whose [Content_Types].xml names the document's main part (and that part is there); the older
binary formats are OLE2 compound files holding a WordDocument or Workbook stream; images are decoded and
re-encoded without metadata by core.uploads. Anything else is refused: an .exe renamed .pdf, HTML renamed
.docx, a zip that is not a Word or Excel file, a macro-enabled workbook.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import puremagic
from flask_babel import lazy_gettext as _l

from app.core import uploads
from app.core.errors import DomainError

PDF = "application/pdf"
DOC = "application/msword"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLS = "application/vnd.ms-excel"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMAGES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}

EXTENSIONS = {PDF: "pdf", DOC: "doc", DOCX: "docx", XLS: "xls", XLSX: "xlsx", **IMAGES}
CONTENT_TYPES = tuple(EXTENSIONS)

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# the main part of an OOXML package, and the content type [Content_Types].xml must give it
OOXML_MAIN = {
    DOCX: ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    XLSX: ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
}
MAX_ZIP_MEMBERS = 2000  # a real document has tens of parts; a zip bomb's directory has many more


@dataclass(frozen=True)
class Checked:
    """A document as it will be stored: its bytes (an image re-encoded), content type and extension."""

    data: bytes
    content_type: str
    extension: str


def refused() -> DomainError:
    return DomainError(
        "bad_document",
        _l("This file is not a document we accept. Attach a PDF, Word or Excel file, or a JPEG, PNG or WebP photo."),
        field="file",
        status=400,
    )


def check(data: bytes, max_pixels: int) -> Checked:
    """The document's true type, or DomainError "bad_document" (field "file")."""
    family = _family(data)
    if family == PDF:
        head = data[:1024]
        if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:] or b"<html" in head.lower():
            raise refused()
        return Checked(data, PDF, "pdf")
    if family == "zip":
        content_type = _ooxml_type(data)
        return Checked(data, content_type, EXTENSIONS[content_type])
    if family == "ole2":
        content_type = _ole2_type(data)
        return Checked(data, content_type, EXTENSIONS[content_type])
    if family in IMAGES:
        try:
            cleaned, content_type = uploads.clean_image(data, max_pixels)
        except DomainError as err:  # the photo pipeline's message, said beside this form's field
            raise DomainError(err.code, err.message, field="file", status=400) from None
        return Checked(cleaned, content_type, IMAGES[content_type])
    raise refused()


def _family(data: bytes) -> str | None:
    if data.startswith(OLE2):
        return "ole2"
    try:
        matches = puremagic.magic_string(data[:8192])
    except (puremagic.PureError, ValueError):
        return None
    for match in matches[:1]:  # the best match only: a weaker one is a guess
        mime = match.mime_type
        if mime == PDF:
            return PDF
        if mime in IMAGES:
            return mime
        if match.extension in (".zip", ".docx", ".xlsx", ".pptx", ".jar", ".xlsb") or mime.startswith(
            "application/vnd.openxmlformats"
        ):
            return "zip" if data.startswith(b"PK\x03\x04") else None
    return None


def _ooxml_type(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
            if len(names) > MAX_ZIP_MEMBERS or "[Content_Types].xml" not in names:
                raise refused()
            info = package.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024:
                raise refused()
            types = package.read(info).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError, RuntimeError):
        raise refused() from None
    for content_type, (part, main) in OOXML_MAIN.items():
        if part in names and f'PartName="/{part}"' in types and main in types:
            return content_type
    raise refused()  # a zip, a macro-enabled or a PowerPoint file


def _ole2_type(data: bytes) -> str:
    """The binary Word and Excel formats: the directory names the main stream (UTF-16LE)."""
    if "WordDocument".encode("utf-16-le") in data:
        return DOC
    if "Workbook".encode("utf-16-le") in data or "Book\x00".encode("utf-16-le") in data:
        return XLS
    raise refused()
