"""Account forms: parsing and validation only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, Optional, ValidationError

from app.accounts import passwords
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


def strong_password(form, field) -> None:
    """The one password rule (accounts.passwords), with the form's phone (or the account's) as the number."""
    phone = form.phone.data if hasattr(form, "phone") else getattr(form, "account_phone", None)
    message = passwords.problem(field.data or "", phone=phone)
    if message is not None:
        raise ValidationError(message)


class CodeField(StringField):
    """A one-time code: digits only, spaces and dashes dropped ("1234 5678" as printed on a desk slip)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = "".join(ch for ch in (self.data or "") if ch not in " -\u3000")


def code_of(*lengths: int):
    def check(form, field) -> None:
        if not (field.data or "").isdigit() or len(field.data) not in lengths:
            if lengths == (6,):
                raise ValidationError(_l("The code has 6 digits, as in the text message."))
            raise ValidationError(
                _l("Enter the 6-digit code from the text message, or the 8-digit code from the slip.")
            )

    return check


def _new_password(label):
    return PasswordField(label, validators=[InputRequired(_l("Choose a password.")), strong_password])


def _password_again():
    return PasswordField(
        _l("Password again"),
        validators=[
            InputRequired(_l("Enter the password again.")),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
    )


def _phone_field():
    return PhoneField(_l("Mobile number"), validators=[InputRequired(_l("Enter your mobile number.")), valid_phone])


class RegisterForm(SiteForm):
    """Step 2 of registering: the code texted to the number (step 1 is SendCodeForm), the name and a password."""

    phone = PhoneField(_l("Mobile number"), validators=[InputRequired(_l("Enter your mobile number.")), valid_phone])
    code = CodeField(_l("Code"), validators=[InputRequired(_l("Enter the code from the text message.")), code_of(6)])
    name = StringField(
        _l("Display name"),
        filters=[lambda s: s.strip() if s else s],
        validators=[
            InputRequired(_l("Enter the name your neighbours know you by.")),
            Length(max=20, message=_l("A name can be at most %(max)d characters.")),
        ],
    )
    password = _new_password(_l("Password"))
    confirm = _password_again()


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


class SendCodeForm(SiteForm):
    """Step 1 of logging in with a code or of a forgotten password: the number to text the code to."""

    phone = _phone_field()
    resend = HiddenField()  # "1" from the button "send a new code" on step 2


class CodeLoginForm(SiteForm):
    """Step 2 of logging in with a code."""

    phone = _phone_field()
    code = CodeField(_l("Code"), validators=[InputRequired(_l("Enter the code from the text message.")), code_of(6)])
    remember = BooleanField(_l("Stay logged in on this phone"), default=True)


class ResetPasswordForm(SiteForm):
    """A new password with an SMS code or a code printed at the community office."""

    phone = _phone_field()
    code = CodeField(_l("Code or reset code"), validators=[InputRequired(_l("Enter the code.")), code_of(6, 8)])
    password = _new_password(_l("New password"))
    confirm = _password_again()


class ChangePasswordForm(SiteForm):
    """A new password, proved with the current one or with a code sent to the account's number."""

    current_password = PasswordField(_l("Current password"), validators=[Optional(), Length(max=128)])
    code = CodeField(_l("Or: code from a text message"), validators=[Optional(), code_of(6)])
    password = _new_password(_l("New password"))
    confirm = _password_again()

    def __init__(self, *args, account_phone: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account_phone = account_phone

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.current_password.data and not self.code.data:
            self.current_password.errors = [
                *self.current_password.errors,
                _l("Enter your current password, or a code sent to your phone."),
            ]
            return False
        return valid
