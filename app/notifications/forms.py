"""Notification forms: the email address. (The modes per kind are read from the page's radio buttons, one
group per kind and channel, and checked in preferences.save.)"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField
from wtforms.validators import InputRequired, Length

from app.core.forms import SiteForm, strip


class EmailForm(SiteForm):
    email = EmailField(
        _l("Email address"),
        filters=[strip],
        validators=[InputRequired(_l("Give an email address such as name@example.com.")), Length(max=254)],
    )


class PreferencesForm(SiteForm):
    """The CSRF token of the preferences page; the choices are `<kind>:<channel>` fields."""
