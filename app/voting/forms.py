"""Looking up a receipt."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from app.core.forms import SiteForm


class ReceiptForm(SiteForm):
    """A tracking code (回执码), as the voter reads it off their phone or paper."""

    class Meta:
        csrf = False  # a read-only lookup by GET

    code = StringField(
        _l("Tracking code"),
        validators=[InputRequired(_l("Enter the tracking code you were given.")), Length(max=40)],
    )
