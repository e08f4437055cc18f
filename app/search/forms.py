"""The search box and its filters: read from the query string (a GET form, nothing stored)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import Optional

from app.core.forms import SiteForm, int_or_none, strip


class SearchForm(SiteForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), filters=[strip])
    kind = SelectField(_l("What"), validate_choice=False, default="")
    status = SelectField(_l("Status"), validate_choice=False, default="")
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])
    category = SelectField(_l("Category"), validate_choice=False, default="")
    building = SelectField(_l("Building"), coerce=int_or_none, validate_choice=False, default=None)
    page = IntegerField(_l("Page"), validators=[Optional()], default=1)
