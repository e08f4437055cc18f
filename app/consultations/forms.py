"""Consultation forms: parsing and validation only."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
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

from app.consultations.models import Party

PARTY_LABELS = {
    Party.RESIDENTS_COMMITTEE: _l("Residents' committee (居委会)"),
    Party.OWNERS_COMMITTEE: _l("Owners' committee (业委会)"),
    Party.PROPERTY_MANAGER: _l("Property manager (物业)"),
    Party.SOCIAL_ORG: _l("Social organisations (社会组织)"),
    Party.RESIDENT_UNIT: _l("Resident units (驻区单位)"),
    Party.RESIDENTS: _l("Residents (居民)"),
}

STANCE_CHOICES = [
    SelectChoice("for", _l("For (赞成)")),
    SelectChoice("against", _l("Against (反对)")),
    SelectChoice("neutral", _l("Neutral (中立)")),
]


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ConsultationForm(FlaskForm):
    title = StringField(
        _l("Topic"),
        filters=[lambda s: s.strip() if s else s],
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


class SpeakForm(FlaskForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    body = TextAreaField(_l("Your speech"), validators=[Length(max=5000)], render_kw={"rows": 3})
    stance = RadioField(_l("Your stance"), choices=STANCE_CHOICES, validate_choice=False)


class PhaseForm(FlaskForm):
    phase = HiddenField(validators=[InputRequired()])
