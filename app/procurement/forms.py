"""Procurement's forms: parsing and validation only. Lists (criteria, budget lines, milestones) are typed one
per line and parsed by the services (services/parsing.py), which name the bad line."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateField, HiddenField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.forms import MoneyField, SiteForm, WholeNumberField, int_or_none, strip


class CallForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    item_id = SelectField(_l("Guidance item"), coerce=int_or_none, validate_choice=False)
    title = TextAreaField(_l("Title"), filters=[strip])
    scope = TextAreaField(_l("Scope of the service"), filters=[strip])
    ceiling = MoneyField(_l("Budget ceiling (yuan)"), validators=[InputRequired(_l("Give the budget ceiling."))])
    deadline = DateField(_l("Applications close on"), validators=[InputRequired(_l("Choose a date."))])
    scoring_ends = DateField(
        _l("The panel scores until"),
        validators=[Optional()],
        description=_l("Optional; two weeks after applications close if left empty."),
    )
    criteria = TextAreaField(
        _l("Evaluation criteria and weights"),
        filters=[strip],
        description=_l('One per line, "name | weight"; the weights sum to 1 (100%).'),
    )
    panel = SelectMultipleField(
        _l("Expert panel"),
        coerce=int_or_none,
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class ApplicationForm(SiteForm):
    organisation_id = SelectField(_l("Organisation"), coerce=int_or_none, validate_choice=False)
    plan = TextAreaField(_l("Service plan"), filters=[strip])
    budget = TextAreaField(
        _l("Budget lines"),
        filters=[strip],
        description=_l('One per line, "item | amount in yuan"; the total may not exceed the ceiling.'),
    )
    milestones = TextAreaField(
        _l("Milestones"),
        filters=[strip],
        description=_l('One per line, "title | deliverable | due date | payment share"; the shares sum to 1.'),
    )


class DeclareForm(SiteForm):
    conflicted = BooleanField(_l("I have a conflict of interest with this application"))
    note = TextAreaField(_l("What the conflict is (if any)"), filters=[strip])


def score_form(call, formdata=None):
    """A form with one whole-number field (0–100) per criterion of the call, named c<criterion id>."""

    class ScoreForm(SiteForm):
        pass

    for criterion in call.criteria:
        setattr(
            ScoreForm,
            f"c{criterion.id}",
            WholeNumberField(criterion.name, validators=[InputRequired(_l("Give a score from 0 to 100."))], example=80),
        )
    return ScoreForm(formdata=formdata) if formdata is not None else ScoreForm()


class AwardForm(SiteForm):
    application_id = SelectField(_l("Award to"), coerce=int_or_none, validate_choice=False)
    reason = TextAreaField(_l("Reason (required when not the top score)"), filters=[strip])


class ProgressForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    body = TextAreaField(_l("Progress"), filters=[strip])
    photos = MultipleFileField(_l("Photos (up to 6)"), render_kw={"accept": "image/jpeg,image/png,image/webp"})


class SubmitMilestoneForm(SiteForm):
    report = TextAreaField(_l("What was delivered"), filters=[strip])


class SignOffForm(SiteForm):
    note = TextAreaField(_l("Evaluation note"), filters=[strip])


class PayForm(SiteForm):
    amount = MoneyField(_l("Amount (yuan)"), validators=[InputRequired(_l("Give the amount."))])
    note = TextAreaField(_l("Note"), filters=[strip], validators=[Optional()])
