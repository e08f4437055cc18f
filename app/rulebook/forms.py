"""Forms for the community's rules: parsing and validation only. Dates are local (Asia/Shanghai) dates, each
the last day of its period."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange

from app.core.forms import SiteForm, strip
from app.moderation.services import MAX_MUTE_MINUTES
from app.procedure.forms import RulesForm
from app.rulebook.labels import CHOICE_LABELS


class NewDraftForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    source_id = SelectField(_l("Start from"), coerce=int, validate_choice=False)
    name = StringField(
        _l("Name"),
        filters=[strip],
        validators=[InputRequired(_l("Give the rule set a name.")), Length(max=60)],
        description=_l("For example: 翠竹园社区议事规则"),
    )
    explanation = TextAreaField(
        _l("Why the community should adopt these rules (optional)"), validators=[Length(max=2000)]
    )


class DraftForm(RulesForm):
    """The draft's parameters, with its name, readable text and explanation."""

    name = StringField(
        _l("Name"), filters=[strip], validators=[InputRequired(_l("Give the rule set a name.")), Length(max=60)]
    )
    text = TextAreaField(
        _l("The rules in plain words (one per line)"), validators=[Length(max=5000)], render_kw={"rows": 12}
    )
    explanation = TextAreaField(
        _l("Why the community should adopt these rules (optional)"), validators=[Length(max=2000)]
    )


class CommentsPeriodForm(SiteForm):
    closes_on = DateField(
        _l("Comments are taken until (the end of) this day"), validators=[InputRequired(_l("Choose a date."))]
    )


class VotePeriodForm(SiteForm):
    closes_on = DateField(_l("Voting closes at the end of this day"), validators=[InputRequired(_l("Choose a date."))])


class CommentForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    body = TextAreaField(
        _l("Your comment"),
        validators=[InputRequired(_l("A comment is 1 to 1000 characters.")), Length(max=1000)],
        render_kw={"rows": 4, "maxlength": 1000},
    )


class BallotForm(SiteForm):
    choice = RadioField(
        _l("Your vote"),
        choices=[SelectChoice(value, label) for value, label in CHOICE_LABELS.items()],
        validators=[InputRequired(_l("Choose for, against or abstain."))],
    )


class ReasonForm(SiteForm):
    reason = StringField(
        _l("Reason (shown to everyone)"),
        filters=[strip],
        validators=[InputRequired(_l("Give a reason: it is shown to everyone in the room.")), Length(max=200)],
    )


class MuteForm(ReasonForm):
    minutes = IntegerField(
        _l("Mute for how many minutes"),
        default=60,
        validators=[InputRequired(_l("Enter a whole number.")), NumberRange(1, MAX_MUTE_MINUTES)],
    )
