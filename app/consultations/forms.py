"""Consultation forms: parsing and validation only."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.consultations.models import Party
from app.procedure.engine import Mode

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


class RulesForm(FlaskForm):
    mode = SelectField(
        _l("Mode"),
        choices=[
            SelectChoice(Mode.FORMAL.value, _l("Formal: raise hand, the chair gives the floor")),
            SelectChoice(Mode.OPEN.value, _l("Open: verified members speak within limits")),
        ],
    )
    max_speech_chars = IntegerField(_l("Longest speech (characters)"), validators=[NumberRange(1, 5000)])
    max_speeches_per_motion = IntegerField(_l("Speeches per member per motion"), validators=[NumberRange(1, 100)])
    floor_seconds = IntegerField(_l("Time on the floor (seconds)"), validators=[NumberRange(10, 3600)])
    slow_mode_seconds = IntegerField(
        _l("Least time between a member's speeches (seconds)"), validators=[NumberRange(0, 3600)]
    )
    stance_required = BooleanField(_l("A speech on a motion states for, against or neutral first"))
    alternate_stances = BooleanField(_l("The queue alternates for and against"))
    chair_neutral = BooleanField(_l("The chair neither argues nor votes"))
    second_required = BooleanField(_l("A motion needs a second before debate"))
    quorum_num = IntegerField(_l("Quorum: numerator"), validators=[NumberRange(0, 1000)])
    quorum_den = IntegerField(_l("Quorum: denominator"), validators=[NumberRange(1, 1000)])
    pass_num = IntegerField(_l("Threshold: numerator"), validators=[NumberRange(0, 1000)])
    pass_den = IntegerField(_l("Threshold: denominator"), validators=[NumberRange(1, 1000)])
    pass_strict = BooleanField(_l("More than the threshold (not equal to it)"))
    tie_fails = BooleanField(_l("A tie fails"))
    auto_hide_reports = IntegerField(_l("Hide automatically after this many reports"), validators=[NumberRange(1, 100)])
