"""Owners' decision forms: parsing and validation only. Shares are typed as text ("3/4", "75%") and parsed
exactly by `core.forms.ShareField`, so the one parser's messages appear next to the field."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from app.core.errors import DomainError
from app.core.forms import ShareField, SiteForm, WholeNumberField, int_or_none, strip
from app.decisions.labels import APPROVAL_MODES, CHOICE_LABELS, MATTERS, ROLE_LABELS
from app.decisions.models import DEFAULT_PROXY_LIMIT


class DecisionForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    matter = SelectField(
        _l("Matter (Civil Code art. 278)"),
        choices=[SelectChoice(n, f"{n}. {label}") for n, label in MATTERS.items()],
        coerce=int_or_none,
        validate_choice=False,  # the service says which matters there are
    )
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[
            InputRequired(_l("Give a title of 4 to 100 characters.")),
            Length(min=4, max=100, message=_l("Give a title of 4 to 100 characters.")),
        ],
    )
    body = TextAreaField(
        _l("Text put to the owners"),
        description=_l("What is decided, why, the cost and who pays. Markdown: **bold**, lists, tables."),
        filters=[strip],
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
        example=7,
        validators=[InputRequired(_l("The 公示 period is 1 to 60 days."))],
        render_kw={"inputmode": "numeric"},
    )
    proxy_limit = WholeNumberField(
        _l("Owners one proxy may vote for, at most"),
        description=_l("An owner may appoint a proxy (委托代理人); no one proxy votes for more owners than this."),
        default=DEFAULT_PROXY_LIMIT,
        example=DEFAULT_PROXY_LIMIT,
        validators=[Optional()],  # left empty: the default
        render_kw={"inputmode": "numeric"},
    )

    def values(self) -> dict:
        """The use case's keyword arguments (besides the client id)."""
        return {
            "matter": self.matter.data,
            "title": self.title.data,
            "body": self.body.data,
            "starts_on": self.voting_starts_on.data,
            "ends_on": self.voting_ends_on.data,
            "publicity_days": self.publicity_days.data,
            "proxy_limit": DEFAULT_PROXY_LIMIT if self.proxy_limit.data is None else self.proxy_limit.data,
        }


class RulesForm(SiteForm):
    participation = ShareField(
        _l("Participation: at least"),
        description=_l("Of the total floor area and of the owners. The law: 2/3. Leave empty for the law's."),
        render_kw={"inputmode": "text", "placeholder": "2/3"},
    )
    approval = ShareField(
        _l("Approval: share of those taking part"),
        description=_l(
            "By area and by headcount. The law: more than 1/2 (items 6–8: at least 3/4). Leave empty for the law's."
        ),
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

    def validate(self, extra_validators=None) -> bool:
        """Clearing uses the law's thresholds: whatever is typed in the share fields is not read."""
        if self.clear.data:
            self.participation.process_errors = self.approval.process_errors = []
        return super().validate(extra_validators)

    def thresholds(self) -> dict:
        """The use case's keyword arguments: the shares typed (none when clearing: the law's apply)."""
        inclusive = self.approval_mode.data == "at_least"
        if self.clear.data:
            return {"participation": None, "approval": None, "inclusive": inclusive}
        if self.approval_mode.data not in APPROVAL_MODES:
            raise DomainError("bad_request", _l("Choose more than or at least."), field="approval_mode")
        return {"participation": self.participation.data, "approval": self.approval.data, "inclusive": inclusive}


class VoteForm(SiteForm):
    choice = RadioField(
        _l("Your vote"),
        choices=[SelectChoice(c.value, label) for c, label in CHOICE_LABELS.items()],
        validate_choice=False,  # the service says "Choose agree, oppose or abstain."
    )
    confirmed = HiddenField()  # "1" from the review step: the vote is sent only once the voter saw their choice

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed.data == "1"


class PaperForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    roll_entry = SelectField(_l("Owner on the roll"), coerce=int_or_none, validate_choice=False)
    choice = RadioField(
        _l("Choice marked on the paper ballot"),
        choices=[SelectChoice(c.value, label) for c, label in CHOICE_LABELS.items()],
        validate_choice=False,
    )


class CorrectForm(SiteForm):
    choice = RadioField(
        _l("Corrected choice"),
        choices=[SelectChoice(c.value, label) for c, label in CHOICE_LABELS.items()],
        validate_choice=False,
    )


class CertifyForm(SiteForm):
    role = RadioField(
        _l("Sign as"),
        choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()],
        validate_choice=False,
    )


class ObjectionForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    body = TextAreaField(
        _l("Your objection"),
        filters=[strip],
        validators=[
            InputRequired(_l("Write your objection in 5 to 2000 characters.")),
            Length(min=5, max=2000, message=_l("Write your objection in 5 to 2000 characters.")),
        ],
        render_kw={"rows": 4},
    )


class AnswerForm(SiteForm):
    answer = TextAreaField(
        _l("Answer"),
        filters=[strip],
        validators=[
            InputRequired(_l("Write an answer of 2 to 2000 characters.")),
            Length(min=2, max=2000, message=_l("Write an answer of 2 to 2000 characters.")),
        ],
        render_kw={"rows": 3},
    )


class ActionForm(SiteForm):
    """A button that changes state (open, close): CSRF only."""


class ProxyForm(SiteForm):
    """The owner appoints a proxy: the proxy's number, and the owner's own password to confirm."""

    phone = StringField(
        _l("The proxy's mobile number"),
        description=_l("A family member or another owner who has joined this community on Yishi."),
        filters=[strip],
        validators=[InputRequired(_l("Enter the proxy's 11-digit mobile number.")), Length(max=20)],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    password = PasswordField(
        _l("Your password, to confirm"),
        validators=[Optional(), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    code = StringField(
        _l("Or the code sent to your phone"),
        filters=[strip],
        validators=[Optional(), Length(max=12)],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"},
    )


class OfficeProxyForm(SiteForm):
    """Staff record an authorisation signed at the office, with a photo of the paper."""

    roll_entry = SelectField(_l("Owner on the roll"), coerce=int_or_none, validate_choice=False)
    phone = StringField(
        _l("The proxy's mobile number"),
        filters=[strip],
        validators=[InputRequired(_l("Enter the proxy's 11-digit mobile number.")), Length(max=20)],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    photo = FileField(
        _l("Photo of the signed authorisation (委托书)"), render_kw={"accept": "image/jpeg,image/png,image/webp"}
    )
