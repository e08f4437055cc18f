"""A meeting on phones: staff prepare, schedule and open it; a resident in the consultation's room sees the
item under discussion at once and is counted online; another resident scans the sheet's code and signs in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.core.clock import local_time
from app.core.models import utcnow

pytestmark = pytest.mark.browser

STAFF, RESIDENT, OWNER = "13800000008", "13800000001", "13800000002"


def _login(context, live_server, phone):
    page = context.new_page()
    failures = []
    page.on("pageerror", lambda exc: failures.append(str(exc)))
    page.goto(f"{live_server}/account/login")
    page.locator("input[name=phone]").fill(phone)
    page.locator("input[name=password]").fill("yishi2026")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/(me|c/.*|overview)$"))
    return page, failures


def test_a_meeting_from_preparation_to_the_room_and_the_hall(browser, live_server):
    staff_context = browser.new_context(locale="zh-CN")
    resident_context = browser.new_context(locale="zh-CN")
    owner_context = browser.new_context(locale="zh-CN")
    for context in (staff_context, resident_context, owner_context):
        context.set_default_timeout(15_000)
    resident, resident_errors = _login(resident_context, live_server, RESIDENT)
    resident.goto(f"{live_server}/c/cuizhuyuan/consultations")
    resident.get_by_role("link", name="电动车集中充电棚建在哪里").click()
    resident.wait_for_selector("#room.is-live")
    room_url = resident.url

    staff, staff_errors = _login(staff_context, live_server, STAFF)
    staff.goto(room_url)
    staff.get_by_role("link", name="议事会").first.click()
    staff.get_by_role("link", name="筹备议事会").click()
    starts = local_time(utcnow() + timedelta(minutes=10))
    staff.locator("input[name=title]").fill("充电棚选址议事会")
    staff.locator("input[name=starts_on]").fill(starts.strftime("%Y-%m-%d"))
    staff.locator("input[name=start_time]").fill(starts.strftime("%H:%M"))
    staff.get_by_role("button", name="下一步：编排议程").click()
    staff.locator("input[name=title]").fill("充电棚放在北门还是西门")
    staff.get_by_role("button", name="加入议程").click()
    staff.get_by_role("button", name="发布会议并通知相关居民").click()
    staff.get_by_text("会议已发布").wait_for()
    staff.get_by_role("button", name="开始会议").click()
    staff.get_by_text("正在讨论：第 1 项 充电棚放在北门还是西门").wait_for()

    note = resident.locator("#meeting-item")
    note.wait_for(state="visible")
    assert "充电棚放在北门还是西门" in note.inner_text()

    sheet_url = staff.url.split("#")[0] + "/sheet"
    staff.goto(sheet_url)
    assert staff.locator(".sheet-qr svg").count() == 1
    sign_in_url = staff.locator(".sheet-url").inner_text().strip()
    owner, owner_errors = _login(owner_context, live_server, OWNER)
    owner.goto(sign_in_url)
    owner.get_by_role("button", name="签到：我已到现场").click()
    owner.get_by_text("签到成功，欢迎参会。").wait_for()

    staff.goto(sheet_url.removesuffix("/sheet"))
    for _ in range(30):  # the resident's room joins again within ten seconds of the news
        if "现场 1 人，线上 1 人" in staff.locator("#quorum").inner_text():
            break
        staff.wait_for_timeout(1000)
        staff.reload()
    assert "现场 1 人，线上 1 人" in staff.locator("#quorum").inner_text()
    assert not resident_errors and not staff_errors and not owner_errors
    for context in (staff_context, resident_context, owner_context):
        context.close()
