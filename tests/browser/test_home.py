"""On a 360 px phone: logging in lands on the community's home, whose top says what needs you, each item one
tap from the page to act on; with and without JavaScript, in Chinese and English, in large text.

Screenshots go to HOME_SHOTS (default /tmp/home-shots)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("HOME_SHOTS", "/tmp/home-shots"))
SMALL_PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
OWNER, STAFF, PASSWORD = "13800000002", "13800000008", "yishi2026"  # 张建国 (owner, 1栋), 赵丽华 (staff)


def _watch(page) -> tuple[list, list]:
    errors, failed = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return errors, failed


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def _log_in(page, origin: str, phone: str) -> None:
    page.goto(f"{origin}/account/login")
    page.locator("input[name=phone]").fill(phone)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/c/cuizhuyuan/$"))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_login_lands_on_the_home_that_says_what_needs_you(live_server, browser, javascript):
    context = browser.new_context(locale="zh-CN", java_script_enabled=javascript, **SMALL_PHONE)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        errors, failed = _watch(page)
        _log_in(page, live_server, OWNER)
        needs = page.locator("section[aria-labelledby=needs-heading]")
        assert needs.get_by_role("heading", name="需要您处理").is_visible()
        vote = needs.locator("a.need-link", has_text="为业主共同决定")
        assert vote.count() == 1 and "截止" in vote.inner_text()
        assert vote.bounding_box()["height"] >= 44  # a large target
        assert page.get_by_role("heading", name="社区动态").is_visible()
        assert page.locator("li.activity-item").count() > 0
        _fits(page)
        _shot(page, f"home-owner-zh-{'js' if javascript else 'nojs'}")

        if not javascript:  # large text and English, without JavaScript too
            page.get_by_role("button", name="大字").click()
            page.wait_for_url(re.compile(r"/c/cuizhuyuan/$"))
            assert "large-text" in (page.locator("body").get_attribute("class") or "")
            _fits(page)
            _shot(page, "home-owner-zh-large")
            page.get_by_role("button", name="English").click()
            page.wait_for_url(re.compile(r"/c/cuizhuyuan/$"))
            assert page.get_by_role("heading", name="Needs you now").is_visible()
            _fits(page)
            _shot(page, "home-owner-en-large")

        vote = page.locator("a.need-link").first
        vote.click()
        page.wait_for_url(re.compile(r"/decisions/\d+$"))
        assert not errors, errors
        assert not failed, failed
    finally:
        context.close()


def test_staff_see_the_queue_and_the_counting_to_do(live_server, browser):
    context = browser.new_context(locale="zh-CN", **SMALL_PHONE)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        _log_in(page, live_server, STAFF)
        needs = page.locator("ul.needs")
        assert needs.locator("a.need-link", has_text="人等待认证").count() == 1
        assert needs.locator("a.need-link", has_text="纸质选票").count() == 1
        _fits(page)
        _shot(page, "home-staff-zh")
        needs.locator("a.need-link", has_text="人等待认证").click()
        page.wait_for_url(re.compile(r"/c/cuizhuyuan/verifications$"))
    finally:
        context.close()
