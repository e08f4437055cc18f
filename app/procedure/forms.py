"""Rule set forms: parsing and validation only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from app.procedure.engine import Mode


class RulesForm(FlaskForm):
    """The parameters of a rule set (PRODUCT.md)."""

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

    def values(self) -> dict:
        """The parameters as the services take them."""
        from app.procedure.services import RULE_FIELDS

        values = {name: getattr(self, name).data for name in RULE_FIELDS}
        values["mode"] = Mode(values["mode"])
        return values


class RuleSetForm(RulesForm):
    """A community's own rule set: a name and its readable text too."""

    name = StringField(
        _l("Name"),
        filters=[lambda s: s.strip() if s else s],
        validators=[InputRequired(_l("Give the rule set a name.")), Length(max=60)],
    )
    text = TextAreaField(
        _l("The rules in plain words (one per line)"), validators=[Length(max=5000)], render_kw={"rows": 10}
    )


class CopyForm(FlaskForm):
    name = StringField(
        _l("Name of the copy"),
        filters=[lambda s: s.strip() if s else s],
        validators=[InputRequired(_l("Give the rule set a name.")), Length(max=60)],
    )
