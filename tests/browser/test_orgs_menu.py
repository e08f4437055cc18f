"""On a 360 px phone in large text: community staff find "社会组织" in the main menu, and a resident, who does not
see it there, reaches the registry and an organisation's showcase from the community's home; nothing is wider
than the screen."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_home import SMALL_PHONE, _fits, _log_in

pytestmark = pytest.mark.browser
RESIDENT, STAFF = "13800000001", "13800000008"


def _large_text(page) -> None:
    page.get_by_role("button", name="大字").click()
    page.wait_for_load_state()
    assert "large-text" in (page.locator("body").get_attribute("class") or "")


def test_staff_find_the_registry_in_the_menu_at_360px(live_server, browser):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False, **SMALL_PHONE)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        _log_in(page, live_server, STAFF)
        _large_text(page)
        menu = page.locator("nav.site-nav")
        menu.get_by_role("link", name="社会组织").click()
        page.wait_for_url(re.compile(r"/orgs$"))
        assert page.locator("nav.site-nav a[aria-current=page]").inner_text() == "社会组织"
        _fits(page)
    finally:
        context.close()


def test_a_resident_reaches_a_showcase_from_the_home_at_360px(live_server, browser):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False, **SMALL_PHONE)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        _log_in(page, live_server, RESIDENT)
        _large_text(page)
        assert page.locator("nav.site-nav").get_by_role("link", name="社会组织").count() == 0
        page.get_by_role("link", name="社会组织与公益项目").click()
        page.wait_for_url(re.compile(r"/orgs$"))
        _fits(page)
        page.get_by_role("link", name="参赛项目与成果（项目展示）").first.click()
        page.wait_for_url(re.compile(r"/orgs/\d+/showcase$"))
        _fits(page)
    finally:
        context.close()
