"""Changing the password in settings: the current password or a fresh SMS code, the one password rule, and
every other session ended."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.core import sms
from app.core.models import AuditEntry
from app.extensions import db, socketio
from tests import factories

NEW = "new-pass-2026x"


def errors(response) -> list[str]:
    return re.findall(r'class="field-error"[^>]*>\s*<li>([^<]*)</li>', response.get_data(as_text=True))


@pytest.fixture
def member(app, auth):
    user = factories.user(phone="13812345678", name="王秀兰")
    db.session.commit()
    assert auth.login(user).status_code == 302
    return user


def change(client, **data):
    data.setdefault("password", NEW)
    data.setdefault("confirm", data["password"])
    return client.post("/account/password", data=data)


def test_the_page_needs_a_login_and_is_linked_from_settings(client, auth):
    assert client.get("/account/password").status_code == 302
    user = factories.user()
    db.session.commit()
    auth.login(user)
    assert 'href="/account/password"' in client.get("/account/settings").get_data(as_text=True)
    page = client.get("/account/password").get_data(as_text=True)
    assert 'autocomplete="current-password"' in page and 'autocomplete="one-time-code"' in page
    assert "137****" in page  # the number the code would go to, masked


def test_change_with_the_current_password_ends_the_other_sessions(app, client, member):
    other_phone = app.test_client()
    other_phone.post("/account/login", data={"phone": member.phone, "password": factories.PASSWORD})
    assert other_phone.get("/me").status_code == 200
    response = change(client, current_password=factories.PASSWORD)
    assert response.status_code == 303 and response.headers["Location"] == "/account/settings"
    assert other_phone.get("/me").status_code == 302  # that login ended: back to the login page
    assert "Every other phone or computer logged in to your account is logged out" in client.get(
        "/account/settings"
    ).get_data(as_text=True)
    assert client.get("/me").status_code == 200  # this one stays
    db.session.refresh(member)
    assert member.check_password(NEW)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.password_changed"))
    assert entry.detail == {"via": "password"} and entry.actor_id == member.id


def test_the_live_sockets_of_the_account_are_closed(app, client, member):
    other_phone = app.test_client()
    other_phone.post("/account/login", data={"phone": member.phone, "password": factories.PASSWORD})
    live = socketio.test_client(app, namespace="/notifications", flask_test_client=other_phone)
    assert live.is_connected("/notifications")
    assert change(client, current_password=factories.PASSWORD).status_code == 303
    assert not live.is_connected("/notifications")


def test_a_wrong_current_password_changes_nothing(client, member):
    response = change(client, current_password="not-my-password")
    assert response.status_code == 401
    assert errors(response) == ["This is not your current password."]
    db.session.refresh(member)
    assert member.check_password(factories.PASSWORD)


def test_neither_current_password_nor_code(client, member):
    response = change(client)
    assert response.status_code == 400
    assert "Enter your current password, or a code sent to your phone." in errors(response)


@pytest.mark.parametrize(
    ("password", "reason"),
    [("short", "8 to 128"), ("a123456789", "most common"), ("13812345678", "mobile number"), ("20240229", "birthday")],
)
def test_the_new_password_follows_the_one_rule(client, member, password, reason):
    response = change(client, current_password=factories.PASSWORD, password=password)
    assert response.status_code == 400
    assert reason in errors(response)[0]
    db.session.refresh(member)
    assert member.check_password(factories.PASSWORD)


def test_change_with_a_code_sent_to_the_accounts_own_number(client, member):
    sent = client.post("/account/password/code")
    assert sent.status_code == 303
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "We sent a code to 138****5678. It works for 5 minutes." in page
    [message] = sms.backend().recent()
    assert message.phone == member.phone and message.template == "change_password_code"
    assert change(client, code="000000" if message.params["code"] != "000000" else "111111").status_code == 400
    assert change(client, code=message.params["code"]).status_code == 303
    db.session.refresh(member)
    assert member.check_password(NEW)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.password_changed"))
    assert entry.detail == {"via": "sms"}


def test_a_login_code_is_no_change_code(app, client, member):
    app.test_client().post("/account/login/code", data={"phone": member.phone})
    [message] = sms.backend().recent()
    assert message.template == "login_code"
    assert change(client, code=message.params["code"]).status_code == 400


def test_sending_the_change_code_needs_a_login(client):
    assert client.post("/account/password/code").status_code == 302
    assert sms.backend().recent() == []
