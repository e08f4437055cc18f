"""Two phones in one live room: the chair gives the floor, the resident speaks and the chair sees it
at once; a motion is moved, seconded, voted and carried (a third member moves and votes)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

CHAIR, RESIDENT, OWNER = "13800000003", "13800000001", "13800000002"


def _enter(context, live_server, phone):
    page = context.new_page()
    failures = []
    page.on("pageerror", lambda exc: failures.append(str(exc)))
    page.goto(f"{live_server}/account/login")
    page.locator("input[name=phone]").fill(phone)
    page.locator("input[name=password]").fill("yishi2026")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/(me|c/.*)$"))
    page.goto(f"{live_server}/c/cuizhuyuan/consultations")
    page.get_by_role("link", name="电动车集中充电棚建在哪里").click()
    page.wait_for_selector("#room.is-live")
    return page, failures


def test_chair_and_resident_in_one_live_room(live_server, browser, phone):
    from tests.browser.conftest import PHONE

    chair, chair_errors = _enter(phone, live_server, CHAIR)
    resident_context = browser.new_context(locale="zh-CN", **PHONE)
    owner_context = browser.new_context(locale="zh-CN", **PHONE)
    try:
        resident, resident_errors = _enter(resident_context, live_server, RESIDENT)
        owner, owner_errors = _enter(owner_context, live_server, OWNER)

        # A motion first: the owner moves it, the resident seconds it; the chair sees both live.
        owner.locator("#move summary").click()
        owner.locator("#motion-text").fill("在2栋北侧建集中充电棚")
        owner.locator("#move-form button[type=submit]").click()
        resident.locator("#motion [data-action=second]").click()
        chair.wait_for_selector("#motion .motion-debate")

        # The resident asks for the floor in favour; the chair gives it.
        resident.locator("#hand-for").check()
        resident.locator("#hand [data-action=raise_hand]").click()
        chair.locator("#floor [data-action=grant_floor]").click()
        # The resident speaks; the chair sees it at once, without reloading.
        resident.locator("#speak-form textarea[name=body]").fill("充电棚离楼远，更安全，我赞成。")
        resident.locator("#speak-form button[type=submit]").click()
        chair.wait_for_selector("#messages li:has-text('充电棚离楼远，更安全，我赞成。')")
        # and the speaker sees it once (the acknowledgement and the broadcast make one entry, whichever is first)
        resident.wait_for_selector("#messages li:has-text('充电棚离楼远')")
        assert resident.locator("#messages li:has-text('充电棚离楼远')").count() == 1

        # The chair calls the vote; the resident and the owner vote for; the chair closes it: carried.
        chair.locator("#motion [data-action=call_vote]").click()
        resident.locator("#motion [data-action=vote][data-choice=for]").click()
        owner.locator("#motion [data-action=vote][data-choice=for]").click()
        resident.wait_for_selector("#motion .motion-voted")
        owner.wait_for_selector("#motion .motion-voted")
        chair.once("dialog", lambda dialog: dialog.accept())
        chair.locator("#motion [data-action=close_vote]").click()
        for page in (chair, resident, owner):
            page.wait_for_selector("#motion .motion-carried")
        assert chair.evaluate("document.documentElement.scrollWidth") <= 390
        assert not chair_errors and not resident_errors and not owner_errors
    finally:
        resident_context.close()
        owner_context.close()
