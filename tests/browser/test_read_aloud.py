"""朗读: the text of an idea, a decision and its verdict read aloud with the browser's speech synthesis, on a
phone; no button where the browser has no Chinese voice. The browser's speech engine is replaced at its API
(speechSynthesis), the boundary the page talks to; everything on our side runs as shipped."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

OWNER = "13800000002"  # 张建国, an owner on the demo decision's roll
PASSWORD = "yishi2026"

SPEECH = """(voices) => {
  window.__spoken = [];
  window.__cancelled = 0;
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
  Object.defineProperty(window, 'speechSynthesis', { value: {
    getVoices: () => voices,
    speak: (u) => { window.__spoken.push({ text: u.text, lang: u.lang, rate: u.rate }); },
    cancel: () => { window.__cancelled += 1; },
    addEventListener: () => {},
  } });
}"""


def _open_idea(context, origin):
    page = context.new_page()
    page.goto(f"{origin}/account/login")
    page.locator("input[name=phone]").fill(OWNER)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/(me|c/.*)$"))
    page.goto(f"{origin}/c/cuizhuyuan/ideas")
    page.locator(".idea-card-title a").first.click()
    page.wait_for_url(re.compile(r"/ideas/\d+$"))
    return page


def test_a_resident_has_an_idea_read_aloud_and_stops_it(live_server, phone):
    phone.add_init_script(f"({SPEECH})([{{ lang: 'en-US', name: 'E' }}, {{ lang: 'zh-CN', name: 'Z' }}])")
    page = _open_idea(phone, live_server)
    text = page.locator(".idea-text").evaluate("e => e.firstChild.textContent.trim()")  # the idea, not the button
    button = page.locator(".idea-text > button.read-aloud")
    assert button.inner_text().strip().endswith("朗读") and button.get_attribute("aria-pressed") == "false"
    button.click()
    spoken = page.evaluate("window.__spoken")
    assert spoken == [{"text": text, "lang": "zh-CN", "rate": 0.9}] and len(text) > 10
    assert button.get_attribute("aria-pressed") == "true" and "停止" in button.inner_text()
    button.click()  # a second tap stops
    assert page.evaluate("window.__cancelled") >= 2 and button.get_attribute("aria-pressed") == "false"
    assert len(page.evaluate("window.__spoken")) == 1

    page.goto(f"{live_server}/decisions/1")
    assert page.locator(".decision-text .markdown > button.read-aloud").count() == 1
    page.locator(".decision-text .markdown > button.read-aloud").click()
    assert "电梯" in page.evaluate("window.__spoken")[-1]["text"]


def test_no_button_without_a_chinese_voice(live_server, phone):
    phone.add_init_script(f"({SPEECH})([{{ lang: 'en-US', name: 'E' }}])")
    page = _open_idea(phone, live_server)
    assert page.locator(".idea-text").count() == 1
    assert page.locator("button.read-aloud").count() == 0


def test_speeches_motions_and_notices_are_read_aloud_and_a_live_speech_gets_its_button(live_server, phone):
    phone.add_init_script(f"({SPEECH})([{{ lang: 'zh-CN', name: 'Z' }}])")
    page = phone.new_page()
    page.goto(f"{live_server}/account/login")
    page.locator("input[name=phone]").fill("13800000003")  # the room's chair: she may speak at any time
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    page.goto(f"{live_server}/c/cuizhuyuan/consultations")
    page.get_by_role("link", name="电动车集中充电棚建在哪里").click()
    page.wait_for_selector("#room.is-live")
    bodies = page.locator("#messages .msg-body").count()
    assert page.locator("#messages .msg-body > button.read-aloud").count() == bodies, bodies  # each speech
    page.locator("#speak-form textarea[name=body]").fill("我建议把充电棚建在北侧空地。")
    page.locator("#speak-form button[type=submit]").click()
    page.wait_for_selector("#messages li:has-text('我建议把充电棚建在北侧空地') .msg-body > button.read-aloud")
    page.locator("#messages li:has-text('我建议把充电棚建在北侧空地') button.read-aloud").click()
    assert page.evaluate("window.__spoken")[-1]["text"] == "我建议把充电棚建在北侧空地。"

    page.goto(f"{live_server}/c/cuizhuyuan/notices")
    page.locator("main a[href^='/notices/']").first.click()
    page.locator(".notice-body > button.read-aloud").click()
    assert len(page.evaluate("window.__spoken")[-1]["text"]) > 10
