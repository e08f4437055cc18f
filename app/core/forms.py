"""The base of every form, and the fields every feature shares: whole numbers, money (yuan typed, integer fen
kept) and exact shares.

`SiteForm` is what every form of the site derives from (tests/core/test_bad_input.py checks it): on top of its
own validators, each field is refused with a message of its own when what was sent holds a control character
(core.validation.unstorable: a NUL is a 500 on PostgreSQL), or when it is a number no INTEGER column holds
(an id of 2**63). One place, so no form can forget it.

Each field parses with the one parser of its kind (`core.money.parse_yuan`, `core.shares.parse_share`), so
the same wording appears beside the field wherever money or a share is typed. A field that cannot be parsed
fails validation with that message and keeps what was typed, to be corrected.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, IntegerField, StringField
from wtforms.widgets import TextArea, TextInput

from app.core.errors import DomainError
from app.core.money import parse_yuan
from app.core.shares import parse_share
from app.core.validation import CONTROL_CHARACTER, NUMBER_TOO_LARGE, in_integer_range, unstorable


class SiteForm(FlaskForm):
    """Every form of the site: refuses control characters and out-of-range numbers in any field."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return refuse_unstorable(self) and valid


def refuse_unstorable(form) -> bool:
    """Replace the errors of each field that holds a control character or a number beyond an INTEGER column
    with the one that says so; False if there was one. Goes into subforms and lists of them."""
    clean = True
    for field in form:
        if isinstance(field, FormField):
            clean = refuse_unstorable(field.form) and clean
        elif isinstance(field, FieldList):
            entries_clean = True
            for entry in field.entries:
                if isinstance(entry, FormField):
                    entries_clean = refuse_unstorable(entry.form) and entries_clean
                else:
                    entries_clean = _check_field(entry) and entries_clean
            if not entries_clean:  # the list's errors, as FieldList.validate gathers them: one per entry
                field.errors = [entry.errors for entry in field.entries]
                clean = False
        else:
            clean = _check_field(field) and clean
    return clean


def _check_field(field) -> bool:
    multiline = isinstance(field.widget, TextArea)
    if any(isinstance(value, str) and unstorable(value, multiline=multiline) for value in field.raw_data or ()):
        field.errors = [CONTROL_CHARACTER]
        return False
    data = field.data if isinstance(field.data, list | tuple) else [field.data]
    if any(isinstance(value, int) and not isinstance(value, bool) and not in_integer_range(value) for value in data):
        field.errors = [NUMBER_TOO_LARGE]
        return False
    return True


def strip(value):
    """A filter: surrounding spaces go (a phone keyboard adds them)."""
    return value.strip() if isinstance(value, str) else value


def int_or_none(value):
    """Select coercion that never raises: an odd value reaches the service, which says why."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class WholeNumberField(IntegerField):
    """A whole number typed in a text box (a phone's number keypad), with our own message."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, *, example: int = 2, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)
        self.example = example

    def process_formdata(self, valuelist):
        text = ((valuelist[0] if valuelist else "") or "").strip()
        if not text:
            self.data = None
            return
        try:
            self.data = int(text)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a whole number, e.g. %(n)d.", n=self.example)) from None


class _ParsedField(StringField):
    """Text parsed by one of core's parsers: `data` is the parsed value (None when blank)."""

    widget = TextInput()

    def _parse(self, text: str):
        raise NotImplementedError

    def process_formdata(self, valuelist):
        text = ((valuelist[0] if valuelist else "") or "").strip()
        if not text:
            self.data = None
            return
        try:
            self.data = self._parse(text)
        except DomainError as err:
            self.data = None
            raise ValueError(str(err.message)) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else self._format(self.data)

    def _format(self, value) -> str:
        return str(value)


class MoneyField(_ParsedField):
    """An amount typed in yuan ("1234.5", "¥1,234.50"); `data` is integer fen."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def _parse(self, text: str) -> int:
        return parse_yuan(text, field=self.name)

    def _format(self, value) -> str:
        return f"{value // 100}.{value % 100:02d}"


class ShareField(_ParsedField):
    """A share typed as "3/4", "75%" or "0.75"; `data` is an exact Fraction in (0, 1]."""

    def _parse(self, text: str):
        return parse_share(text, field=self.name)

    def _format(self, value) -> str:
        return f"{value.numerator}/{value.denominator}"


class ButtonForm(SiteForm):
    """A button POST (open, close, publish, withdraw, ask again): the CSRF token and nothing else."""
