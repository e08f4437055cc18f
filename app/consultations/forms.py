"""Consultation forms: parsing and validation only."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import InputRequired, Length, Optional

from app.consultations.labels import PARTY_LABELS, STANCE_CHOICE_LABELS
from app.consultations.models import Party
from app.core.forms import SiteForm, strip

STANCE_CHOICES = [SelectChoice(stance.value, label) for stance, label in STANCE_CHOICE_LABELS.items()]


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ConsultationForm(SiteForm):
    title = StringField(
        _l("Topic"),
        filters=[strip],
        validators=[InputRequired(_l("Give the topic a title.")), Length(max=100)],
    )
    background = TextAreaField(
        _l("Background (Markdown)"), validators=[Optional(), Length(max=20000)], render_kw={"rows": 8}
    )
    building_id = SelectField(_l("Who it is for"), coerce=int, validate_choice=False, validators=[Optional()])
    parties = MultiCheckboxField(
        _l("Parties taking part"), choices=[SelectChoice(p.value, PARTY_LABELS[p]) for p in Party]
    )
    chair_id = SelectField(_l("Chair (主持人)"), coerce=int, validate_choice=False)
    rule_set_id = SelectField(_l("Rules of procedure"), coerce=int, validate_choice=False)


class SpeakForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    body = TextAreaField(_l("Your speech"), validators=[Length(max=5000)], render_kw={"rows": 3})
    stance = RadioField(_l("Your stance"), choices=STANCE_CHOICES, validate_choice=False)


class PhaseForm(SiteForm):
    phase = HiddenField(validators=[InputRequired()])
