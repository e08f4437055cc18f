"""Slow deliberation forms: parsing and validation only."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, HiddenField, IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.core.forms import SiteForm, strip
from app.slow.labels import POSITION_LABELS, REACTION_LABELS, STANCE_LABELS


def _client_id() -> str:
    return uuid.uuid4().hex


class ReplyForm(SiteForm):
    client_id = HiddenField(default=_client_id)
    parent_id = IntegerField(validators=[Optional(), NumberRange(1)])
    stance = RadioField(
        _l("Your stance (optional)"),
        choices=[SelectChoice(s.value, label) for s, label in STANCE_LABELS.items()],
        validate_choice=False,
        validators=[Optional()],
    )
    body = TextAreaField(
        _l("Your reply"), filters=[strip], validators=[InputRequired(_l("Write something to reply.")), Length(max=5000)]
    )


class EditForm(SiteForm):
    body = TextAreaField(
        _l("Your reply"), filters=[strip], validators=[InputRequired(_l("Write something to reply.")), Length(max=5000)]
    )


class ReactForm(SiteForm):
    kind = RadioField(
        choices=[SelectChoice(k.value, label) for k, label in REACTION_LABELS.items()],
        validate_choice=False,
        validators=[InputRequired()],
    )


class ProposalForm(SiteForm):
    client_id = HiddenField(default=_client_id)
    text = TextAreaField(
        _l("The proposal"),
        filters=[strip],
        validators=[InputRequired(_l("A proposal is 1 to 500 characters.")), Length(max=500)],
        render_kw={"rows": 3},
    )
    closes_at = DateTimeLocalField(
        _l("Closes at (Beijing time)"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        validators=[InputRequired(_l("Give the closing date and time."))],
    )


class PositionForm(SiteForm):
    choice = RadioField(
        _l("Your position"),
        choices=[SelectChoice(c.value, label) for c, label in POSITION_LABELS.items()],
        validate_choice=False,
        validators=[InputRequired(_l("Choose in favour, against or abstain."))],
    )
    reason = TextAreaField(_l("Your reason (optional)"), filters=[strip], validators=[Length(max=500)])


class ReasonForm(SiteForm):
    reason = TextAreaField(_l("Reason"), filters=[strip], validators=[Length(max=200)])


class MuteForm(SiteForm):
    user_id = IntegerField(validators=[InputRequired(), NumberRange(1)])
    minutes = IntegerField(_l("Minutes"), validators=[InputRequired(), NumberRange(1, 7 * 24 * 60)], default=60)
    reason = TextAreaField(_l("Reason"), filters=[strip], validators=[Length(max=200)])


class ModeForm(SiteForm):
    mode = HiddenField(validators=[InputRequired()])
