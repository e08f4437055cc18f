"""Login and registration are rate-limited (memory storage here; Redis in production)."""

from __future__ import annotations

import pytest

from tests.conftest import running_app


@pytest.fixture
def limited_app(tmp_path):
    settings = {"RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "3 per minute", "RATELIMIT_REGISTER": "2 per minute"}
    with running_app(tmp_path, **settings) as app:
        yield app


def test_login_is_rate_limited(limited_app):
    client = limited_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    codes = [
        client.post("/account/login", data={"phone": "13812345678", "password": "wrong-pass"}).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    page = client.post("/account/login", data={"phone": "13812345678", "password": "x"})
    assert "Too many attempts" in page.get_data(as_text=True)
    assert client.get("/account/login").status_code == 200  # reading the form is not limited


def test_registration_is_rate_limited(limited_app):
    client = limited_app.test_client()
    codes = [client.post("/account/register", data={"phone": "1"}).status_code for _ in range(3)]
    assert codes == [400, 400, 429]
