"""Yishi on the home screen: the service worker installs, keeps only the static shell and the offline page
(never a page with personal data), and offline a navigation shows the plain offline page."""

from __future__ import annotations

import re

CACHED = """async () => {
  const found = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      found.push({url: request.url, type: response.headers.get("Content-Type") || ""});
    }
  }
  return found;
}"""


def _log_in(page, origin):
    page.goto(f"{origin}/account/login")
    page.locator("input[name=phone]").fill("13800000001")
    page.locator("input[name=password]").fill("yishi2026")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/(me|c/.*)$"))


def test_offline_page_and_no_personal_page_in_the_cache(live_server, phone):
    page = phone.new_page()
    page.goto(f"{live_server}/")
    manifest = page.locator("link[rel=manifest]").get_attribute("href")
    assert manifest == "/manifest.webmanifest"
    _log_in(page, live_server)
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15_000)
    # pages with personal data, visited while the worker controls the page
    for path in ("/me", "/c/cuizhuyuan", "/notifications", "/account/settings"):
        page.goto(f"{live_server}{path}")
    cached = page.evaluate(CACHED)
    urls = [re.sub(r"^https?://[^/]+", "", item["url"]) for item in cached]
    assert "/offline" in urls
    assert any(u.startswith("/static/css/app.") for u in urls)
    assert any(u.startswith("/static/icons/icon-192") for u in urls)
    html = [u for u, item in zip(urls, cached, strict=True) if "html" in item["type"]]
    assert html == ["/offline"], html
    assert all(u == "/offline" or u.startswith("/static/") for u in urls), urls

    phone.set_offline(True)
    page.goto(f"{live_server}/c/cuizhuyuan")
    assert page.locator("h1").first.inner_text() == "您现在没有联网"
    assert "You are offline" in page.locator("main").inner_text()
    assert "王秀兰" not in page.content()  # the offline page is the same for everyone
    font_size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
    assert font_size >= 18  # large text, styled from the cached stylesheet

    phone.set_offline(False)
    page.goto(f"{live_server}/c/cuizhuyuan")
    assert page.locator("h1").first.inner_text() != "您现在没有联网"
