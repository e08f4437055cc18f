"""The room without its live connection is never a dead end (issue: "If the live connection is refused or
lost, the page says so in plain words and every action still works over plain HTTP").

- The socket refused (allowed origins that are not the page's): the page says so, and raising a hand
  still works, as a form post.
- JavaScript off: a whole formal-room flow on three phones, each step a form post and a reload: the
  owner moves a motion (南塘 rule 2: no debate without one), the resident seconds it, raises a hand in
  favour, the chair gives the floor, the resident speaks, the chair calls the vote, both vote, the chair
  closes it: carried.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

CHAIR, RESIDENT, OWNER = "13800000003", "13800000001", "13800000002"
ROOM = "电动车集中充电棚建在哪里"


def _enter(context, origin, phone):
    page = context.new_page()
    failures = []
    page.on("pageerror", lambda exc: failures.append(str(exc)))
    page.goto(f"{origin}/account/login")
    page.locator("input[name=phone]").fill(phone)
    page.locator("input[name=password]").fill("yishi2026")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/(me|c/.*)$"))
    page.goto(f"{origin}/c/cuizhuyuan/consultations")
    page.get_by_role("link", name=ROOM).click()
    page.wait_for_selector("#room")
    return page, failures


def _submit(page, selector: str) -> None:
    """Post a form (JavaScript off) and wait for the page it leads to."""
    with page.expect_navigation():
        page.locator(selector).click()


def _flash(page) -> str:
    return " ".join(page.locator(".flashes .flash").all_text_contents())


def test_a_refused_socket_is_said_and_the_hand_is_raised_over_http(serve, phone):
    origin = serve(SOCKETIO_ALLOWED_ORIGINS=["http://127.0.0.1:1"])  # not this page's origin
    page, errors = _enter(phone, origin, RESIDENT)

    status = page.locator("#live-status")
    status.wait_for(state="visible")
    assert "未能建立实时连接" in status.text_content()
    assert page.locator("#room.is-live").count() == 0

    # no motion is pending: under 南塘 rule 2 (无动议不讨论) the hand goes up for a question, taking no side
    page.locator("#hand [data-action=raise_hand]").click()
    page.wait_for_selector(".flashes .flash-success")
    assert "您已举手" in _flash(page)
    assert page.locator("#hand-lower").is_visible() and page.locator("#hand-raise").is_hidden()
    assert page.locator("#floor .queue li").count() == 1
    assert not errors


def test_a_formal_room_without_javascript(live_server, browser):
    contexts = [browser.new_context(locale="zh-CN", java_script_enabled=False, **PHONE) for _ in range(3)]
    try:
        phones = zip(contexts, (CHAIR, RESIDENT, OWNER), strict=True)
        (chair, _), (resident, _), (owner, _) = (_enter(context, live_server, phone) for context, phone in phones)
        assert resident.locator("noscript").count() == 1

        # No debate without a motion (南塘 rule 2): the owner moves a motion; the resident seconds it.
        owner.locator("#move summary").click()
        owner.locator("#motion-text").fill("在2栋北侧建集中充电棚")
        _submit(owner, "#move-form button[type=submit]")
        assert "您的动议已提出" in _flash(owner)
        resident.reload()
        _submit(resident, "#motion [data-action=second]")
        assert "您已附议" in _flash(resident)
        assert resident.locator("#motion .motion-debate").count() == 1

        # The resident asks for the floor, in favour.
        resident.locator("#hand-for").check()
        _submit(resident, "#hand [data-action=raise_hand]")
        assert "您已举手" in _flash(resident)

        # The chair sees the hand (after a reload) and gives the floor.
        chair.reload()
        _submit(chair, "#floor [data-action=grant_floor]")
        assert "已获得发言权" in _flash(chair)

        # The resident has the floor and speaks within it.
        resident.reload()
        assert resident.locator("#floor .floor-yours").is_visible()
        # the bar at the bottom says so without JavaScript too, with a way to the speech box
        assert resident.locator("#turn-bar [data-part=floor]").is_visible()
        assert resident.locator("#turn-bar a[href='#speak']").is_visible()
        assert re.fullmatch(r"\d+:\d\d", resident.locator("#floor .countdown").text_content())
        resident.locator("#speak-form textarea[name=body]").fill("充电棚离楼远，更安全，我赞成。")
        resident.locator("#speak-form input[name=stance][value=for]").check()
        _submit(resident, "#speak-form button[type=submit]")
        assert resident.locator("#messages li:has-text('充电棚离楼远')").count() == 1

        # The chair calls the vote; the resident and the owner vote for; the chair closes it: carried.
        chair.reload()
        _submit(chair, "#motion [data-action=call_vote]")
        assert "表决已开始" in _flash(chair)
        for voter in (resident, owner):
            voter.reload()
            _submit(voter, "#motion [data-action=vote][data-choice=for]")
            # the review step, a page of its own without JavaScript: the choice, and that it is final
            assert "您选择了：" in voter.locator(".review-choice").text_content()
            assert "赞成" in voter.locator(".review-choice strong").text_content()
            assert "提交后不能更改。" in voter.locator(".review-warning").text_content()
            _submit(voter, ".review-step button[type=submit]")
            assert "回执码" in _flash(voter)
            assert voter.locator("#motion .motion-voted").is_visible()
            assert voter.locator("#motion [data-action=vote]").count() == 0  # not offered twice
        _submit(chair, "#motion [data-action=close_vote]")
        assert "表决已结束：通过。" in _flash(chair)  # carried (the room then has no pending motion)
        assert chair.locator("#motion [data-action=close_vote]").count() == 0
        assert chair.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
    finally:
        for context in contexts:
            context.close()
