"""Real documents of each accepted type, and disguised ones, made in memory."""

from __future__ import annotations

import io
import zipfile

from docx import Document
from openpyxl import Workbook
from PIL import Image

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def pdf() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PDF")
    return out.getvalue()


def docx() -> bytes:
    document = Document()
    document.add_paragraph("电梯维修报价单")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx() -> bytes:
    book = Workbook()
    book.active["A1"] = "报价"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ole2(stream: str) -> bytes:
    """The start of a compound file whose directory names `stream` (WordDocument: .doc, Workbook: .xls)."""
    return OLE2 + b"\x00" * 504 + stream.encode("utf-16-le") + b"\x00" * 1024


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), "red").save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (30, 20), "blue")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (32.0, 1.0, 0.0)}  # GPS info
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def exe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 200


def html() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("readme.txt", "hello")
    return out.getvalue()


def macro_workbook() -> bytes:
    """An .xlsm: a zip with a workbook whose main part is macro-enabled."""
    data = xlsx()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for item in source.infolist():
            body = source.read(item)
            if item.filename == "[Content_Types].xml":
                body = body.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml").replace(
                    b"spreadsheetml.sheet.macroEnabled.main+xml", b"ms-excel.sheet.macroEnabled.main+xml"
                )
            package.writestr(item, body)
    return out.getvalue()
