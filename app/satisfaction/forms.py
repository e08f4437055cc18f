"""Campaign forms: parsing and validation only."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import InputRequired, Length

from app.core.forms import ShareField, SiteForm, WholeNumberField, strip


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class CampaignForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[InputRequired(_l("Give the campaign a title.")), Length(min=2, max=120)],
    )
    year = WholeNumberField(_l("Year assessed"), validators=[InputRequired(_l("Give the year."))])
    closes_on = DateField(_l("Answers close at the end of"), validators=[InputRequired(_l("Choose a date."))])
    subjects = CheckboxesField(_l("Who and what is judged"), validate_choice=False)


class NoteForm(SiteForm):
    note = TextAreaField(
        _l("What was done with the answers (residents read it)"),
        validators=[InputRequired(_l("Write what was done with the answers.")), Length(max=4000)],
        render_kw={"rows": 5},
    )


class WeightForm(SiteForm):
    weight = ShareField(_l("Weight in the year's assessment (e.g. 1/2, 30%)"), validators=[InputRequired()])


class StreetCampaignForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[InputRequired(_l("Give the campaign a title.")), Length(min=2, max=120)],
    )
    year = WholeNumberField(_l("Year assessed"), validators=[InputRequired(_l("Give the year."))])
    closes_on = DateField(_l("Answers close at the end of"), validators=[InputRequired(_l("Choose a date."))])
    organisations = CheckboxesField(_l("Social organisations judged in every community"), validate_choice=False)
