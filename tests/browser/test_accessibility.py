"""axe-core (the engine most accessibility audits use) finds nothing on the pages people use: every page a
staff member and a resident reach from the community's home, in normal and in large text, on a phone.

The pages are found by following links (as tests/browser/test_unbroken_numbers.py does), not listed; the
room is audited in each of its states in tests/browser/test_room_accessibility.py."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_unbroken_numbers import PASSWORD, SMALL_PHONE, _crawl

pytestmark = pytest.mark.browser

AXE = Axe()


def audit(page) -> list[str]:
    """Every violation axe finds on the page, of any impact, as 'rule (impact): target' lines."""
    results = AXE.run(page)
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in results.response["violations"]
    ]


def _log_in(page, origin, phone):
    page.goto(f"{origin}/account/login")
    page.locator("input[name=phone]").fill(phone)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("large", [False, True], ids=["normal-text", "large-text"])
@pytest.mark.parametrize(
    "phone", ["13800000008", "13800000001", "13800000002"], ids=["staff", "resident", "owner-on-the-roll"]
)
def test_no_page_has_an_accessibility_violation(live_server, browser, phone, large):
    context = browser.new_context(locale="zh-CN", **SMALL_PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    _log_in(page, live_server, phone)
    if large:
        page.locator("form[action$='/prefs/large-text'] button").first.click()
        page.wait_for_load_state()
        assert "large-text" in (page.locator("body").get_attribute("class") or "")
    found, pages = {}, 0
    for path, _measured in _crawl(page, live_server, "/c/cuizhuyuan"):
        pages += 1
        for line in audit(page):
            found.setdefault(line, path)
    context.close()
    print(f"\n{pages} pages audited, {len(found)} violations")
    for line, path in found.items():
        print(f"  {path}: {line}")
    assert pages >= 25
    assert found == {}


@pytest.mark.parametrize("large", [False, True], ids=["normal-text", "large-text"])
def test_the_pages_before_logging_in_have_no_accessibility_violation(live_server, browser, large):
    """Logging in (by password and by code), registering, a forgotten password, checking a ballot, and each
    of them refused (an empty form sent): the form with its errors is audited too."""
    context = browser.new_context(locale="zh-CN", **SMALL_PHONE)
    page = context.new_page()
    if large:
        page.goto(f"{live_server}/account/login")
        page.locator("form[action$='/prefs/large-text'] button").first.click()
        page.wait_for_load_state()
    found = {}
    for path in [
        "/account/login",
        "/account/login/code",
        "/account/register",
        "/account/password/forgot",
        "/account/password/reset",
        "/receipts",
    ]:
        assert page.goto(live_server + path).status == 200, path
        found.update(dict.fromkeys(audit(page), path))
        submit = page.locator("main form:not([action*='/prefs/']) button[type=submit]")
        if submit.count():
            page.evaluate("document.querySelectorAll('[required]').forEach(e => e.removeAttribute('required'))")
            submit.first.click()
            page.wait_for_load_state()
            found.update(dict.fromkeys(audit(page), f"{path} (refused)"))
    context.close()
    assert found == {}


def test_the_owners_vote_its_review_and_its_receipt_have_no_accessibility_violation(live_server, browser):
    """An owner on the decision's roll votes (demo decision 1): the form, the review step ("提交后不能更改")
    and the receipt, in large text."""
    context = browser.new_context(locale="zh-CN", **SMALL_PHONE)
    page = context.new_page()
    _log_in(page, live_server, "13800000002")
    page.locator("form[action$='/prefs/large-text'] button").first.click()
    page.wait_for_load_state()
    page.goto(f"{live_server}/decisions/1")
    found = dict.fromkeys(audit(page), "the vote")
    page.locator("form[action$='/vote'] input[type=radio]").first.check()
    page.locator("form[action$='/vote'] button[type=submit]").click()
    page.wait_for_selector(".review-step")
    found.update(dict.fromkeys(audit(page), "the review"))
    page.locator(".review-step button[type=submit]").click()
    page.wait_for_load_state()
    assert "review-step" not in page.content()
    found.update(dict.fromkeys(audit(page), "the receipt"))
    context.close()
    assert found == {}
