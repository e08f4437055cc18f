"""Logging in with an SMS code and setting a new password with one, through the pages (development SMS backend).

Nothing may tell whether a number is registered: an unknown number gets the same pages, messages and limits,
and no text message."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.accounts import recovery
from app.accounts.models import OneTimeCode, User
from app.core import sms
from app.core.models import AuditEntry
from app.extensions import db
from tests import factories
from tests.conftest import running_app

KNOWN = "13812345678"
UNKNOWN = "13912345678"


def outbox(phone: str | None = None) -> list:
    return [m for m in sms.backend().recent() if phone is None or m.phone == phone]


def last_code(phone: str) -> str:
    return outbox(phone)[0].params["code"]


def errors(response) -> list[str]:
    return re.findall(r'class="field-error"[^>]*>\s*<li>([^<]*)</li>', response.get_data(as_text=True))


def code_rows(phone: str) -> list[OneTimeCode]:
    return list(db.session.scalars(select(OneTimeCode).where(OneTimeCode.phone == phone)))


@pytest.fixture
def resident(app):
    user = factories.user(phone=KNOWN, name="王秀兰")
    db.session.commit()
    return user


@pytest.fixture
def limited(tmp_path):
    """Rate limits on, as in production (memory storage here)."""
    with running_app(tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_SMS_ADDRESS="3 per hour") as app:
        factories.user(phone=KNOWN, name="王秀兰")
        db.session.commit()
        yield app


def english(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


# -- log in with a code ------------------------------------------------------------------------------


def test_the_login_page_links_the_code_login_and_forgotten_password(client):
    page = client.get("/account/login").get_data(as_text=True)
    assert 'href="/account/login/code' in page and 'href="/account/password/forgot"' in page


def test_log_in_with_an_sms_code(client, resident):
    sent = client.post("/account/login/code", data={"phone": "138 1234 5678"})
    assert sent.status_code == 303
    assert sent.headers["Location"].startswith("/account/login/code/enter")
    step2 = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert f"If {KNOWN} is registered, the code arrives by text message within a minute." in step2
    assert f'value="{KNOWN}"' in step2  # the number is filled in
    assert re.search(r'<input[^>]*autocomplete="one-time-code"[^>]*inputmode="numeric"[^>]*name="code"', step2)
    [message] = outbox(KNOWN)
    assert message.template == "login_code" and "5分钟内有效" in message.text
    response = client.post("/account/login/code/enter", data={"phone": KNOWN, "code": message.params["code"]})
    assert response.status_code == 302 and response.headers["Location"] == "/home"
    assert client.get("/account/settings").status_code == 200
    assert code_rows(KNOWN)[0].used_at is not None


def test_the_code_works_once(client, app, resident):
    client.post("/account/login/code", data={"phone": KNOWN})
    code = last_code(KNOWN)
    assert client.post("/account/login/code/enter", data={"phone": KNOWN, "code": code}).status_code == 302
    other = english(app)
    again = other.post("/account/login/code/enter", data={"phone": KNOWN, "code": code})
    assert again.status_code == 400
    assert "not right, or it has expired" in errors(again)[0]


def test_a_wrong_code_keeps_the_form_and_counts_a_try_until_the_code_is_dead(client, resident):
    client.post("/account/login/code", data={"phone": KNOWN})
    code = last_code(KNOWN)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for _ in range(5):
        response = client.post("/account/login/code/enter", data={"phone": KNOWN, "code": wrong})
        assert response.status_code == 400
    assert code_rows(KNOWN)[0].attempts == 5
    dead = client.post("/account/login/code/enter", data={"phone": KNOWN, "code": code})
    assert dead.status_code == 400
    assert "tried too many times" in errors(dead)[0]
    assert client.get("/account/settings").status_code == 302  # not logged in


@pytest.mark.parametrize(("code", "message"), [("12345", "6 digits"), ("abcdef", "6 digits"), ("", "Enter the code")])
def test_a_malformed_code_is_refused_before_any_try(client, resident, code, message):
    client.post("/account/login/code", data={"phone": KNOWN})
    response = client.post("/account/login/code/enter", data={"phone": KNOWN, "code": code})
    assert response.status_code == 400
    assert message in errors(response)[0]
    assert code_rows(KNOWN)[0].attempts == 0


def test_a_bad_number_is_refused_and_nothing_sent(client):
    response = client.post("/account/login/code", data={"phone": "12345"})
    assert response.status_code == 400
    assert "11-digit" in errors(response)[0]
    assert outbox() == [] and code_rows("12345") == []


def test_a_switched_off_account_gets_no_code_and_cannot_log_in(client, resident):
    resident.active = False
    db.session.commit()
    assert client.post("/account/login/code", data={"phone": KNOWN}).status_code == 303
    assert outbox() == []
    [_row] = code_rows(KNOWN)  # written as for an unknown number: it reveals nothing
    assert client.post("/account/login/code/enter", data={"phone": KNOWN, "code": "123456"}).status_code == 400


# -- nothing tells whether a number is registered ----------------------------------------------------


def _same_page(a: str, b: str) -> bool:
    def strip(page: str) -> str:
        page = page.replace(KNOWN, "N").replace(UNKNOWN, "N")
        return re.sub(r'name="csrf_token"[^>]*value="[^"]*"', "", page)

    return strip(a) == strip(b)


def test_an_unknown_number_gets_the_same_pages_and_no_sms(app, resident):
    known, unknown = english(app), english(app)
    a = known.post("/account/login/code", data={"phone": KNOWN})
    b = unknown.post("/account/login/code", data={"phone": UNKNOWN})
    assert (a.status_code, a.headers["Location"]) == (b.status_code, b.headers["Location"])
    assert _same_page(
        known.get(a.headers["Location"]).get_data(as_text=True),
        unknown.get(b.headers["Location"]).get_data(as_text=True),
    )
    assert [m.phone for m in outbox()] == [KNOWN]  # nothing sent to the unknown number
    assert len(code_rows(UNKNOWN)) == 1  # but a code row all the same: trying codes behaves alike
    wrong_known = known.post("/account/login/code/enter", data={"phone": KNOWN, "code": "000000"})
    wrong_unknown = unknown.post("/account/login/code/enter", data={"phone": UNKNOWN, "code": "000000"})
    if last_code(KNOWN) != "000000":
        assert wrong_known.status_code == wrong_unknown.status_code == 400
        assert _same_page(wrong_known.get_data(as_text=True), wrong_unknown.get_data(as_text=True))


def test_an_unknown_numbers_code_dies_after_five_tries_like_a_known_one(app, resident):
    pages = {}
    for phone in (KNOWN, UNKNOWN):
        client = english(app)
        client.post("/account/login/code", data={"phone": phone})
        for _ in range(6):
            response = client.post("/account/login/code/enter", data={"phone": phone, "code": "999999"})
        pages[phone] = errors(response)
    if last_code(KNOWN) != "999999":
        assert (
            pages[KNOWN]
            == pages[UNKNOWN]
            == ["This code was tried too many times and no longer works. Ask for a new code."]
        )


def test_the_send_limits_are_the_same_for_an_unknown_number(limited):
    for phone in (KNOWN, UNKNOWN):
        client = english(limited)
        assert client.post("/account/login/code", data={"phone": phone}).status_code == 303
        again = client.post("/account/login/code", data={"phone": phone})
        assert again.status_code == 429
        [message] = errors(again)
        seconds = int(re.fullmatch(r"Please wait (\d+) seconds before asking for another code\.", message).group(1))
        assert 55 <= seconds <= 60


def test_the_wait_is_said_in_chinese(limited):
    client = limited.test_client()
    client.post("/account/login/code", data={"phone": KNOWN}, headers={"Accept-Language": "zh-CN"})
    again = client.post("/account/login/code", data={"phone": KNOWN}, headers={"Accept-Language": "zh-CN"})
    assert again.status_code == 429
    assert re.search(r"请 (\d+) 秒后再获取验证码。", again.get_data(as_text=True))
    assert len(outbox(KNOWN)) == 1


def test_codes_are_limited_per_address_whatever_the_numbers(limited):
    client = english(limited)
    for n in range(3):
        assert client.post("/account/login/code", data={"phone": f"1370000000{n}"}).status_code == 303
    fourth = client.post("/account/password/forgot", data={"phone": "13700000009"})
    assert fourth.status_code == 429
    assert re.fullmatch(r"Please wait (59|60) minutes before asking for another code\.", errors(fourth)[0])
    other_address = english(limited)
    other_address.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    assert other_address.post("/account/login/code", data={"phone": "13700000009"}).status_code == 303


def test_login_and_reset_codes_share_the_limit_per_number(limited):
    client = english(limited)
    assert client.post("/account/login/code", data={"phone": KNOWN}).status_code == 303
    other_address = english(limited)
    other_address.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    assert other_address.post("/account/password/forgot", data={"phone": KNOWN}).status_code == 429
    assert len(outbox(KNOWN)) == 1


def test_step_two_shows_the_wait_and_an_early_resend_says_it(limited):
    client = english(limited)
    client.post("/account/login/code", data={"phone": KNOWN})
    step2 = client.get("/account/login/code/enter").get_data(as_text=True)
    assert re.search(r"Please wait (\d+) seconds before asking for another code\.", step2)
    assert 'name="resend" value="1"' in step2
    resend = client.post("/account/login/code", data={"phone": KNOWN, "resend": "1"})
    assert resend.status_code == 303 and resend.headers["Location"].startswith("/account/login/code/enter")
    shown = client.get(resend.headers["Location"]).get_data(as_text=True)
    assert re.search(r"flash-error[^>]*>Please wait \d+ seconds before asking for another code\.", shown)
    assert len(outbox(KNOWN)) == 1


def test_a_new_code_replaces_the_one_before(client, resident, app):
    client.post("/account/login/code", data={"phone": KNOWN})
    first = last_code(KNOWN)
    english(app).post("/account/login/code", data={"phone": KNOWN})
    second = last_code(KNOWN)
    assert len(code_rows(KNOWN)) == 1
    if first != second:
        assert client.post("/account/login/code/enter", data={"phone": KNOWN, "code": first}).status_code == 400
    assert client.post("/account/login/code/enter", data={"phone": KNOWN, "code": second}).status_code == 302


# -- forgotten password --------------------------------------------------------------------------------


def _reset(client, code, password="new-pass-2026x", phone=KNOWN, confirm=None):
    return client.post(
        "/account/password/reset",
        data={"phone": phone, "code": code, "password": password, "confirm": confirm or password},
    )


def test_reset_the_password_with_an_sms_code_and_every_session_ends(client, app, resident):
    phones = [app.test_client(), app.test_client()]
    for phone in phones:
        phone.post("/account/login", data={"phone": KNOWN, "password": factories.PASSWORD, "remember": "y"})
        assert phone.get("/me").status_code == 200
    sent = client.post("/account/password/forgot", data={"phone": KNOWN})
    assert sent.status_code == 303 and sent.headers["Location"] == "/account/password/reset"
    assert "If 13812345678 is registered" in client.get("/account/password/reset").get_data(as_text=True)
    [message] = outbox(KNOWN)
    assert message.template == "reset_code"
    done = _reset(client, message.params["code"])
    assert done.status_code == 303 and done.headers["Location"] == "/account/login"
    assert [phone.get("/me").status_code for phone in phones] == [302, 302]  # every login ended
    assert "every phone logged in to your account has been logged out" in client.get("/account/login").get_data(
        as_text=True
    )
    db.session.refresh(resident)
    assert resident.check_password("new-pass-2026x") and not resident.check_password(factories.PASSWORD)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.password_reset"))
    assert entry.detail["via"] == "sms" and entry.target_id == resident.id
    assert english(app).post("/account/login", data={"phone": KNOWN, "password": "new-pass-2026x"}).status_code == 302


def test_a_weak_new_password_is_refused_and_costs_no_try(client, resident):
    client.post("/account/password/forgot", data={"phone": KNOWN})
    code = last_code(KNOWN)
    for password, reason in [("88888888", "repeated"), ("19600101", "birthday"), (KNOWN, "mobile number")]:
        response = _reset(client, code, password)
        assert response.status_code == 400
        assert reason in errors(response)[0]
    mismatch = _reset(client, code, "new-pass-2026x", confirm="new-pass-2026y")
    assert "differ" in errors(mismatch)[0]
    assert code_rows(KNOWN)[0].attempts == 0
    db.session.refresh(resident)
    assert resident.check_password(factories.PASSWORD)
    assert _reset(client, code).status_code == 303  # the code still works


def test_a_wrong_reset_code_changes_nothing(client, resident):
    client.post("/account/password/forgot", data={"phone": KNOWN})
    response = _reset(client, "000000" if last_code(KNOWN) != "000000" else "111111")
    assert response.status_code == 400
    db.session.refresh(resident)
    assert resident.check_password(factories.PASSWORD)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_a_login_code_does_not_reset_a_password(client, resident):
    client.post("/account/login/code", data={"phone": KNOWN})
    assert _reset(client, last_code(KNOWN)).status_code == 400


def test_reset_with_a_code_from_the_desk(client, app, resident):
    staff = factories.user(name="赵丽华")
    with app.test_request_context():
        code, _expires = recovery.issue_desk_code(resident, issued_by=staff)
    db.session.commit()
    assert client.get("/account/password/reset").status_code == 200
    done = _reset(client, f"{code[:4]} {code[4:]}")  # as printed on the slip
    assert done.status_code == 303
    db.session.refresh(resident)
    assert resident.check_password("new-pass-2026x")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.password_reset"))
    assert entry.detail == {"via": "desk", "code_issued_by": staff.id}
    assert _reset(english(app), code, "another-pass-77").status_code == 400  # used up


def test_an_unknown_numbers_reset_is_refused_like_a_wrong_code(app, resident):
    known, unknown = english(app), english(app)
    known.post("/account/password/forgot", data={"phone": KNOWN})
    unknown.post("/account/password/forgot", data={"phone": UNKNOWN})
    assert outbox(UNKNOWN) == []
    a, b = _reset(known, "000000"), _reset(unknown, "000000", phone=UNKNOWN)
    if last_code(KNOWN) != "000000":
        assert a.status_code == b.status_code == 400
        assert errors(a) == errors(b)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_a_provider_failure_is_shown_and_leaves_no_code(client, resident, monkeypatch):
    def fail(*args, **kwargs):
        raise sms.SmsFailed()

    monkeypatch.setattr(sms.DevelopmentBackend, "send", fail)
    response = client.post("/account/password/forgot", data={"phone": KNOWN})
    assert response.status_code == 503
    assert "could not send the code just now" in errors(response)[0]
    assert code_rows(KNOWN) == []
