"""Registration, login, logout, settings: the flows and their bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts import services
from app.accounts.models import User
from app.core.errors import Conflict
from app.core.web import perform
from app.extensions import db
from tests import factories


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def register(client, phone="13812345678", name="王秀兰", password="s3cret-pass", confirm=None):
    return factories.register(client, phone=phone, name=name, password=password, confirm=confirm)


def test_register_logs_in_and_goes_to_join(client):
    response = register(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"  # where every login lands: for someone in no community, joining
    assert client.get("/home").headers["Location"] == "/join"
    user = db.session.scalar(select(User).where(User.phone == "13812345678"))
    assert user.name == "王秀兰"
    assert user.password_hash.startswith("scrypt:")
    assert client.get("/me").status_code == 200


def test_register_normalises_prefix_and_spaces(client):
    assert register(client, phone="+86 138-1234-5678").status_code == 302
    assert db.session.scalar(select(User.phone)) == "13812345678"


@pytest.mark.parametrize(
    ("phone", "name", "password", "confirm", "message"),
    [
        ("12345", "王", "s3cret-pass", None, "11-digit"),
        ("23812345678", "王", "s3cret-pass", None, "11-digit"),
        ("13812345678", "", "s3cret-pass", None, "Enter the name"),
        ("13812345678", "王" * 21, "s3cret-pass", None, "at most 20"),
        ("13812345678", "王", "short", None, "8 to 128"),
        ("13812345678", "王", "s3cret-pass", "different-pass", "differ"),
        ("13812345678", "王", "x" * 129, None, "8 to 128"),
    ],
)
def test_register_rejects_bad_input_and_keeps_what_was_typed(client, phone, name, password, confirm, message):
    response = register(client, phone=phone, name=name, password=password, confirm=confirm)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in body
    if name and len(name) <= 20 and message != "11-digit":  # a bad number is refused on step 1, before the name
        assert name in body  # what the user typed is still in the form
    assert count_users() == 0


def test_a_registered_number_is_told_nothing_and_changes_nothing(client, app):
    """Step 1 answers a registered number exactly as a new one, and texts it nothing; step 2 then refuses any
    code alike. A stranger learns nothing, and cannot take over or block the number."""
    from app.core import sms

    existing = factories.user(phone="13812345678", name="张建国")
    db.session.commit()
    before = existing.password_hash
    fresh, taken = app.test_client(), app.test_client()
    answers = [
        c.post("/account/register", data={"phone": p}) for c, p in ((fresh, "13900000000"), (taken, "13812345678"))
    ]
    assert [a.status_code for a in answers] == [303, 303]
    assert answers[0].headers["Location"] == answers[1].headers["Location"] == "/account/register/verify?next=/home"
    pages = [c.get("/account/register/verify").get_data(as_text=True) for c in (fresh, taken)]
    assert pages[0].replace("13900000000", "N") == pages[1].replace("13812345678", "N")
    assert [m.phone for m in sms.backend().recent()] == ["13900000000"]  # nothing texted to the registered one
    for code in ("000000", "123456"):
        response = taken.post(
            "/account/register/verify",
            data={"phone": "13812345678", "code": code, "name": "冒名者", "password": "another-pass-9",
                  "confirm": "another-pass-9"},
        )  # fmt: skip
        assert response.status_code == 400
    assert count_users() == 1
    db.session.refresh(existing)
    assert existing.name == "张建国" and existing.password_hash == before


def test_a_wrong_code_creates_nothing(client):
    assert client.post("/account/register", data={"phone": "13812345678"}).status_code == 303
    data = {
        "phone": "13812345678",
        "code": "000001",
        "name": "王秀兰",
        "password": "s3cret-pass",
        "confirm": "s3cret-pass",
    }
    response = client.post("/account/register/verify", data=data)
    assert response.status_code == 400 and count_users() == 0
    assert client.get("/me").status_code == 302


def test_retried_registration_is_idempotent(client, app):
    assert register(client).status_code == 302
    retry = app.test_client()  # the first response was lost; the phone sends the same form again
    assert register(retry).status_code == 302
    assert count_users() == 1


def test_login_same_answer_for_unknown_phone_and_wrong_password(client):
    factories.user(phone="13812345678")
    db.session.commit()
    unknown = client.post("/account/login", data={"phone": "13900000000", "password": "whatever-1"})
    wrong = client.post("/account/login", data={"phone": "13812345678", "password": "whatever-1"})
    assert unknown.status_code == wrong.status_code == 401
    # the pages differ only in the number the user typed, which the form keeps
    assert unknown.get_data(as_text=True).replace("13900000000", "N") == wrong.get_data(as_text=True).replace(
        "13812345678", "N"
    )


def test_login_and_logout(client, auth):
    user = factories.user()
    db.session.commit()
    response = auth.login(user)
    assert response.status_code == 302
    assert client.get("/account/settings").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/account/settings").status_code == 302  # back to the login page


def test_login_redirects_only_within_the_site(client):
    user = factories.user()
    db.session.commit()
    response = client.post(
        "/account/login",
        data={"phone": user.phone, "password": factories.PASSWORD, "next": "https://evil.example/x"},
    )
    assert response.headers["Location"] == "/home"


def test_logout_needs_post(client, auth):
    user = factories.user()
    db.session.commit()
    auth.login(user)
    assert client.get("/account/logout").status_code == 405
    assert client.get("/account/settings").status_code == 200


def test_settings_change_language_and_large_text(client, auth):
    user = factories.user(name="老张")
    db.session.commit()
    auth.login(user)
    response = client.post("/account/settings", data={"name": "张大爷", "locale": "en", "large_text": "y"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.locale, user.large_text) == ("张大爷", "en", True)
    page = client.get("/account/settings").get_data(as_text=True)
    assert 'class="large-text' in page or "large-text" in page
    assert '<html lang="en"' in page


def test_settings_reject_bad_locale(client, auth):
    user = factories.user(locale="zh_CN")
    db.session.commit()
    auth.login(user)
    response = client.post("/account/settings", data={"name": "x", "locale": "fr"})
    assert response.status_code == 400
    db.session.refresh(user)
    assert user.locale == "zh_CN"


def test_session_cookie_flags(client):
    user = factories.user()
    db.session.commit()
    response = client.post("/account/login", data={"phone": user.phone, "password": factories.PASSWORD})
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie


def test_a_use_case_refused_after_registering_keeps_no_account(app):
    """The service only flushes: when the use case is refused after the account was written, the edge
    rolls back and no account is left, while the same registration on its own is committed once."""

    def register_then_refuse():
        services.register("13812345678", "王秀兰", "s3cret-pass")
        assert count_users() == 1  # written, not committed
        raise Conflict("refused", "refused after the account was written")

    with app.test_request_context(method="POST"):
        assert perform(register_then_refuse).status == 409
    assert count_users() == 0
    with app.test_request_context(method="POST"):
        assert perform(lambda: services.register("13812345678", "王秀兰", "s3cret-pass")).ok
    db.session.rollback()  # nothing pending: the edge committed
    assert count_users() == 1
