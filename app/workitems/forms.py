"""Work-item forms: parsing and validation only (the services check the rules)."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from app.core.forms import SiteForm, WholeNumberField, int_or_none, strip
from app.workitems.labels import DECISION_LABELS


class DepartmentForm(SiteForm):
    name = StringField(
        _l("Department name"),
        filters=[strip],
        validators=[InputRequired(_l("Give the department's name.")), Length(max=60)],
    )


class OfficerForm(SiteForm):
    phone = StringField(
        _l("Officer's mobile number"),
        filters=[strip],
        validators=[InputRequired(_l("Give the officer's mobile number.")), Length(max=20)],
    )


class RequestForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    title = StringField(
        _l("Work item"), filters=[strip], validators=[InputRequired(_l("Name the work item.")), Length(max=100)]
    )
    duties = TextAreaField(
        _l("What the communities must do"),
        validators=[InputRequired(_l("Say what the communities must do.")), Length(max=2000)],
        render_kw={"rows": 4},
    )
    basis = TextAreaField(
        _l("Why: legal basis or purpose"),
        validators=[InputRequired(_l("Give the legal basis or purpose.")), Length(max=2000)],
        render_kw={"rows": 3},
    )
    hours_per_month = WholeNumberField(
        _l("Workload: hours per community per month"),
        validators=[InputRequired(_l("Estimate the hours per community per month."))],
        example=4,
    )
    starts_on = DateField(_l("Starts on"), validators=[InputRequired(_l("Give the date the work starts."))])
    urgent = BooleanField(_l("Urgent: cannot wait for the yearly round"))
    urgent_reason = StringField(_l("Why it is urgent"), filters=[strip], validators=[Optional(), Length(max=500)])


class RoundForm(SiteForm):
    year = WholeNumberField(_l("Year of the list"), validators=[InputRequired(_l("Give the year."))], example=2027)
    closes_on = DateField(_l("Requests close on"), validators=[InputRequired(_l("Give the date requests close."))])


class DecisionForm(SiteForm):
    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice(key, label) for key, label in DECISION_LABELS.items()],
        validators=[InputRequired(_l("Choose to admit or refuse."))],
    )
    reason = StringField(_l("Reason (required to refuse)"), filters=[strip], validators=[Optional(), Length(max=500)])


class ObjectionForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    department_id = SelectField(_l("Which department"), coerce=int_or_none, validate_choice=False)
    what = TextAreaField(
        _l("What work was placed on the community"),
        validators=[InputRequired(_l("Say what work was placed on the community.")), Length(max=2000)],
        render_kw={"rows": 4},
    )
    placed_on = DateField(
        _l("Date the work was placed"), validators=[InputRequired(_l("Give the date the work was placed."))]
    )
    evidence = TextAreaField(
        _l("Evidence (optional): a notice, a message, who asked"),
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 3},
    )


class AnswerForm(SiteForm):
    answer = TextAreaField(
        _l("Answer"), validators=[InputRequired(_l("Write the answer.")), Length(max=2000)], render_kw={"rows": 4}
    )
