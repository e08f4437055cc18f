"""Micro-project forms: parsing and validation only. Money is typed as yuan and kept as integer fen by
core.forms.MoneyField, so the one parser's messages appear next to the field."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length

from app.core.forms import MoneyField, SiteForm, WholeNumberField, int_or_none, strip
from app.microprojects.labels import SCORE_LABELS, STATUS_LABELS
from app.microprojects.models import ProjectStatus
from app.microprojects.services import MAX_LINES

_PURPOSE_MESSAGE = _l("Describe the purpose, beneficiaries and schedule (10 to 5000 characters).")
EMPTY_LINES = 5  # empty budget rows on a new application
MAX_QUANTITY = 100_000  # as services.budget_lines


def _typed(field) -> bool:
    return bool(field.raw_data and (field.raw_data[0] or "").strip())


class BudgetLineForm(Form):
    """One row of the budget. A row left wholly empty is ignored; a half-filled one is pointed out."""

    item = StringField(
        _l("Item"),
        filters=[strip],
        validators=[Length(max=100, message=_l("An item is at most 100 characters."))],
    )
    quantity = WholeNumberField(_l("Quantity"))
    unit_price = MoneyField(_l("Unit price (yuan)"))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if not self.item.data:
            if _typed(self.quantity) or _typed(self.unit_price):
                self.item.errors.append(_l("Name the item, or clear this line."))
                return False
            return ok  # an empty row
        if self.quantity.data is None and not self.quantity.errors:
            self.quantity.errors.append(_l("Enter the quantity."))
            ok = False
        elif self.quantity.data is not None and not 1 <= self.quantity.data <= MAX_QUANTITY:
            self.quantity.errors.append(_l("A quantity is a whole number from 1 to 100000."))
            ok = False
        if self.unit_price.data is None and not self.unit_price.errors:
            self.unit_price.errors.append(_l("Enter the unit price in yuan."))
            ok = False
        return ok


class ApplicationForm(SiteForm):
    title = StringField(
        _l("Project title"),
        filters=[strip],
        validators=[
            InputRequired(_l("Give a title of 2 to 100 characters.")),
            Length(min=2, max=100, message=_l("Give a title of 2 to 100 characters.")),
        ],
    )
    purpose = TextAreaField(
        _l("Purpose"),
        description=_l("What the project does, who benefits, and when it happens (schedule)."),
        filters=[strip],
        validators=[
            InputRequired(_PURPOSE_MESSAGE),
            Length(min=10, max=5000, message=_PURPOSE_MESSAGE),
        ],
        render_kw={"rows": 6},
    )
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)  # a retried new application makes one draft
    lines = FieldList(FormField(BudgetLineForm), min_entries=EMPTY_LINES, max_entries=MAX_LINES)
    save_draft = SubmitField(_l("Save draft"))
    submit_for_review = SubmitField(_l("Submit for review"))
    add_line = SubmitField(_l("Add a line"))


class ReviewForm(SiteForm):
    """A status change. The template offers only the moves allowed from the current status."""

    status = SelectField(
        _l("New status"),
        choices=[SelectChoice(s.value, STATUS_LABELS[s]) for s in ProjectStatus],
        validate_choice=False,  # the service refuses any other status, with its own message
    )
    comment = TextAreaField(
        _l("Comment (the applicant will read it)"),
        filters=[strip],
        validators=[Length(max=1000, message=_l("A comment is at most 1000 characters."))],
        render_kw={"rows": 3},
    )
    amount = MoneyField(_l("Amount granted (yuan)"))
    year = WholeNumberField(_l("From the micro-fund of the year"))

    def validate(self, extra_validators=None):
        """An approval grants an amount from a year's fund: both are needed then, and only then."""
        ok = super().validate(extra_validators)
        if self.status.data != ProjectStatus.APPROVED.value:
            self.amount.errors, self.year.errors = [], []  # read by an approval only
            return not any(field.errors for field in self)
        if self.amount.data is None and not self.amount.errors:
            self.amount.errors.append(_l("Enter an amount in yuan, e.g. 1234.50."))
            ok = False
        if self.year.data is None and not self.year.errors:
            self.year.errors.append(_l("Choose a year."))
            ok = False
        return ok


class FundForm(SiteForm):
    year = WholeNumberField(_l("Year"), validators=[InputRequired(_l("Choose a year."))])
    total = MoneyField(
        _l("Fund total (yuan)"), validators=[InputRequired(_l("Enter an amount in yuan, e.g. 1234.50."))]
    )


class ExpenditureForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)  # a retried expenditure is recorded once
    amount = MoneyField(
        _l("Amount spent (yuan)"), validators=[InputRequired(_l("Enter an amount in yuan, e.g. 1234.50."))]
    )
    note = StringField(
        _l("What was bought"),
        filters=[strip],
        validators=[Length(max=200, message=_l("A note is at most 200 characters."))],
    )
    receipt = FileField(
        _l("Photo of the receipt"),
        validators=[FileRequired(_l("Add a photo of the receipt."))],
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )


class RatingForm(SiteForm):
    score = RadioField(
        _l("Your rating"),
        choices=[SelectChoice(n, SCORE_LABELS[n]) for n in (5, 4, 3, 2, 1)],
        coerce=int_or_none,
        validate_choice=False,  # the service says "Choose 1 to 5 stars."
    )
    comment = TextAreaField(
        _l("Comment (optional)"),
        filters=[strip],
        validators=[Length(max=500, message=_l("A comment is at most 500 characters."))],
        render_kw={"rows": 3},
    )


class ProgressForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    milestone = StringField(
        _l("Milestone (optional)"),
        filters=[strip],
        validators=[Length(max=100)],
        render_kw={"placeholder": _l("e.g. Bookshelves in place")},
    )
    body = TextAreaField(
        _l("What happened"),
        validators=[InputRequired(_l("Write what happened.")), Length(max=2000)],
        render_kw={"rows": 4},
    )
    photos = MultipleFileField(_l("Photos (up to 6)"), render_kw={"accept": "image/jpeg,image/png,image/webp"})


class GuidanceForm(SiteForm):
    """The guidance list's item the project answers (staff), or none."""

    guidance_item_id = SelectField(_l("Answers the guidance item"), coerce=int_or_none, validate_choice=False)
