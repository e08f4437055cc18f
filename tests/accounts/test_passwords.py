"""The one password rule (accounts.passwords), and that registration, reset, change and the desk use it."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from app.accounts import passwords
from tests import factories

PHONE = "13955550000"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1", "8 to 128"),
        ("x" * 129, "8 to 128"),
        ("", "8 to 128"),
        ("12345678", "run of keys"),
        ("87654321", "run of keys"),
        ("abcdefgh", "run of keys"),
        ("qwertyuiop", "run of keys"),
        ("88888888", "repeated"),
        ("aaaaaaaaaa", "repeated"),
        ("12121212", "repeated"),
        ("abcabcabc", "repeated"),
        ("52013145201314", "repeated"),
        ("19600101", "birthday"),
        ("20001231", "birthday"),
        ("13955550000", "mobile number"),
        ("my13955550000", "mobile number"),
        ("55550000", "mobile number"),  # its last eight digits
        ("a123456789", "most common"),
        ("woaini1314", "most common"),
        ("qq123456", "most common"),
        ("1qaz2wsx", "most common"),
        ("password", "most common"),
        ("PassWord", "most common"),  # any case
        ("iloveyou", "most common"),
        ("sunshine", "most common"),  # from zxcvbn's list
        ("yishi2026", "most common"),  # the demo accounts' public password
    ],
)
def test_weak_passwords_are_refused_with_their_reason(app, password, reason):
    with force_locale("en"):
        message = passwords.problem(password, phone=PHONE)
        assert message is not None, password
        assert reason in str(message)


@pytest.mark.parametrize(
    "password",
    ["correct-horse-9", "wang-ayi-2026", "s3cret-pass", "19601301", "38123456x", "lao zhang de mima", "k9" + "x" * 126],
)
def test_passwords_that_are_not_easy_to_guess_pass(app, password):
    assert passwords.problem(password, phone=PHONE) is None


def test_the_phone_rule_needs_the_phone(app):
    assert passwords.problem("13955550000") is None  # eleven digits, not a date or a run: only the phone rule
    assert passwords.problem("13955550000", phone=PHONE) is not None
    assert passwords.problem("00005555931", phone=PHONE) is not None  # the number backwards


def test_chinese_common_passwords_are_in_the_list(app):
    for word in ("12345678", "88888888", "a123456789", "woaini1314", "qq123456", "52013140", "13145200"):
        assert passwords.problem(word) is not None, word


def test_check_raises_a_domain_error_on_the_named_field(app):
    with pytest.raises(passwords.WeakPassword) as err:
        passwords.check("88888888", field="new_password")
    assert err.value.field == "new_password" and err.value.status_code == 400
    passwords.check("correct-horse-9")


def test_the_reasons_are_translated(app):
    with force_locale("zh_CN"):
        assert str(passwords.problem("19600101")) == "生日之类的日期（如 19600101）很容易被猜到，请换一个。"
        assert str(passwords.problem("short")) == "密码需要 8 到 128 位。"


def test_registration_uses_the_rule(client):
    response = factories.register(client, phone=PHONE, password="woaini1314")
    assert response.status_code == 400
    assert "most common passwords" in response.get_data(as_text=True)
    own_number = factories.register(client, phone=PHONE, password=PHONE)
    assert own_number.status_code == 400
    assert "mobile number as your password" in own_number.get_data(as_text=True)


def test_registration_service_checks_the_rule_too(app):
    from app.accounts import services

    with pytest.raises(passwords.WeakPassword):
        services.register(PHONE, "王秀兰", "88888888")
