"""A new resident registers on a phone, joins with the invite code and waits for verification."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_register_join_and_wait_for_verification(live_server, phone):
    page = phone.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    failed = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    page.goto(f"{live_server}/account/register")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.locator("input[name=phone]").fill("139 1234 5678")
    page.locator("main form button[type=submit]").last.click()  # a code is texted to prove the phone
    page.wait_for_url(re.compile(r"/account/register/verify"))
    code_tab = page.context.new_page()  # read where a developer reads it: the development page /dev/sms
    code_tab.goto(f"{live_server}/dev/sms")
    code = code_tab.locator("li.card", has_text="13912345678").first.locator(".dev-sms-code").inner_text().strip()
    code_tab.close()
    page.locator("input[name=code]").fill(code)
    page.locator("input[name=name]").fill("新来的王阿姨")
    page.locator("input[name=password]").fill("wang-ayi-2026")
    page.locator("input[name=confirm]").fill("wang-ayi-2026")
    page.locator("form[action$='/account/register/verify'] button[type=submit]").click()

    page.wait_for_url(re.compile(r"/join$"))
    page.locator("input[name=code]").fill("czy2026a")
    page.locator("main form button[type=submit]").last.click()

    page.wait_for_url(re.compile(r"/join/CZY2026A$"))
    page.locator("select[name=building_id]").select_option(label="1栋")
    page.locator("input[name=unit]").fill("1")
    page.locator("input[name=room]").fill("101")
    page.locator("input[name=relation][value=tenant]").check()
    page.locator("main form button[type=submit]").last.click()

    page.wait_for_url(re.compile(r"/c/cuizhuyuan/$"))
    heading = page.locator("#status-heading")
    assert "等待认证" in heading.inner_text()
    assert page.get_by_text("1栋 1-101").count() >= 1
    # the page fits a phone: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not failed, failed
    assert not errors, errors
