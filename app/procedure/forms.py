"""Rule set forms: parsing and validation only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from app.core.forms import SiteForm
from app.procedure.engine import Mode
from app.procedure.labels import MODE_LABELS
from app.procedure.labels import PARAMETER_LABELS as LABELS


class RulesForm(SiteForm):
    """The parameters of a rule set."""

    mode = SelectField(LABELS["mode"], choices=[SelectChoice(m.value, label) for m, label in MODE_LABELS.items()])
    max_speech_chars = IntegerField(LABELS["max_speech_chars"], validators=[NumberRange(1, 5000)])
    max_speeches_per_motion = IntegerField(LABELS["max_speeches_per_motion"], validators=[NumberRange(1, 100)])
    floor_seconds = IntegerField(LABELS["floor_seconds"], validators=[NumberRange(10, 3600)])
    slow_mode_seconds = IntegerField(LABELS["slow_mode_seconds"], validators=[NumberRange(0, 3600)])
    stance_required = BooleanField(LABELS["stance_required"])
    alternate_stances = BooleanField(LABELS["alternate_stances"])
    chair_neutral = BooleanField(LABELS["chair_neutral"])
    second_required = BooleanField(LABELS["second_required"])
    quorum_num = IntegerField(LABELS["quorum_num"], validators=[NumberRange(0, 1000)])
    quorum_den = IntegerField(LABELS["quorum_den"], validators=[NumberRange(1, 1000)])
    pass_num = IntegerField(LABELS["pass_num"], validators=[NumberRange(0, 1000)])
    pass_den = IntegerField(LABELS["pass_den"], validators=[NumberRange(1, 1000)])
    pass_strict = BooleanField(LABELS["pass_strict"])
    tie_fails = BooleanField(LABELS["tie_fails"])
    auto_hide_reports = IntegerField(LABELS["auto_hide_reports"], validators=[NumberRange(1, 100)])
    motion_first = BooleanField(LABELS["motion_first"])
    non_party_may_speak = BooleanField(LABELS["non_party_may_speak"])
    max_replies_per_day = IntegerField(LABELS["max_replies_per_day"], validators=[NumberRange(1, 200)])
    max_reply_chars = IntegerField(LABELS["max_reply_chars"], validators=[NumberRange(1, 5000)])

    def values(self) -> dict:
        """The parameters as the services take them."""
        values = {name: getattr(self, name).data for name in LABELS}
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


class CopyForm(SiteForm):
    name = StringField(
        _l("Name of the copy"),
        filters=[lambda s: s.strip() if s else s],
        validators=[InputRequired(_l("Give the rule set a name.")), Length(max=60)],
    )
