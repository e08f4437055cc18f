"""Needs' forms: parsing and validation only (the services check again and say why)."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.forms import MoneyField, SiteForm, WholeNumberField, int_or_none, strip
from app.needs.labels import AFFECTED_LABELS, CRITERIA, STATUS_LABELS
from app.needs.models import Affected, NeedStatus

AFFECTED_CHOICES = [SelectChoice(a.value, AFFECTED_LABELS[a]) for a in Affected]
_TITLE = _l("Give a title of 2 to 120 characters.")
_DESCRIPTION = _l("Describe the need in 5 to 2000 characters.")
_HOUSEHOLDS = _l("Estimate the households as a whole number from 0 to 100000.")
GRADES = [SelectChoice(str(n), str(n)) for n in range(1, 6)]


class NeedForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    title = StringField(
        _l("The need in a few words"),
        filters=[strip],
        validators=[InputRequired(_l("Give the need a title.")), Length(min=2, max=120, message=_TITLE)],
    )
    description = TextAreaField(
        _l("What is missing, and for whom?"),
        validators=[InputRequired(_l("Describe the need.")), Length(min=5, max=2000, message=_DESCRIPTION)],
        render_kw={"rows": 5},
    )
    affected = SelectField(_l("Who is affected"), choices=AFFECTED_CHOICES)
    building_id = SelectField(_l("Where: a building"), coerce=int_or_none, validate_choice=False)
    place = StringField(_l("Or a place (the square, the gate…)"), filters=[strip], validators=[Length(max=120)])
    households_estimate = WholeNumberField(
        _l("About how many households need it?"),
        validators=[Optional(), NumberRange(min=0, max=100000, message=_HOUSEHOLDS)],
    )
    photos = MultipleFileField(
        _l("Photos (up to 6)"), render_kw={"accept": "image/jpeg,image/png,image/webp", "multiple": True}
    )


class StatusForm(SiteForm):
    status = SelectField(
        _l("New status"),
        choices=[SelectChoice(s.value, STATUS_LABELS[s]) for s in (NeedStatus.SCREENING, NeedStatus.DECLINED)],
    )
    reason = StringField(
        _l("Reason (the author will read it)"),
        filters=[strip],
        validators=[InputRequired(_l("Give a reason: the author will read it.")), Length(max=300)],
    )


class ScoreForm(SiteForm):
    urgency = RadioField(CRITERIA[0][1], choices=GRADES, coerce=int_or_none, validators=[InputRequired()])
    households = RadioField(CRITERIA[1][1], choices=GRADES, coerce=int_or_none, validators=[InputRequired()])
    feasibility = RadioField(CRITERIA[2][1], choices=GRADES, coerce=int_or_none, validators=[InputRequired()])
    cost = RadioField(CRITERIA[3][1], choices=GRADES, coerce=int_or_none, validators=[InputRequired()])
    reason = TextAreaField(
        _l("Your reasons"),
        filters=[strip],
        validators=[InputRequired(_l("Give the reason for your scores.")), Length(min=2, max=1000)],
        render_kw={"rows": 4},
    )


class ItemForm(SiteForm):
    need_ids = SelectMultipleField(
        _l("Screened needs it answers"),
        coerce=int_or_none,
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    title = StringField(
        _l("Item title"),
        filters=[strip],
        validators=[InputRequired(_l("Give a title.")), Length(min=2, max=120, message=_TITLE)],
    )
    summary = TextAreaField(
        _l("What a project for it should do"),
        validators=[InputRequired(_l("Summarise the item.")), Length(min=5, max=2000)],
        render_kw={"rows": 4},
    )
    affected = SelectField(_l("Who it serves"), choices=AFFECTED_CHOICES)
    cost_low = MoneyField(_l("Cost band from (yuan)"), validators=[InputRequired(_l("Give the cost band in yuan."))])
    cost_high = MoneyField(_l("to (yuan)"), validators=[InputRequired(_l("Give the cost band in yuan."))])
    year = WholeNumberField(_l("Year"), validators=[InputRequired(_l("Give a year from 2000 to 2100."))], example=2026)


class PublishForm(SiteForm):
    year = WholeNumberField(_l("Year"), validators=[InputRequired(_l("Give a year from 2000 to 2100."))], example=2026)


class AppointForm(SiteForm):
    scope = SelectField(_l("For"), validate_choice=False)
    phone = StringField(
        _l("The expert's mobile number"),
        filters=[strip],
        validators=[InputRequired(_l("Enter an 11-digit mobile number."))],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    field = StringField(_l("Field (养老, 社工, 财务…)"), filters=[strip], validators=[Length(max=60)])
