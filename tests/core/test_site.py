"""Site-wide behaviour: security headers, language, large text, errors, health, config."""

from __future__ import annotations

import pytest

from app import create_app
from config import ProductionConfig
from tests import factories


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script(client, auth, world):
    auth.login(world.users["staff"])
    for path in ("/", "/me", "/c/cuizhuyuan/", "/c/cuizhuyuan/members", "/c/cuizhuyuan/verifications"):
        body = client.get(path, follow_redirects=True).get_data(as_text=True)
        for tag in body.split("<script")[1:]:
            assert "src=" in tag.split(">")[0], f"inline script on {path}"
        assert " onclick=" not in body and ' style="' not in body


def test_chinese_by_default_and_english_from_accept_language(app, client):
    assert '<html lang="zh-CN"' in app.test_client().get("/").get_data(as_text=True)  # no Accept-Language
    english = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en"' in english


def test_visitor_switches_language(client):
    response = client.post("/prefs/language", data={"locale": "en", "next": "/account/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/account/login"
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)
    client.post("/prefs/language", data={"locale": "xx"})  # unknown: ignored
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)


def test_switching_language_only_redirects_within_the_site(client):
    response = client.post("/prefs/language", data={"locale": "en", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_user_language_is_saved_on_the_account(client, auth, db):
    user = factories.user()
    db.session.commit()
    auth.login(user)
    client.post("/prefs/language", data={"locale": "en"})
    db.session.refresh(user)
    assert user.locale == "en"


def test_large_text_toggle_for_visitors_and_users(client, auth, db):
    assert "large-text" not in client.get("/").get_data(as_text=True).split("<body", 1)[1].split(">", 1)[0]
    client.post("/prefs/large-text", data={"next": "/"})
    assert "large-text" in client.get("/").get_data(as_text=True).split("<body", 1)[1].split(">", 1)[0]
    user = factories.user()
    db.session.commit()
    auth.login(user)
    client.post("/prefs/large-text")
    db.session.refresh(user)
    assert user.large_text is True


def test_not_found_page_is_translated_html_or_json(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "text/html" in response.content_type
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    assert response.json["ok"] is False


def test_unknown_community_is_404(client):
    assert client.get("/c/nowhere/").status_code == 404


def test_healthz(client):
    response = client.get("/healthz")
    assert response.json == {"ok": True, "database": "ok", "realtime": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_production_refuses_to_start_without_secrets(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY, DATABASE_URL"):
        create_app(ProductionConfig)


def test_production_cookies_are_secure():
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.SESSION_COOKIE_HTTPONLY is True
    assert ProductionConfig.SESSION_COOKIE_SAMESITE == "Lax"


def test_csrf_is_enforced_when_enabled(world):
    from config import TestingConfig

    config = type("WithCsrf", (TestingConfig,), {"WTF_CSRF_ENABLED": True})
    app = create_app(config)
    with app.app_context():
        from app.extensions import db

        db.create_all()
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        response = client.post("/account/login", data={"phone": "13812345678", "password": "x" * 10})
        assert response.status_code == 400
        assert "expired" in response.get_data(as_text=True) or "CSRF" in response.get_data(as_text=True)
        db.drop_all()
