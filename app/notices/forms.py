"""Notice forms: parsing and validation only (the scope is checked by the service, with its own message)."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.core.forms import SiteForm, strip


class NoticeForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    title = StringField(
        _l("Title"), filters=[strip], validators=[InputRequired(_l("Give the notice a title.")), Length(min=2, max=100)]
    )
    body = TextAreaField(
        _l("Notice"),
        validators=[InputRequired(_l("Write the notice.")), Length(min=2, max=5000)],
        render_kw={"rows": 8},
    )
    scope = SelectField(_l("Who the notice is for"), choices=[], validate_choice=False)
    pinned = BooleanField(_l("Pin it at the top"))
    urgent = BooleanField(_l("Urgent: text message at once, even at night"))
    expires_on = DateField(_l("Last day shown"), validators=[Optional()])


class EditNoticeForm(SiteForm):
    title = NoticeForm.title
    body = NoticeForm.body
    pinned = NoticeForm.pinned
    expires_on = NoticeForm.expires_on
