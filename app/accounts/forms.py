"""Account forms: parsing and validation only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, ValidationError

from app.core.forms import SiteForm
from app.core.phones import PHONE_RE, normalize_phone


class PhoneField(StringField):
    """A mainland mobile number, normalised before validation."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = normalize_phone(self.data)


def valid_phone(form, field) -> None:
    if not PHONE_RE.match(field.data or ""):
        raise ValidationError(_l("Enter an 11-digit mainland mobile number, e.g. 13812345678."))


class RegisterForm(SiteForm):
    phone = PhoneField(_l("Mobile number"), validators=[InputRequired(_l("Enter your mobile number.")), valid_phone])
    name = StringField(
        _l("Display name"),
        filters=[lambda s: s.strip() if s else s],
        validators=[
            InputRequired(_l("Enter the name your neighbours know you by.")),
            Length(max=20, message=_l("A name can be at most %(max)d characters.")),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(_l("Choose a password.")),
            Length(min=8, max=128, message=_l("A password needs %(min)d to %(max)d characters.")),
        ],
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[
            InputRequired(_l("Enter the password again.")),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
    )


class LoginForm(SiteForm):
    phone = PhoneField(_l("Mobile number"), validators=[InputRequired(_l("Enter your mobile number.")), valid_phone])
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Enter your password.")), Length(max=128)],
    )
    remember = BooleanField(_l("Stay logged in on this phone"), default=True)


class SettingsForm(SiteForm):
    name = StringField(
        _l("Display name"),
        filters=[lambda s: s.strip() if s else s],
        validators=[
            InputRequired(_l("Enter the name your neighbours know you by.")),
            Length(max=20, message=_l("A name can be at most %(max)d characters.")),
        ],
    )
    locale = SelectField(_l("Language"), choices=[SelectChoice("zh_CN", "简体中文"), SelectChoice("en", "English")])
    large_text = BooleanField(_l("Large text (适老化)"))
