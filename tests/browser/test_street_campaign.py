"""On a 360 px phone in large text, without JavaScript: the street's officer goes from the street's dashboard to
its street-wide satisfaction campaigns, makes one over every community of the street and opens it; nothing is
wider than the screen."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_home import SMALL_PHONE, _fits
from tests.browser.test_orgs_menu import _large_text

pytestmark = pytest.mark.browser
STREET, PASSWORD = "13800000011", "yishi2026"


def test_the_street_officer_makes_and_opens_a_street_wide_campaign(live_server, browser):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False, **SMALL_PHONE)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/account/login")
        page.locator("input[name=phone]").fill(STREET)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("main form button[type=submit]").last.click()
        page.wait_for_load_state()
        page.goto(f"{live_server}/dashboard")  # the officer's dashboard: the street's
        page.wait_for_url(re.compile(r"/dashboard/street/\d+"))
        _large_text(page)
        page.get_by_role("link", name="街道统一满意度测评").click()
        page.wait_for_url(re.compile(r"/streets/\d+/satisfaction$"))
        _fits(page)
        page.get_by_role("link", name="发起街道统一测评").click()
        page.locator("input[name=title]").fill("2026年梅山街道社会组织满意度测评")
        page.locator("input[name=closes_on]").fill("2099-12-31")
        page.locator("input[name=organisations]").first.check()
        _fits(page)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/satisfaction/street/\d+$"))
        parts = page.locator("main li a[href^='/satisfaction/']")  # every community's part
        assert parts.count() >= 1 and "翠竹园" in parts.all_inner_texts()[0]
        _fits(page)
        page.get_by_role("button", name="开始测评").click()
        page.wait_for_url(re.compile(r"/satisfaction/street/\d+$"))
        assert page.locator(".page-head .pill").inner_text() == "正在测评"
        _fits(page)
    finally:
        context.close()
