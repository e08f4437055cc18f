"""Amounts, areas, dates and times never break inside themselves ("¥50,000.0 / 0", "2026-12- / 17"): every page
a staff member reaches from the community's home, on a 360 px phone in large text, in Chinese and in English.

Each such value in the page's text is measured where the browser laid it out (a Range over its characters):
one that spans two lines is reported with its page. The pages are found by following links, not listed."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

pytestmark = pytest.mark.browser

STAFF = "13800000008"  # 赵丽华, community staff in the demo: she reaches the most pages
PASSWORD = "yishi2026"
SMALL_PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 1,
    "is_mobile": True,
    "has_touch": True,
}
MAX_PAGES = 90
PER_KIND = 2  # pages of one shape (/c/x/members/<n>) visited at most
# Not pages for reading on the phone: exports, images, attachments (downloads), the A4 invite poster.
SKIP = re.compile(
    r"/(account/logout|prefs/|static/|metrics|healthz|readyz)|\.(csv|xlsx|docx|png|jpe?g|svg)$|/photos?/|/poster$"
    r"|/attachments/\d+(/preview)?$"
)

# Money, area, ISO days, Babel's short dates (zh 2026/12/5, en 12/5/26) and times (19:37, 7:37 PM; a line may
# break between a date and its time, never inside either), percentages.
VALUES = (
    r"-?¥[\d,]+\.\d{2}"
    r"|[\d,]+\.\d{2}\s?m²"
    r"|\d{4}-\d{2}-\d{2}"
    r"|\d{4}/\d{1,2}/\d{1,2}"
    r"|\b\d{1,2}/\d{1,2}/\d{2}\b"
    r"|\b\d{1,2}:\d{2}(?:\s[AP]M)?"
    r"|\d+(?:\.\d+)?%"
)

MEASURE = """(pattern) => {
  const re = new RegExp(pattern, 'g');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [], broken = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('script, style, template, [hidden], .visually-hidden, svg, option')) continue;
    for (const m of node.data.matchAll(re)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
      if (!rects.length) continue;  // not laid out (a closed disclosure, display: none)
      found.push(m[0]);
      const tops = new Set(rects.map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(m[0]);
    }
  }
  return {found, broken};
}"""


WIDEST = """() => [...document.querySelectorAll('body *')]
  .map(e => [Math.round(e.getBoundingClientRect().right), e]).filter(([r]) => r > 360).sort((a, b) => b[0] - a[0])
  .slice(0, 3).map(([r, e]) => `${r} <${e.tagName.toLowerCase()} class="${e.className}">`)"""


def _log_in(page, origin):
    page.goto(f"{origin}/account/login")
    page.locator("input[name=phone]").fill(STAFF)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/(me|c/.*)$"))


def _crawl(page, origin, start):
    """Visit pages breadth first from `start`; yield (path, measured) for each HTML page."""
    queue, seen, kinds = [start], {start}, {}
    while queue and len(seen) <= MAX_PAGES:
        path = queue.pop(0)
        response = page.goto(origin + path)
        assert response is None or response.status < 500, (path, response.status)  # no page a link leads to fails
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        yield path, page.evaluate(MEASURE, VALUES)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            url = urlsplit(urljoin(origin + path, href))
            if url.netloc != urlsplit(origin).netloc:
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if target in seen or SKIP.search(url.path) or len(seen) >= MAX_PAGES:
                continue
            kind = re.sub(r"\d+", "<n>", url.path)
            if kinds.get(kind, 0) < PER_KIND:
                kinds[kind] = kinds.get(kind, 0) + 1
                seen.add(target)
                queue.append(target)


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_no_number_amount_or_date_breaks_across_lines_in_large_text(live_server, browser, locale):
    context = browser.new_context(locale=locale, **SMALL_PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    _log_in(page, live_server)
    if locale == "en":  # the account's language is Chinese: switch, as a user would
        page.locator("form[action$='/prefs/language'] button[value=en]").first.click()
        page.wait_for_load_state()
    page.locator("form[action$='/prefs/large-text'] button").first.click()
    page.wait_for_load_state()
    assert "large-text" in (page.locator("body").get_attribute("class") or "")

    pages, values, broken, wide = 0, 0, [], []
    kinds = {"money": 0, "date": 0}
    for path, measured in _crawl(page, live_server, "/c/cuizhuyuan"):
        pages += 1
        values += len(measured["found"])
        kinds["money"] += sum(v.startswith(("¥", "-¥")) for v in measured["found"])
        kinds["date"] += sum(bool(re.match(r"\d", v)) and ("-" in v or "/" in v) for v in measured["found"])
        broken += [(path, v) for v in measured["broken"]]
        if page.evaluate("document.documentElement.scrollWidth") > 360:
            wide.append((path, page.evaluate(WIDEST)))
    context.close()
    print(f"\n{locale}: {pages} pages, {values} values measured ({kinds}), {len(broken)} broken: {broken}")
    assert pages >= 25 and kinds["money"] >= 20 and kinds["date"] >= 20, (pages, kinds)
    assert broken == []
    print(f"{locale}: wider than the phone: {wide}")
    assert wide == []  # and keeping them whole never pushes a page wider than the phone
