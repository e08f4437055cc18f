"""The room worked with the keyboard alone (a switch, a Bluetooth keyboard, a screen reader's keys): a
resident seconds a motion, raises her hand, speaks when the chair gives her the floor (the focus goes to the
speech box), and votes through the review step, pressing only Tab, Shift+Tab, Enter and typing. The other
people in the room (the chair, the owner who moves) use the mouse. Each journey's key presses are counted
and printed (the issue's "taps per journey")."""

from __future__ import annotations

import pytest

from tests.browser.test_consultation_room import CHAIR, OWNER, RESIDENT, _announced, _enter

pytestmark = pytest.mark.browser

IS = "(selector) => !!document.activeElement && document.activeElement.matches(selector)"


def _tab_to(page, selector: str, limit: int = 80) -> int:
    """Press Tab until the focus is on `selector`: how many presses it took, 0 if it is there already (the
    room moved it there); fails past `limit`."""
    for presses in range(limit + 1):
        if page.evaluate(IS, selector):
            return presses
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} is not reached with the Tab key in {limit} presses")


def _focus_visible(page) -> bool:
    """The focused element shows an outline or a ring (a keyboard user sees where she is)."""
    return page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
           return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'; }"""
    )


def test_a_resident_takes_part_in_the_room_with_the_keyboard_alone(live_server, browser, phone):
    from tests.browser.conftest import PHONE

    chair, _ = _enter(phone, live_server, CHAIR)
    resident_context = browser.new_context(locale="zh-CN", **{**PHONE, "is_mobile": False, "has_touch": False})
    owner_context = browser.new_context(locale="zh-CN", **PHONE)
    presses = {}
    try:
        resident, failures = _enter(resident_context, live_server, RESIDENT)
        owner, _ = _enter(owner_context, live_server, OWNER)
        owner.locator("#move summary").click()
        owner.locator("#motion-text").fill("在2栋北侧建集中充电棚")
        owner.locator("#move-form button[type=submit]").click()
        resident.wait_for_selector("#motion [data-action=second]")

        # second the motion
        presses["second"] = _tab_to(resident, "#motion [data-action=second]") + 1
        assert _focus_visible(resident)
        resident.keyboard.press("Enter")
        chair.wait_for_selector("#motion .motion-debate")

        # raise the hand, in favour (the stance is a radio group: Tab to it, Space chooses)
        presses["raise hand"] = _tab_to(resident, "#hand-for") + 1
        resident.keyboard.press("Space")
        presses["raise hand"] += _tab_to(resident, "#hand [data-action=raise_hand]") + 1
        resident.keyboard.press("Enter")
        chair.wait_for_selector("#floor [data-action=grant_floor]")
        chair.locator("#floor [data-action=grant_floor]").click()

        # the floor: the focus is put in the speech box, so she types at once and sends with Tab, Enter
        resident.locator("#turn-bar [data-part=floor]").wait_for(state="visible")
        _announced(resident, "您已获得发言权")
        assert resident.evaluate(IS, "#turn-bar textarea[name=body]")
        resident.keyboard.type("充电棚离楼远，更安全，我赞成。")
        presses["speak"] = _tab_to(resident, "#turn-bar #speak-form button[type=submit]", limit=10) + 1
        resident.keyboard.press("Enter")
        chair.wait_for_selector("#messages li:has-text('充电棚离楼远，更安全，我赞成。')")

        # the vote: the buttons come to the bottom bar; choose, review, send
        chair.locator("#motion [data-action=call_vote]").click()
        resident.locator("#turn-bar [data-part=vote]").wait_for(state="visible")
        assert resident.evaluate(IS, "#turn-bar [data-action=vote][data-choice=for]")  # the focus came to the bar
        presses["vote"] = _tab_to(resident, "#turn-bar [data-action=vote][data-choice=for]") + 1
        resident.keyboard.press("Enter")
        assert "您选择了：赞成。提交后不能更改。" in resident.locator("#turn-bar .vote-review").text_content()
        presses["vote"] += _tab_to(resident, "#turn-bar [data-confirmed]", limit=10) + 1
        resident.keyboard.press("Enter")
        resident.wait_for_selector("#motion .motion-voted")
        assert not failures
    finally:
        resident_context.close()
        owner_context.close()
    print(f"\nkey presses per journey (Tab, Space and Enter; typing not counted): {presses}")
