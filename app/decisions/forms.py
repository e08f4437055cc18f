"""Owners' decision forms: parsing and validation only. Shares are typed as text ("3/4", "75%") and parsed
exactly by `services.parse_share`, so its messages appear next to the field."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length
from wtforms.widgets import TextInput

from app.decisions.models import Choice, DecisionState
from app.voting.models import CertifierRole

# Civil Code art. 278, items 1–9, as the law names them (the Chinese catalogue holds the statute's words).
MATTERS = {
    1: _l("Making and amending the rules of procedure of the owners' assembly"),
    2: _l("Making and amending the management statute"),
    3: _l("Electing the owners' committee or replacing its members"),
    4: _l("Hiring or dismissing the property services company or other manager"),
    5: _l("Using the maintenance fund of the buildings and their ancillary facilities"),
    6: _l("Raising the maintenance fund of the buildings and their ancillary facilities"),
    7: _l("Rebuilding or reconstructing the buildings and their ancillary facilities"),
    8: _l("Changing the use of common parts or using common parts for business"),
    9: _l("Other major matters of common ownership and joint management"),
}

CHOICE_LABELS = {
    Choice.AGREE: _l("Agree"),
    Choice.OPPOSE: _l("Oppose"),
    Choice.ABSTAIN: _l("Abstain"),
}

STATE_LABELS = {
    DecisionState.DRAFT: _l("Draft"),
    DecisionState.VOTING: _l("Voting"),
    DecisionState.COUNTING: _l("Counting"),
    DecisionState.ANNOUNCED: _l("Announced (公示)"),
}

ROLE_LABELS = {
    CertifierRole.COUNTER: _l("Counter (计票人)"),
    CertifierRole.SCRUTINEER: _l("Scrutineer (监票人)"),
}

APPROVAL_MODES = {
    "more": _l("more than"),
    "at_least": _l("at least"),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _int_or_none(value):
    """Select coercion that never raises: an odd value reaches the service, which says why."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class WholeNumberField(IntegerField):
    """A whole number typed in a text box (a phone's number keypad), with our own message."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        text = ((valuelist[0] if valuelist else "") or "").strip()
        if not text:
            self.data = None
            return
        try:
            self.data = int(text)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a whole number, e.g. 7.")) from None


class DecisionForm(FlaskForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    matter = SelectField(
        _l("Matter (Civil Code art. 278)"),
        choices=[SelectChoice(n, f"{n}. {label}") for n, label in MATTERS.items()],
        coerce=_int_or_none,
        validate_choice=False,  # the service says which matters there are
    )
    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[
            InputRequired(_l("Give a title of 4 to 100 characters.")),
            Length(min=4, max=100, message=_l("Give a title of 4 to 100 characters.")),
        ],
    )
    body = TextAreaField(
        _l("Text put to the owners"),
        description=_l("What is decided, why, the cost and who pays. Markdown: **bold**, lists, tables."),
        filters=[_strip],
        validators=[
            InputRequired(_l("Write the text put to the owners (10 to 20000 characters).")),
            Length(min=10, max=20000, message=_l("Write the text put to the owners (10 to 20000 characters).")),
        ],
        render_kw={"rows": 10},
    )
    voting_starts_on = DateField(
        _l("First day of voting"), validators=[InputRequired(_l("Give the first and the last day of voting."))]
    )
    voting_ends_on = DateField(
        _l("Last day of voting"), validators=[InputRequired(_l("Give the first and the last day of voting."))]
    )
    publicity_days = WholeNumberField(
        _l("公示 period (days)"),
        description=_l("How long the result is posted for objections after it is certified."),
        default=7,
        validators=[InputRequired(_l("The 公示 period is 1 to 60 days."))],
        render_kw={"inputmode": "numeric"},
    )


class RulesForm(FlaskForm):
    participation = StringField(
        _l("Participation: at least"),
        description=_l("Of the total floor area and of the owners. The law: 2/3. Leave empty for the law's."),
        filters=[_strip],
        render_kw={"inputmode": "text", "placeholder": "2/3"},
    )
    approval = StringField(
        _l("Approval: share of those taking part"),
        description=_l(
            "By area and by headcount. The law: more than 1/2 (items 6–8: at least 3/4). Leave empty for the law's."
        ),
        filters=[_strip],
        render_kw={"inputmode": "text", "placeholder": "1/2"},
    )
    approval_mode = RadioField(
        _l("Approval needs"),
        choices=[SelectChoice(k, v) for k, v in APPROVAL_MODES.items()],
        default="more",
        validate_choice=False,
    )
    save = SubmitField(_l("Save thresholds"))
    clear = SubmitField(_l("Use the law's thresholds"))


class VoteForm(FlaskForm):
    choice = RadioField(
        _l("Your vote"),
        choices=[SelectChoice(c.value, label) for c, label in CHOICE_LABELS.items()],
        validate_choice=False,  # the service says "Choose agree, oppose or abstain."
    )


class PaperForm(FlaskForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    roll_entry = SelectField(_l("Owner on the roll"), coerce=_int_or_none, validate_choice=False)
    choice = RadioField(
        _l("Choice marked on the paper ballot"),
        choices=[SelectChoice(c.value, label) for c, label in CHOICE_LABELS.items()],
        validate_choice=False,
    )


class CorrectForm(FlaskForm):
    choice = RadioField(
        _l("Corrected choice"),
        choices=[SelectChoice(c.value, label) for c, label in CHOICE_LABELS.items()],
        validate_choice=False,
    )


class CertifyForm(FlaskForm):
    role = RadioField(
        _l("Sign as"),
        choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()],
        validate_choice=False,
    )


class ObjectionForm(FlaskForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    body = TextAreaField(
        _l("Your objection"),
        filters=[_strip],
        validators=[
            InputRequired(_l("Write your objection in 5 to 2000 characters.")),
            Length(min=5, max=2000, message=_l("Write your objection in 5 to 2000 characters.")),
        ],
        render_kw={"rows": 4},
    )


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Answer"),
        filters=[_strip],
        validators=[
            InputRequired(_l("Write an answer of 2 to 2000 characters.")),
            Length(min=2, max=2000, message=_l("Write an answer of 2 to 2000 characters.")),
        ],
        render_kw={"rows": 3},
    )


class ActionForm(FlaskForm):
    """A button that changes state (open, close): CSRF only."""
