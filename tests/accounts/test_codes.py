"""One-time codes (accounts.codes): stored as an HMAC, single use, short-lived, five tries, newest wins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.accounts import codes
from app.accounts.codes import CodeRefused
from app.accounts.models import CodePurpose, OneTimeCode
from app.core.models import utcnow
from app.core.web import perform
from app.extensions import db

PHONE = "13812345678"
LOGIN = (CodePurpose.LOGIN,)


@pytest.fixture(autouse=True)
def _english(app):
    with force_locale("en"):
        yield


def _issue(purpose=CodePurpose.LOGIN, phone=PHONE):
    code, row = codes.issue(phone, purpose, ip="10.0.0.1")
    db.session.commit()
    return code, row


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10 ** len(code):0{len(code)}d}"


def test_a_code_is_stored_as_an_hmac_never_plain(app):
    code, row = _issue()
    assert len(code) == 6 and code.isdigit()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert row.code_hash == codes.digest(PHONE, CodePurpose.LOGIN, code)
    assert row.code_hash != codes.digest("13900000000", CodePurpose.LOGIN, code)  # bound to the number
    assert row.code_hash != codes.digest(PHONE, CodePurpose.RESET, code)  # and to the purpose
    assert row.requested_ip == "10.0.0.1"
    assert timedelta(minutes=4, seconds=58) < row.expires_at - row.created_at <= timedelta(minutes=5)


def test_a_code_is_used_once(app):
    code, row = _issue()
    assert codes.consume(PHONE, LOGIN, code).id == row.id
    db.session.commit()
    assert row.used_at is not None
    with pytest.raises(CodeRefused):
        codes.consume(PHONE, LOGIN, code)


def test_an_expired_code_is_refused(app):
    code, row = _issue()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(CodeRefused, match="expired"):
        codes.consume(PHONE, LOGIN, code)


def test_five_tries_then_the_code_is_dead_even_when_right(app):
    code, row = _issue()
    for _ in range(5):
        with pytest.raises(CodeRefused, match="not right"):
            codes.consume(PHONE, LOGIN, _wrong(code))
        db.session.commit()  # as the edge does: the refusal keeps its count
    assert db.session.get(OneTimeCode, row.id).attempts == 5
    with pytest.raises(CodeRefused, match="too many times"):
        codes.consume(PHONE, LOGIN, code)


def test_the_fifth_try_may_be_the_right_one(app):
    code, _row = _issue()
    for _ in range(4):
        with pytest.raises(CodeRefused):
            codes.consume(PHONE, LOGIN, _wrong(code))
        db.session.commit()
    assert codes.consume(PHONE, LOGIN, code).attempts == 5


def test_a_newer_code_replaces_the_older(app):
    first, _ = _issue()
    second, _ = _issue()
    assert db.session.scalar(select(func.count()).select_from(OneTimeCode)) == 1
    if first != second:
        with pytest.raises(CodeRefused):
            codes.consume(PHONE, LOGIN, first)
        db.session.commit()
    codes.consume(PHONE, LOGIN, second)


def test_codes_of_other_numbers_and_purposes_are_apart(app):
    login, _ = _issue(CodePurpose.LOGIN)
    reset, _ = _issue(CodePurpose.RESET)  # does not replace the login code
    other, _ = _issue(CodePurpose.LOGIN, phone="13900000000")
    with pytest.raises(CodeRefused):
        codes.consume(PHONE, (CodePurpose.RESET,), login if login != reset else _wrong(reset))
    db.session.commit()
    assert codes.consume("13900000000", LOGIN, other)
    assert codes.consume(PHONE, LOGIN, login)


def test_long_dead_codes_are_cleared_when_a_code_is_issued(app):
    _code, old = _issue(phone="13900000000")
    old.expires_at = utcnow() - timedelta(days=2)
    db.session.commit()
    _issue()
    assert db.session.scalar(select(OneTimeCode.phone)) == PHONE


def test_a_desk_code_has_8_digits_and_lasts_a_day(app):
    code, row = _issue(CodePurpose.DESK_RESET)
    assert len(code) == 8 and code.isdigit()
    assert timedelta(hours=23, minutes=59) < row.expires_at - row.created_at <= timedelta(hours=24)
    # the length names the purpose: an 8-digit code is tried against desk codes only
    assert codes.consume(PHONE, (CodePurpose.RESET, CodePurpose.DESK_RESET), f"{code[:4]} {code[4:]}").id == row.id


def test_a_code_of_the_wrong_length_or_no_code_counts_no_try(app):
    code, row = _issue()
    for attempt in ("", "12345", "1234567", "abcdef", code + "0"):
        with pytest.raises(CodeRefused):
            codes.consume(PHONE, LOGIN, attempt)
        db.session.commit()
    assert db.session.get(OneTimeCode, row.id).attempts == 0


def test_no_code_for_the_number_is_the_same_refusal(app):
    with pytest.raises(CodeRefused) as err:
        codes.consume("13900000000", LOGIN, "123456")
    assert err.value.field == "code" and err.value.status_code == 400


def test_the_edge_commits_a_wrong_try_though_the_use_case_is_refused(app):
    """core.web: a refusal that keeps_writes is committed, anything else rolled back."""
    code, row = _issue()
    with app.test_request_context(method="POST"):
        assert perform(lambda: codes.consume(PHONE, LOGIN, _wrong(code))).status == 400
    db.session.rollback()  # nothing pending: the edge committed the count
    assert db.session.get(OneTimeCode, row.id).attempts == 1
