"""Micro-project forms: parsing and validation only. Money is typed as yuan text; views turn it into fen
with `ledger.parse_yuan`, so the one parser's messages appear next to the field."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import (
    FieldList,
    Form,
    FormField,
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

from app.microprojects.models import EntryKind, ProjectStatus
from app.microprojects.services import MAX_LINES

STATUS_LABELS = {
    ProjectStatus.DRAFT: _l("Draft"),
    ProjectStatus.SUBMITTED: _l("Submitted"),
    ProjectStatus.UNDER_REVIEW: _l("Under review"),
    ProjectStatus.CHANGES_REQUESTED: _l("Changes requested"),
    ProjectStatus.APPROVED: _l("Approved"),
    ProjectStatus.REJECTED: _l("Not approved"),
    ProjectStatus.IN_PROGRESS: _l("In progress"),
    ProjectStatus.COMPLETED: _l("Completed"),
    ProjectStatus.EVALUATED: _l("Evaluated"),
}

KIND_LABELS = {
    EntryKind.ALLOCATION: _l("Allocation"),
    EntryKind.EXPENDITURE: _l("Expenditure"),
}

SCORE_LABELS = {
    5: _l("Very satisfied"),
    4: _l("Satisfied"),
    3: _l("Neither satisfied nor dissatisfied"),
    2: _l("Dissatisfied"),
    1: _l("Very dissatisfied"),
}

_PURPOSE_MESSAGE = _l("Describe the purpose, beneficiaries and schedule (10 to 5000 characters).")
EMPTY_LINES = 5  # empty budget rows on a new application
MAX_QUANTITY = 100_000  # as services._lines


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _int_or_none(value):
    """Radio coercion that never raises: a missing or odd score reaches the service, which says why."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class WholeNumberField(IntegerField):
    """A whole number typed in a text box (a phone's number keypad via inputmode), with our own message."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "") or ""
        text = text.strip()
        if not text:
            self.data = None
            return
        try:
            self.data = int(text)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a whole number, e.g. 2.")) from None


class BudgetLineForm(Form):
    """One row of the budget. A row left wholly empty is ignored; a half-filled one is pointed out."""

    item = StringField(
        _l("Item"),
        filters=[_strip],
        validators=[Length(max=100, message=_l("An item is at most 100 characters."))],
    )
    quantity = WholeNumberField(_l("Quantity"), render_kw={"inputmode": "numeric", "autocomplete": "off"})
    unit_price = StringField(
        _l("Unit price (yuan)"), filters=[_strip], render_kw={"inputmode": "decimal", "autocomplete": "off"}
    )

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        typed_quantity = bool(self.quantity.raw_data and (self.quantity.raw_data[0] or "").strip())
        if not self.item.data:
            if typed_quantity or self.unit_price.data:
                self.item.errors.append(_l("Name the item, or clear this line."))
                return False
            return ok  # an empty row
        if self.quantity.data is None and not self.quantity.errors:
            self.quantity.errors.append(_l("Enter the quantity."))
            ok = False
        elif self.quantity.data is not None and not 1 <= self.quantity.data <= MAX_QUANTITY:
            self.quantity.errors.append(_l("A quantity is a whole number from 1 to 100000."))
            ok = False
        if not self.unit_price.data:
            self.unit_price.errors.append(_l("Enter the unit price in yuan."))
            ok = False
        return ok


class ApplicationForm(FlaskForm):
    title = StringField(
        _l("Project title"),
        filters=[_strip],
        validators=[
            InputRequired(_l("Give a title of 2 to 100 characters.")),
            Length(min=2, max=100, message=_l("Give a title of 2 to 100 characters.")),
        ],
    )
    purpose = TextAreaField(
        _l("Purpose"),
        description=_l("What the project does, who benefits, and when it happens (schedule)."),
        filters=[_strip],
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


class ReviewForm(FlaskForm):
    """A status change. The template offers only the moves allowed from the current status."""

    status = SelectField(
        _l("New status"),
        choices=[SelectChoice(s.value, STATUS_LABELS[s]) for s in ProjectStatus],
        validate_choice=False,  # the service refuses any other status, with its own message
    )
    comment = TextAreaField(
        _l("Comment (the applicant will read it)"),
        filters=[_strip],
        validators=[Length(max=1000, message=_l("A comment is at most 1000 characters."))],
        render_kw={"rows": 3},
    )
    amount = StringField(_l("Amount granted (yuan)"), filters=[_strip], render_kw={"inputmode": "decimal"})
    year = WholeNumberField(_l("From the micro-fund of the year"), render_kw={"inputmode": "numeric"})


class FundForm(FlaskForm):
    year = WholeNumberField(
        _l("Year"), validators=[InputRequired(_l("Choose a year."))], render_kw={"inputmode": "numeric"}
    )
    total = StringField(
        _l("Fund total (yuan)"),
        filters=[_strip],
        validators=[InputRequired(_l("Enter an amount in yuan, e.g. 1234.50."))],
        render_kw={"inputmode": "decimal"},
    )


class ExpenditureForm(FlaskForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)  # a retried expenditure is recorded once
    amount = StringField(
        _l("Amount spent (yuan)"),
        filters=[_strip],
        validators=[InputRequired(_l("Enter an amount in yuan, e.g. 1234.50."))],
        render_kw={"inputmode": "decimal"},
    )
    note = StringField(
        _l("What was bought"),
        filters=[_strip],
        validators=[Length(max=200, message=_l("A note is at most 200 characters."))],
    )
    receipt = FileField(
        _l("Photo of the receipt"),
        validators=[FileRequired(_l("Add a photo of the receipt."))],
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )


class RatingForm(FlaskForm):
    score = RadioField(
        _l("Your rating"),
        choices=[SelectChoice(n, SCORE_LABELS[n]) for n in (5, 4, 3, 2, 1)],
        coerce=_int_or_none,
        validate_choice=False,  # the service says "Choose 1 to 5 stars."
    )
    comment = TextAreaField(
        _l("Comment (optional)"),
        filters=[_strip],
        validators=[Length(max=500, message=_l("A comment is at most 500 characters."))],
        render_kw={"rows": 3},
    )


class ProgressForm(FlaskForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    milestone = StringField(
        _l("Milestone (optional)"),
        filters=[lambda s: s.strip() if s else s],
        validators=[Length(max=100)],
        render_kw={"placeholder": _l("e.g. Bookshelves in place")},
    )
    body = TextAreaField(
        _l("What happened"),
        validators=[InputRequired(_l("Write what happened.")), Length(max=2000)],
        render_kw={"rows": 4},
    )
    photos = MultipleFileField(_l("Photos (up to 6)"), render_kw={"accept": "image/jpeg,image/png,image/webp"})
