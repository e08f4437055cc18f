"""Phones in one live room: joining; the floor (a hand raised, the floor given, a speech within the
countdown) and the chair sees the speech at once; a motion moved, seconded, voted and carried; a dropped
connection said in plain words, and on reconnect the speeches made meanwhile replayed once. The room's
modules load under their fingerprinted names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.test_accessibility import audit

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


# The part of the page at `selector` as the script rendered it live, and as the server renders it now
# (the page fetched again): the same nodes, once whitespace, times, countdowns and CSRF tokens are set aside.
SAME_AS_SERVER = """async (selector) => {
  const html = await (await fetch(window.location.pathname)).text();
  const served = new DOMParser().parseFromString(html, 'text/html').querySelector(selector);
  const live = document.querySelector(selector);
  const clean = (node) => {
    const copy = node.cloneNode(true);
    const walk = (n) => [...n.childNodes].forEach((k) => {
      if (k.nodeType === Node.COMMENT_NODE) k.remove();
      else if (k.nodeType === Node.TEXT_NODE) {
        const text = k.textContent.replace(/\\s+/g, ' ').trim();
        if (text) k.textContent = text; else k.remove();
      } else walk(k);
    });
    walk(copy);
    copy.querySelectorAll('time, .countdown').forEach((t) => { t.textContent = ''; });
    copy.querySelectorAll('.countdown').forEach((t) => {
      t.removeAttribute('data-seconds-left');
      t.classList.remove('is-ending');
    });
    copy.querySelectorAll('input[name=csrf_token]').forEach((i) => i.removeAttribute('value'));
    copy.querySelectorAll('button.read-aloud').forEach((b) => b.remove());  // added by read-aloud.js
    return copy;
  };
  if (!served || !live) return `missing: served ${!!served}, live ${!!live}`;
  const [a, b] = [clean(live), clean(served)];
  return a.isEqualNode(b) ? '' : `live:\\n${a.outerHTML}\\nserved:\\n${b.outerHTML}`;
}"""


def _announced(page, words: str) -> None:
    """The screen readers' line (#turn-announce, aria-live) says `words` (it is filled a moment after the change,
    so that a reader notices it even when the same words come twice)."""
    page.wait_for_function("(w) => document.getElementById('turn-announce').textContent.includes(w)", arg=words)


def _in_view(page, selector: str) -> bool:
    """Wholly on the screen as it is (no scrolling)."""
    return page.evaluate(
        """(selector) => { const r = document.querySelector(selector).getBoundingClientRect();
           return r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth; }""",
        selector,
    )


def _same_as_server(page, selector: str) -> None:
    difference = page.evaluate(SAME_AS_SERVER, selector)
    assert difference == "", difference


def test_chair_and_resident_in_one_live_room(live_server, browser, phone):
    from tests.browser.conftest import PHONE

    chair, chair_errors = _enter(phone, live_server, CHAIR)
    small = {**PHONE, "viewport": {"width": 360, "height": 740}}  # the resident's is a small phone
    resident_context = browser.new_context(locale="zh-CN", **small)
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
        _same_as_server(chair, "#motion-content")  # the live copy is the server's markup
        _same_as_server(resident, "#motion-content")
        violations = {"motion debated": audit(chair) + audit(resident)}  # axe-core, in each state of the room

        # The resident asks for the floor in favour; the chair gives it.
        resident.locator("#hand-for").check()
        resident.locator("#hand [data-action=raise_hand]").click()
        chair.locator("#floor [data-action=grant_floor]").click()
        # The resident has the floor: told so at the bottom of her screen, where the speech box now is (no
        # scrolling), focused, with the countdown running and "I have finished"; a screen reader hears it.
        bar = resident.locator("#turn-bar [data-part=floor]")
        bar.wait_for(state="visible")
        box = resident.locator("#turn-bar #speak-form textarea[name=body]")
        assert _in_view(resident, "#turn-bar #speak-form textarea[name=body]")
        assert _in_view(resident, "#turn-bar [data-part=floor] [data-action=yield_floor]")
        assert resident.evaluate("document.activeElement.name") == "body"
        _announced(resident, "您已获得发言权")
        violations["floor given"] = audit(resident) + audit(chair)
        assert re.fullmatch(r"\d+:\d\d", resident.locator("#turn-bar [data-turn=countdown]").text_content())
        assert box.count() == 1
        resident.wait_for_selector("#floor .floor-yours")
        countdown = resident.locator("#floor .countdown").text_content()
        assert re.fullmatch(r"\d+:\d\d", countdown), countdown
        chair.wait_for_selector("#floor .floor-holder")  # and the chair sees who holds it
        assert (
            chair.locator("#floor .floor-holder strong").text_content()
            == resident.locator("#floor .floor-holder strong").text_content()
        )
        # The resident speaks; the chair sees it at once, without reloading.
        resident.locator("#speak-form textarea[name=body]").fill("充电棚离楼远，更安全，我赞成。")
        resident.locator("#speak-form button[type=submit]").click()
        chair.wait_for_selector("#messages li:has-text('充电棚离楼远，更安全，我赞成。')")
        # and the speaker sees it once (the acknowledgement and the broadcast make one entry, whichever is first)
        resident.wait_for_selector("#messages li:has-text('充电棚离楼远')")
        assert resident.locator("#messages li:has-text('充电棚离楼远')").count() == 1
        for page in (chair, resident):
            item = page.locator("#messages li:has-text('充电棚离楼远')").get_attribute("id")
            _same_as_server(page, f"#{item}")
            _same_as_server(page, "#floor-content")

        # The chair calls the vote: it comes to the bottom of the resident's screen, with the buttons; each
        # vote is reviewed before it is sent (the owner votes in the motion panel). Carried.
        chair.locator("#motion [data-action=call_vote]").click()
        resident.locator("#turn-bar [data-part=vote]").wait_for(state="visible")
        assert _in_view(resident, "#turn-bar [data-part=vote] [data-choice=for]")
        _announced(resident, "在2栋北侧建集中充电棚")
        violations["vote called"] = audit(resident)
        resident.locator("#turn-bar [data-action=vote][data-choice=for]").click()
        review = resident.locator("#turn-bar .vote-review")
        assert "您选择了：赞成。提交后不能更改。" in review.text_content()
        assert resident.locator("#turn-bar [data-action=vote][data-choice=against]").is_hidden()
        violations["vote reviewed"] = audit(resident)
        # the owner opens her review in the motion panel; the resident's vote, sent meanwhile, changes the
        # panel's running count and leaves her review as it was
        owner.locator("#motion [data-action=vote][data-choice=for]").click()
        owner_review = owner.locator("#motion .vote-review")
        owner_review.wait_for()
        review.locator("[data-confirmed]").click()
        resident.locator("#turn-bar").wait_for(state="hidden")  # voted: nothing waits for her now
        owner.locator("#motion [data-if=votes_cast]").filter(has_text="已投 1 人").wait_for()
        assert owner_review.is_visible() and "赞成" in owner_review.text_content()
        owner.locator("#motion [data-confirmed]").click()
        resident.wait_for_selector("#motion .motion-voted")
        owner.wait_for_selector("#motion .motion-voted")
        # while the vote is open the room counts those who may vote and those who have, never how
        tally = chair.locator("#motion [data-if=votes_cast]")
        tally.filter(has_text="已投 2 人").wait_for()
        assert re.fullmatch(r"应到 \d+ 人，已投 2 人", tally.text_content().strip()), tally.text_content()
        chair.once("dialog", lambda dialog: dialog.accept())
        chair.locator("#motion [data-action=close_vote]").click()
        for page in (chair, resident, owner):
            page.wait_for_selector("#motion .motion-carried")
        violations["carried"] = audit(chair) + audit(resident)
        assert {state: found for state, found in violations.items() if found} == {}
        assert chair.evaluate("document.documentElement.scrollWidth") <= 390
        assert not chair_errors and not resident_errors and not owner_errors
    finally:
        resident_context.close()
        owner_context.close()


def test_a_dropped_connection_is_said_and_the_speeches_made_meanwhile_arrive_once(live_server, browser, phone):
    from tests.browser.conftest import PHONE

    resident, resident_errors = _enter(phone, live_server, RESIDENT)
    chair_context = browser.new_context(locale="zh-CN", **PHONE)
    try:
        chair, chair_errors = _enter(chair_context, live_server, CHAIR)
        status = resident.locator("#live-status")
        assert status.is_hidden()

        phone.set_offline(True)  # the resident's phone loses its connection
        status.wait_for(state="visible")
        assert "实时连接已断开" in status.text_content()
        assert resident.locator("#room.is-live").count() == 0

        # Meanwhile the chair speaks (the chair needs no floor).
        chair.locator("#speak-form textarea[name=body]").fill("请大家先看看两个备选位置的照片。")
        chair.locator("#speak-form button[type=submit]").click()
        chair.wait_for_selector("#messages li:has-text('两个备选位置的照片')")

        phone.set_offline(False)
        resident.wait_for_selector("#room.is-live")
        status.wait_for(state="hidden")
        resident.wait_for_selector("#messages li:has-text('两个备选位置的照片')")
        assert resident.locator("#messages li:has-text('两个备选位置的照片')").count() == 1
        ids = resident.locator("#messages li").evaluate_all("items => items.map(li => Number(li.dataset.id))")
        assert ids == sorted(set(ids))  # in order, none twice
        assert not resident_errors and not chair_errors
    finally:
        chair_context.close()


def test_the_room_modules_load_under_their_fingerprinted_names(live_server, phone):
    loaded = []
    # the page's own requests; the service worker (registered by static/js/app.js) precaches the shell on its own
    phone.on(
        "response",
        lambda r: loaded.append(r) if "/static/js/room/" in r.url and r.request.service_worker is None else None,
    )
    _page, errors = _enter(phone, live_server, RESIDENT)
    names = sorted(r.url.rsplit("/", 1)[-1] for r in loaded)
    # every module of static/js/room, each once, by its content-hashed name
    modules = sorted(p.name for p in (Path(__file__).parents[2] / "static" / "js" / "room").glob("*.js"))
    assert len(modules) > 5
    assert [re.sub(r"\.[0-9a-f]{12}\.js$", ".js", n) for n in names] == modules
    assert all(re.search(r"\.[0-9a-f]{12}\.js$", n) for n in names), names
    assert all(r.status == 200 and "immutable" in r.headers.get("cache-control", "") for r in loaded)
    assert not errors
