"""Where you are logged in: a resident on two phones ends the other one's login, then signs out everywhere;
the same without JavaScript."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

RESIDENT = "13800000001"  # the demo's 张建国
PASSWORD = "yishi2026"


def watch(page) -> tuple[list, list]:
    errors, failed = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return errors, failed


def log_in(page, origin: str) -> None:
    page.goto(f"{origin}/account/login")
    page.locator("input[name=phone]").fill(RESIDENT)
    page.locator("input[name=password]").fill(PASSWORD)
    assert page.locator("input[name=remember]").is_checked()  # "stay logged in" is the default
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/c/cuizhuyuan/$"))  # a login lands on the community's home


def logins(page):
    return page.locator("#logins li")


def test_end_the_other_phones_login_then_sign_out_everywhere(live_server, browser, phone):
    other = browser.new_context(
        locale="zh-CN", user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) Version/17.1 Safari/604.1"
    )
    try:
        mine, theirs = phone.new_page(), other.new_page()
        errors, failed = watch(mine)
        log_in(theirs, live_server)
        log_in(mine, live_server)

        mine.goto(f"{live_server}/account/settings")
        assert logins(mine).count() == 2
        here = logins(mine).filter(has_text="本机")
        assert here.count() == 1 and "在本机退出" in here.inner_text()
        there = logins(mine).filter(has_text="Safari · iPhone")
        assert "最近使用" in there.inner_text()
        assert mine.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]

        there.locator("button").click()

        mine.wait_for_url(re.compile(r"/account/settings$"))
        assert "该登录已结束" in mine.locator(".flashes").inner_text()
        assert logins(mine).count() == 1
        theirs.goto(f"{live_server}/me")
        assert "/account/login" in theirs.url  # the other phone is logged out, remember cookie and all

        mine.once("dialog", lambda dialog: dialog.accept())  # "log out on every phone and computer?"
        mine.locator("#logins button.btn-danger").click()

        mine.wait_for_url(re.compile(r"/account/login$"))
        assert "您已在所有手机和电脑上退出登录" in mine.locator(".flashes").inner_text()
        mine.goto(f"{live_server}/me")
        assert "/account/login" in mine.url
        assert not errors, errors
        assert not failed, failed
    finally:
        other.close()


def test_sign_out_everywhere_without_javascript(live_server, browser):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False, **PHONE)
    try:
        page = context.new_page()
        log_in(page, live_server)
        page.goto(f"{live_server}/account/settings")

        page.locator("#logins button.btn-danger").click()  # no confirmation without JavaScript: it just posts

        page.wait_for_url(re.compile(r"/account/login$"))
        page.goto(f"{live_server}/account/settings")
        assert "/account/login" in page.url
    finally:
        context.close()
