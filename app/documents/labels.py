"""How a document's type is shown."""

from flask_babel import lazy_gettext as _l

from app.documents import content

TYPE_LABELS = {
    content.PDF: _l("PDF"),
    content.DOC: _l("Word document"),
    content.DOCX: _l("Word document"),
    content.XLS: _l("Excel spreadsheet"),
    content.XLSX: _l("Excel spreadsheet"),
    "image/jpeg": _l("Photo"),
    "image/png": _l("Photo"),
    "image/webp": _l("Photo"),
}
