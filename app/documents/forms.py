"""Attachment forms: parsing and validation only."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField
from wtforms.validators import InputRequired, Length

from app.core.forms import SiteForm, strip
from app.documents.content import CONTENT_TYPES


class UploadForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    file = FileField(
        _l("Attach a file (PDF, Word, Excel or a photo)"),
        render_kw={"accept": ",".join([*CONTENT_TYPES, ".pdf", ".doc", ".docx", ".xls", ".xlsx"])},
    )


class RemoveForm(SiteForm):
    reason = StringField(
        _l("Why remove it? (kept in the record)"),
        filters=[strip],
        validators=[InputRequired(_l("Say why the file is removed.")), Length(min=2, max=500)],
    )
