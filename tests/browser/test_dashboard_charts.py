"""The dashboards' bar charts on a 360 px phone, standard and large text: every label and value in a chart is
drawn at the page's own text size (22 px in large text), none is cut off at the right, and each chart fits the
screen. Screenshots go to SHOTS for a person to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.test_pipeline_pages_without_js import _context, _log_in_large
from tests.browser.test_unbroken_numbers import PASSWORD

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots_access"))

# Per chart text: its rendered font size in CSS px (the size times the chart's scale on screen) and its right edge.
TEXTS = """() => Array.from(document.querySelectorAll('svg.result-chart-svg text'), el => {
  const box = el.getBoundingClientRect();
  const scale = el.getScreenCTM().a;
  return {size: parseFloat(getComputedStyle(el).fontSize) * scale, right: box.right, text: el.textContent};
})"""


@pytest.mark.parametrize("large", [True, False])
def test_chart_text_is_the_pages_text_size_at_360_px(live_server, browser, large):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = _context(browser)
    page = context.new_page()
    if large:
        _log_in_large(page, live_server, "13800000012")  # the district's staff
    else:
        page.goto(f"{live_server}/account/login")
        page.locator("input[name=phone]").fill("13800000012")
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("main form button[type=submit]").last.click()
        page.wait_for_load_state()
    page.goto(f"{live_server}/dashboard")
    assert "/dashboard/district/" in page.url
    body = float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))
    assert body == (22 if large else 18)
    texts = page.evaluate(TEXTS)
    assert len(texts) > 20
    too_small = [t for t in texts if t["size"] < body - 0.01]
    assert too_small == []
    cut_off = [t for t in texts if t["right"] > 360]
    assert cut_off == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    chart = page.locator("figure.dashboard-chart").first
    chart.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"dashboard-chart-{'large' if large else 'standard'}.png"))
    context.close()
