"""On phones: a social organisation drafts an application with two budget lines, sees the computed total and
sends it; the community staff (another browser) review and approve it with an amount; the fund page's
balance moves by exactly that amount."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

SOCIAL_ORG = "13800000009"  # 孙海燕, social organisation, in the demo
STAFF = "13800000008"  # 赵丽华, community staff
PASSWORD = "yishi2026"
TITLE = "老年人智能手机课堂"


def _login(page, origin, phone):
    page.goto(f"{origin}/account/login")
    page.locator("input[name=phone]").fill(phone)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/(me|c/.*)$"))


def _watch(page, problems):
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)


def _figure(page, label):
    return page.locator(".fund-figure", has_text=label).locator("dd").inner_text().strip()


def test_apply_approve_and_see_the_fund_move(live_server, browser, phone):
    from tests.browser.conftest import PHONE

    problems = []
    applicant = phone.new_page()
    _watch(applicant, problems)
    _login(applicant, live_server, SOCIAL_ORG)

    applicant.goto(f"{live_server}/c/cuizhuyuan/projects/new")
    assert applicant.locator("html").get_attribute("lang") == "zh-CN"
    applicant.locator("input[name=title]").fill(TITLE)
    applicant.locator("textarea[name=purpose]").fill("每周三下午在活动室教老年人使用智能手机，共8次，志愿者带教。")
    applicant.locator("input[name='lines-0-item']").fill("教学用手机支架")
    applicant.locator("input[name='lines-0-quantity']").fill("10")
    applicant.locator("input[name='lines-0-unit_price']").fill("25.50")
    applicant.locator("input[name='lines-1-item']").fill("讲义印刷")
    applicant.locator("input[name='lines-1-quantity']").fill("200")
    applicant.locator("input[name='lines-1-unit_price']").fill("1.20")
    # the total as the lines are typed, in whole fen: 10 × ¥25.50 + 200 × ¥1.20
    total = applicant.locator("[data-budget-sum]")
    assert total.inner_text() == "¥495.00"
    applicant.locator("input[name='lines-1-unit_price']").fill("1.205")  # three decimals: not a price yet
    assert total.inner_text() == "—"
    applicant.locator("input[name='lines-1-unit_price']").fill("1.20")
    assert total.inner_text() == "¥495.00"
    assert applicant.evaluate("document.documentElement.scrollWidth") <= 390
    applicant.locator("button[name=submit_for_review], input[name=submit_for_review]").click()

    applicant.wait_for_url(re.compile(r"/projects/\d+$"))
    project_url = applicant.url
    assert applicant.locator("h1").inner_text() == TITLE
    # 10 × ¥25.50 + 200 × ¥1.20 = ¥255.00 + ¥240.00 = ¥495.00, computed on the server in fen
    totals = applicant.locator(".budget-table tbody td:last-child").all_inner_texts()
    assert [t.strip() for t in totals] == ["¥255.00", "¥240.00"]
    assert applicant.locator(".budget-table tfoot").inner_text().strip().endswith("¥495.00")
    assert "已提交" in applicant.locator(".project-status").first.inner_text()
    assert applicant.evaluate("document.documentElement.scrollWidth") <= 390

    staff_context = browser.new_context(locale="zh-CN", **PHONE)
    staff_context.set_default_timeout(10_000)
    try:
        staff = staff_context.new_page()
        _watch(staff, problems)
        _login(staff, live_server, STAFF)
        staff.goto(f"{live_server}/c/cuizhuyuan/fund")
        allocated_before = _figure(staff, "已拨给项目")
        left_before = _figure(staff, "尚未拨出")
        assert allocated_before == "¥4,450.00" and left_before == "¥45,550.00"  # the demo's reading corner

        staff.goto(project_url)
        staff.locator("select[name='review-status']").select_option("under_review")
        staff.locator(".review-panel button[type=submit]").click()
        staff.wait_for_url(project_url)
        staff.locator("select[name='review-status']").select_option("approved")
        staff.locator("textarea[name='review-comment']").fill("预算合理，同意资助。")
        staff.locator("input[name='review-amount']").fill("480")
        staff.locator(".review-panel button[type=submit]").click()
        staff.wait_for_url(project_url)
        assert "¥480.00" in staff.locator("header .facts").inner_text()

        staff.goto(f"{live_server}/c/cuizhuyuan/fund")
        assert _figure(staff, "已拨给项目") == "¥4,930.00"
        assert _figure(staff, "尚未拨出") == "¥45,070.00"
        assert TITLE in staff.locator("main").inner_text()
        assert staff.evaluate("document.documentElement.scrollWidth") <= 390

        # the applicant sees the grant and its history on her phone
        applicant.reload()
        assert "¥480.00" in applicant.locator("header .facts").inner_text()
        assert "预算合理，同意资助。" in applicant.locator(".timeline").first.inner_text()
    finally:
        staff_context.close()
    assert not problems, problems
