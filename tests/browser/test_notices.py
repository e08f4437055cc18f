"""Notices (社区公告) on a 360 px phone, in Chinese, in normal and in large text: staff post a pinned notice to
one building and attach a quote (PDF); a resident of that building sees it on the home page, reads it and
downloads the file; a resident of another building sees nothing of it (404 for its address); the author then
reads how many households have read it and how many were reached by each channel. axe finds nothing on the
pages on the way.

Screenshots go to NOTICE_SHOTS (default /tmp/notice-shots)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.browser.test_accessibility import audit

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("NOTICE_SHOTS", "/tmp/notice-shots"))
SMALL_PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
PASSWORD = "yishi2026"
STAFF = "13800000008"  # 赵丽华, community staff
RESIDENT_1 = "13800000001"  # 王秀兰, 1栋 1-101
RESIDENT_2 = "13800000004"  # 吴晓东, 2栋
QUOTE = Path(__file__).resolve().parents[2] / "app" / "demo" / "files" / "lift-quote.pdf"
TITLE = "1栋电梯年检：周四上午停运"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


class Person:
    """One phone, logged in, in normal or large text; every page it visits is audited."""

    def __init__(self, browser, origin: str, phone: str, large: bool):
        self.context = browser.new_context(locale="zh-CN", **SMALL_PHONE)
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.origin = origin
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.violations: dict[str, str] = {}
        self.page.goto(f"{origin}/account/login")
        self.page.locator("input[name=phone]").fill(phone)
        self.page.locator("input[name=password]").fill(PASSWORD)
        self.page.locator("main form button[type=submit]").last.click()
        self.page.wait_for_url(re.compile(r"/c/cuizhuyuan/$"))
        if large:
            self.page.locator("form[action$='/prefs/large-text'] button").first.click()
            self.page.wait_for_load_state()
            assert "large-text" in (self.page.locator("body").get_attribute("class") or "")

    def check(self, name: str) -> None:
        """Audit, fit and photograph the page shown."""
        _fits(self.page)
        for line in audit(self.page):
            self.violations.setdefault(line, name)
        _shot(self.page, name)

    def close(self) -> None:
        self.context.close()


@pytest.mark.parametrize("large", [False, True], ids=["normal-text", "large-text"])
def test_a_notice_to_one_building_reaches_its_homes_and_no_one_else(serve, browser, large):
    origin = serve(QUIET_HOURS="0-0")  # texts go at once whatever the hour of the run
    text = "large" if large else "normal"
    people = []
    try:
        # 王秀兰 (1栋) chose text messages for notices
        reader = Person(browser, origin, RESIDENT_1, large)
        people.append(reader)
        page = reader.page
        page.goto(f"{origin}/notifications/settings")
        page.locator("input[name='notice:sms'][value=now]").check()
        page.locator("form[action$='/notifications/settings'] button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("input[name='notice:sms'][value=now]").is_checked()

        # staff post a pinned notice to 1栋, then attach the quote
        staff = Person(browser, origin, STAFF, large)
        people.append(staff)
        page = staff.page
        page.goto(f"{origin}/c/cuizhuyuan/notices/new")
        staff.check(f"{text}-1-new-notice")
        page.get_by_label("标题").fill(TITLE)
        page.locator("textarea[name=body]").fill(
            "周四上午9点至12点，1栋两部电梯年检停运，请提前安排出行。报价单见附件。"
        )
        page.get_by_label("公告发给谁").select_option(label="1栋")
        page.locator("input[name=pinned]").check()
        page.locator("main form button[type=submit]").last.click()
        page.wait_for_url(re.compile(r"/notices/\d+$"))
        notice_url = page.url
        assert page.get_by_role("heading", name=TITLE).is_visible()
        page.locator("#attachment-file").set_input_files(str(QUOTE))
        page.locator("form.attachment-upload button[type=submit]").click()
        page.wait_for_load_state()
        assert page.get_by_role("link", name=re.compile("lift-quote")).count() >= 1
        staff.check(f"{text}-2-notice-posted-with-attachment")

        # 王秀兰 sees it pinned on the home page, reads it and opens the quote
        page = reader.page
        page.goto(f"{origin}/c/cuizhuyuan/")
        notices = page.locator("section[aria-labelledby=notices-heading]")
        item = notices.get_by_role("link", name=re.compile(re.escape(TITLE)))
        assert item.is_visible() and "置顶" in item.inner_text()
        reader.check(f"{text}-3-resident-home")
        item.click()
        page.wait_for_url(notice_url)
        assert "两部电梯年检停运" in page.locator(".notice-body").inner_text()
        assert page.locator("#reach-heading").count() == 0  # the counts are the author's
        download = page.get_by_role("link", name=re.compile("lift-quote")).first.get_attribute("href")
        response = page.request.get(origin + download if download.startswith("/") else download)
        assert response.status == 200 and response.body().startswith(b"%PDF")
        reader.check(f"{text}-4-resident-reads")
        page.goto(f"{origin}/c/cuizhuyuan/notices")
        assert page.get_by_role("link", name=re.compile(re.escape(TITLE))).is_visible()
        reader.check(f"{text}-5-resident-notices")

        # 吴晓东 (2栋) sees nothing of it, and its address is not found
        other = Person(browser, origin, RESIDENT_2, large)
        people.append(other)
        page = other.page
        assert TITLE not in page.locator("main").inner_text()
        page.goto(f"{origin}/c/cuizhuyuan/notices")
        assert TITLE not in page.locator("main").inner_text()
        other.check(f"{text}-6-other-building-notices")
        assert page.goto(notice_url).status == 404
        assert page.request.get(origin + download).status == 404

        # the author reads the counts: one of 1栋's 24 homes has read it; one text delivered, no email
        page = staff.page
        page.goto(notice_url)
        reach = page.locator("section[aria-labelledby=reach-heading]")
        assert "24 户中已有 1 户阅读。" in reach.inner_text()
        lines = reach.locator("li").all_inner_texts()
        assert lines == ["短信: 已送达 1，失败 0，待发送 0", "邮件: 已送达 0，失败 0，待发送 0"], lines
        staff.check(f"{text}-7-author-reads-the-counts")

        for person in people:
            assert person.errors == []
        found = {line: name for person in people for line, name in person.violations.items()}
        assert found == {}, found
    finally:
        for person in people:
            person.close()
