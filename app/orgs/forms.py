"""The registry's forms: parsing and validation only; the use cases (services) check the rest."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.forms import SiteForm, int_or_none, strip
from app.orgs.labels import AREA_LABELS, KIND_LABELS


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DayField(DateField):
    """A date typed as year-month-day; anything else is refused with a message saying so (translated)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Give the expiry date as year-month-day, e.g. 2027-12-31.")) from None


def _kind_field():
    return SelectField(
        _l("Kind"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()], validate_choice=False
    )


def _areas_field():
    return CheckboxesField(
        _l("Service areas"),
        choices=[SelectChoice(value, label) for value, label in AREA_LABELS.items()],
        validate_choice=False,
    )


def _description_field():
    return TextAreaField(_l("What the organisation does"), validators=[Length(max=2000)], render_kw={"rows": 4})


class RegisterForm(SiteForm):
    name = StringField(
        _l("Full registered name"),
        filters=[strip],
        validators=[InputRequired(_l("Give the full name (2 to 100 characters).")), Length(max=100)],
    )
    registration_number = StringField(
        _l("Unified social credit code (统一社会信用代码)"),
        filters=[strip],
        description=_l("18 characters, as on the registration certificate."),
        validators=[InputRequired(_l("Enter the 18-character code."))],
        render_kw={"autocapitalize": "characters", "spellcheck": "false", "maxlength": 30},
    )
    kind = _kind_field()
    service_areas = _areas_field()
    description = _description_field()
    district_id = SelectField(_l("District"), coerce=int_or_none, validate_choice=False)
    street_id = SelectField(
        _l("Street (optional)"),
        coerce=int_or_none,
        validate_choice=False,
        description=_l("If the organisation is registered under a street's centre; its staff verify it."),
    )

    def fields(self) -> dict:
        names = ("name", "registration_number", "kind", "service_areas", "description", "district_id", "street_id")
        return {name: getattr(self, name).data for name in names}


class EditForm(SiteForm):
    kind = _kind_field()
    service_areas = _areas_field()
    description = _description_field()


class SuspendForm(SiteForm):
    reason = StringField(
        _l("Reason (the agents read it)"),
        filters=[strip],
        validators=[InputRequired(_l("Give a reason (2 to 200 characters): the agents read it.")), Length(max=200)],
    )


class ButtonForm(SiteForm):
    """A POST with nothing but the CSRF token (verify, remove)."""


class QualificationForm(SiteForm):
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    name = StringField(
        _l("Qualification"),
        filters=[strip],
        description=_l("For example: 社会组织等级评估 4A, 民办非企业单位登记证书"),
        validators=[InputRequired(_l("Name the qualification (2 to 100 characters).")), Length(max=100)],
    )
    number = StringField(_l("Certificate number (optional)"), filters=[strip], validators=[Length(max=60)])
    expires_on = DayField(
        _l("Valid until"),
        validators=[InputRequired(_l("Give the expiry date as year-month-day."))],
    )


class AgentForm(SiteForm):
    phone = StringField(
        _l("Mobile number of their account"),
        filters=[strip],
        validators=[InputRequired(_l("Enter an 11-digit mobile number."))],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
