"""Neighbourhood-group forms: parsing and validation only (the services check scope and state)."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.forms import SiteForm, WholeNumberField, int_or_none, strip
from app.neighbours.labels import CATEGORY_LABELS, KIND_LABELS


class GroupForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    name = StringField(
        _l("Name of the group"),
        filters=[strip],
        validators=[InputRequired(_l("Give the group a name.")), Length(min=2, max=60)],
    )
    description = TextAreaField(_l("What the group is for"), validators=[Optional(), Length(max=2000)])
    buildings = SelectMultipleField(
        _l("Buildings it covers"),
        choices=[],
        coerce=int_or_none,
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class HelpForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    kind = RadioField(
        _l("Do you need help or offer it?"),
        choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
        default="request",
        validate_choice=False,
    )
    category = RadioField(
        _l("What kind of help"),
        choices=[SelectChoice(c.value, label) for c, label in CATEGORY_LABELS.items()],
        default="tools",
        validate_choice=False,
    )
    title = StringField(
        _l("In a few words"),
        filters=[strip],
        validators=[InputRequired(_l("Say in a few words what it is.")), Length(min=2, max=80)],
    )
    body = TextAreaField(_l("More detail (optional)"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 4})


class ThankForm(SiteForm):
    note = StringField(_l("A word of thanks (optional)"), filters=[strip], validators=[Optional(), Length(max=200)])


class ReasonForm(SiteForm):
    reason = StringField(
        _l("Reason"), filters=[strip], validators=[InputRequired(_l("Give a reason.")), Length(max=200)]
    )


class MuteForm(SiteForm):
    user_id = SelectField(_l("Who"), choices=[], coerce=int_or_none, validate_choice=False)
    minutes = WholeNumberField(_l("For how many minutes"), default=60)
    reason = ReasonForm.reason


class ConveneForm(SiteForm):
    title = StringField(
        _l("Title"), filters=[strip], validators=[InputRequired(_l("Give a title.")), Length(min=1, max=100)]
    )
    background = TextAreaField(_l("Background"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 6})
    building_id = SelectField(_l("For which building"), choices=[], coerce=int_or_none, validate_choice=False)
    rule_set_id = SelectField(_l("Rules of procedure"), choices=[], coerce=int_or_none, validate_choice=False)
