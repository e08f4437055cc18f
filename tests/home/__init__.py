"""The community's home and the login landing: helpers shared by the tests."""

from __future__ import annotations

import lxml.html
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from tests.ideas import logged_in


def demo(app) -> None:
    result = app.test_cli_runner().invoke(args=["yishi", "demo"])
    assert result.exit_code == 0, result.output


def demo_user(phone: str) -> User:
    return db.session.scalar(select(User).where(User.phone == phone))


def client_of(app, user, language: str = "en"):
    return logged_in(app, user, language)


def needs(response) -> list[tuple[str, str, str]]:
    """The "needs you now" items of a home page: (text, detail, link)."""
    doc = lxml.html.fromstring(response.get_data(as_text=True))
    return [
        (
            a.findtext(".//span[@class='need-text']") or "",
            (a.xpath("string(.//span[@class='need-detail'])") or "").strip(),
            a.get("href"),
        )
        for a in doc.xpath("//ul[@class='needs']//a[@class='need-link']")
    ]


def activity_links(response) -> list[str]:
    doc = lxml.html.fromstring(response.get_data(as_text=True))
    return [a.get("href") for a in doc.xpath("//li[@class='activity-item']/a")]
