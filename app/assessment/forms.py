"""Assessment forms: parsing and validation only (the services check the rules)."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import TextInput

from app.assessment.labels import KIND_LABELS, RULE_LABELS
from app.core.forms import SiteForm, WholeNumberField, strip


def parse_number(text: str) -> Fraction:
    """A number typed as "20", "12.5", "20%" (the % is dropped: shares are in percent) or "15/2", exactly."""
    raw = text.strip().replace("％", "%").replace("／", "/").removesuffix("%").strip()
    if not raw or len(raw) > 20:
        raise ValueError
    if "/" in raw:
        top, _sep, bottom = raw.partition("/")
        if not top.strip().isdigit() or not bottom.strip().isdigit() or int(bottom) == 0:
            raise ValueError
        return Fraction(int(top), int(bottom))
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError from None
    if not value.is_finite():
        raise ValueError
    return Fraction(value)


class NumberField(StringField):
    """A number typed in a text box; `data` is an exact Fraction (None when blank)."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        text = ((valuelist[0] if valuelist else "") or "").strip()
        self.data = None
        if text:
            try:
                self.data = parse_number(text)
            except ValueError:
                raise ValueError(_l('Enter a number such as "20", "12.5" or "15/2".')) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class SchemeForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    year = WholeNumberField(_l("Year assessed"), validators=[InputRequired(_l("Give the year."))], example=2025)
    title = StringField(
        _l("Title"), filters=[strip], validators=[InputRequired(_l("Give the scheme a title.")), Length(max=100)]
    )


class CriterionForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    title = StringField(
        _l("Criterion"),
        filters=[strip],
        validators=[InputRequired(_l("Name the criterion.")), Length(max=100)],
    )
    description = TextAreaField(_l("What it rewards"), validators=[Length(max=2000)], render_kw={"rows": 2})
    points = WholeNumberField(_l("Points"), validators=[InputRequired(_l("Give the criterion's points."))], example=10)
    kind = SelectField(
        _l("How it is scored"), choices=[SelectChoice(k, label) for k, label in KIND_LABELS.items()], default="figure"
    )
    figure_key = SelectField(_l("Dashboard figure"), choices=[], validate_choice=False, validators=[Optional()])
    rule = SelectField(
        _l("Rule"), choices=[SelectChoice(k, label) for k, label in RULE_LABELS.items()], default="linear"
    )
    floor = NumberField(_l("Floor (0 points)"), validators=[Optional()])
    target = NumberField(_l("Target (full points)"), validators=[Optional()])
    lower_is_better = BooleanField(_l("Lower is better (for a rank)"))

    def data_for_service(self) -> dict:
        return {name: self[name].data for name in self._fields if name != "csrf_token"}


class PointsForm(SiteForm):
    points = WholeNumberField(_l("Points"), validators=[InputRequired(_l("Give the criterion's points."))], example=10)


class ScoreForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    points = NumberField(_l("Score"), validators=[InputRequired(_l("Give the score."))])
    evidence = TextAreaField(
        _l("Evidence"),
        validators=[Length(max=4000)],
        render_kw={"rows": 3},
    )
    reason = TextAreaField(_l("Why this score"), validators=[Length(max=2000)], render_kw={"rows": 2})

    def data_for_service(self) -> dict:
        return {name: self[name].data for name in ("client_id", "points", "evidence", "reason")}
