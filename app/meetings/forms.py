"""Meeting forms: parsing and validation only (the services check the rest, each with its own message)."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.forms import SiteForm, WholeNumberField, strip


class MeetingDetailsForm(SiteForm):
    """A meeting's title, place, time and online room: preparing it, and changing it before it starts."""

    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[InputRequired(_l("Give the meeting a title.")), Length(min=2, max=100)],
    )
    place = StringField(
        _l("Place"),
        filters=[strip],
        default=_l("Community hall"),
        validators=[InputRequired(_l("Say where the meeting is held.")), Length(min=2, max=100)],
    )
    starts_on = DateField(_l("Day"), validators=[InputRequired(_l("Give the day of the meeting."))])
    start_time = TimeField(_l("Starts at"), validators=[InputRequired(_l("Give the time the meeting starts."))])
    duration = WholeNumberField(
        _l("Length in minutes"),
        default=90,
        example=90,
        validators=[InputRequired(_l("Say how long the meeting lasts.")), NumberRange(15, 480)],
    )
    online_room = StringField(
        _l("Online room (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=200)],
    )


class MeetingForm(MeetingDetailsForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)


class CancelForm(SiteForm):
    reason = TextAreaField(
        _l("Why the meeting is cancelled"),
        filters=[strip],
        validators=[DataRequired(_l("Give the reason.")), Length(min=2, max=500)],
        render_kw={"rows": 2},
    )


class MoveForm(SiteForm):
    direction = HiddenField()
    at = IntegerField(validators=[InputRequired()])


class ItemForm(SiteForm):
    title = StringField(
        _l("Agenda item"),
        filters=[strip],
        validators=[InputRequired(_l("Give the item a title.")), Length(min=2, max=200)],
    )
    ref = SelectField(_l("What it is about"), choices=[], validate_choice=False)


class OutcomeForm(SiteForm):
    outcome = TextAreaField(
        _l("Outcome of this item (for the minutes)"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 3}
    )


class SignInForm(SiteForm):
    code = HiddenField()


class TickForm(SiteForm):
    user_id = IntegerField(validators=[InputRequired()])
    present = HiddenField(default="1")


class ObjectionForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    body = TextAreaField(
        _l("Your objection"),
        validators=[InputRequired(_l("Write your objection.")), Length(min=5, max=2000)],
        render_kw={"rows": 4},
    )


class AnswerForm(SiteForm):
    answer = TextAreaField(
        _l("Answer"),
        validators=[InputRequired(_l("Write the answer.")), Length(min=2, max=2000)],
        render_kw={"rows": 3},
    )
