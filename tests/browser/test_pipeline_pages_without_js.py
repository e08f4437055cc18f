"""The three-socials pipeline's pages and the street's and district's (needs, the guidance list, organisations,
service projects, surveys, satisfaction, the dashboards, the admission list of work items, experts) work
without JavaScript on a 360 px phone in large text: each renders, nothing is wider than the screen, and each
role's main form is sent and stored by the browser alone.

Each role starts from its entry pages and follows the links that stay in these sections (one page per shape);
screenshots go to SHOTS for a person to look at."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.browser.test_unbroken_numbers import PASSWORD, SMALL_PHONE

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots_access"))
SECTIONS = re.compile(
    r"^/(c/cuizhuyuan/(needs|guidance|procurement|surveys|satisfaction|workitems)|needs/|orgs|procurement/"
    r"|surveys/|satisfaction/|dashboard|workitems|d/\d+/workitems|streets/\d+/guidance|overview/needs|experts"
    r"|screening)"
)
SKIP = re.compile(r"\.(csv|xlsx|docx|zip|pdf|png|jpe?g)$|/export|/print$|/attachments/|/photos?/")
PER_SHAPE = 1
MAX_PAGES = 40

ROLES = {
    "resident": ("13800000001", ["/c/cuizhuyuan/needs", "/c/cuizhuyuan/surveys", "/c/cuizhuyuan/satisfaction"]),
    "staff": (
        "13800000008",
        ["/c/cuizhuyuan/needs", "/c/cuizhuyuan/guidance", "/c/cuizhuyuan/procurement", "/dashboard"],
    ),
    "agent": ("13800000009", ["/orgs", "/c/cuizhuyuan/procurement"]),
    "expert": ("13800000010", ["/screening", "/c/cuizhuyuan/procurement"]),
    "street": ("13800000011", ["/overview/needs", "/experts", "/dashboard", "/orgs", "/workitems"]),
    "district": ("13800000012", ["/dashboard", "/workitems", "/satisfaction/assessment", "/orgs", "/experts"]),
}

# The widest element and its text, when a page is wider than the phone.
WIDEST = """() => {
  let worst = null;
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > 361 && (!worst || r.right > worst.right)) worst = {right: r.right, tag: el.tagName,
      cls: el.className, text: (el.textContent || '').trim().slice(0, 60)};
  }
  return worst;
}"""


# The page's text with the labels CSS draws from data-label (escaped markup there is shown as text too).
SHOWN = """() => document.querySelector('main').innerText + ' ' +
  Array.from(document.querySelectorAll('main [data-label]'), el => el.dataset.label).join(' ')"""


def _shape(path: str) -> str:
    return re.sub(r"\d+", "<n>", path)


def _context(browser):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False, **SMALL_PHONE)
    context.set_default_timeout(10_000)
    return context


def _log_in_large(page, origin, phone):
    page.goto(f"{origin}/account/login")
    page.locator("input[name=phone]").fill(phone)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    page.locator("form[action$='/prefs/large-text'] button").first.click()
    page.wait_for_load_state()
    assert "large-text" in (page.locator("body").get_attribute("class") or "")


def _crawl(page, origin, starts):
    """(path, status) for each page of the sections reached from `starts`, breadth first, one per shape."""
    queue, seen, shapes = list(starts), set(starts), set()
    while queue and len(shapes) < MAX_PAGES:
        path = queue.pop(0)
        if _shape(path) in shapes and path not in starts:
            continue
        shapes.add(_shape(path))
        response = page.goto(origin + path)
        yield page.url.removeprefix(origin), response.status
        for href in page.locator("a[href]").evaluate_all("els => els.map(e => e.getAttribute('href'))"):
            target = urlsplit(urljoin(page.url, href))
            if target.netloc != urlsplit(origin).netloc:
                continue
            link = target.path
            if SECTIONS.match(link) and not SKIP.search(link) and link not in seen and _shape(link) not in shapes:
                seen.add(link)
                queue.append(link)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_the_pipelines_pages_render_without_javascript_at_360_px_in_large_text(live_server, browser, role):
    phone, starts = ROLES[role]
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = _context(browser)
    page = context.new_page()
    _log_in_large(page, live_server, phone)
    visited, broken, wide, markup = [], [], [], []
    for path, status in _crawl(page, live_server, starts):
        visited.append(path)
        name = re.sub(r"[^\w]+", "_", path).strip("_") or "root"
        page.screenshot(path=str(SHOTS / f"{role}-{name}.png"), full_page=True)
        if status != 200:
            broken.append((path, status))
        if page.evaluate("document.documentElement.scrollWidth") > 360:
            wide.append((path, page.evaluate(WIDEST)))
        shown = page.evaluate(SHOWN)  # what a person reads, labels drawn by CSS (td[data-label]) included
        markup += [(path, m.group(0)) for m in re.finditer(r"<\w+[ >]|\w+=\"", shown)]
    context.close()
    print(f"\n{role}: {len(visited)} pages: {visited}\n  broken: {broken}\n  wider than 360 px: {wide}")
    assert len(visited) >= len(starts)
    assert broken == []
    assert wide == []
    assert markup == []  # no escaped HTML shown as text (a macro's markup put in an attribute)


def _send(page, origin, phone, path, fields, selects=()):
    """Log in (large text), open `path`, fill and choose, press the form's submit button: no script runs."""
    _log_in_large(page, origin, phone)
    page.goto(origin + path)
    form = page.locator(f"main form:has([name='{next(iter(fields))}'])")
    for name, value in fields.items():
        form.locator(f"[name='{name}']").fill(value)
    for name, label in selects:
        form.locator(f"select[name='{name}']").select_option(label=label)
    with page.expect_navigation():
        form.locator("button[type=submit]").last.click()
    return page.locator("main").inner_text()


FORMS = {
    "a resident raises a need": (
        "13800000001",
        "/c/cuizhuyuan/needs/new",
        {"title": "楼道照明不足", "description": "三栋楼道的灯坏了很久，老人晚上下楼看不清台阶。"},
        [("affected", "老年人")],
        "楼道照明不足",
    ),
    "street staff name an expert": (
        "13800000011",
        "/experts",
        {"phone": "13800000002", "field": "物业管理"},
        [],
        "物业管理",
    ),
    "district staff add a department": (
        "13800000012",
        "/d/1/workitems/departments",
        {"name": "区应急管理局"},
        [],
        "区应急管理局",
    ),
}


@pytest.mark.parametrize("case", sorted(FORMS))
def test_each_roles_main_form_is_sent_without_javascript(live_server, browser, case):
    phone, path, fields, selects, shown = FORMS[case]
    context = _context(browser)
    page = context.new_page()
    text = _send(page, live_server, phone, path, fields, selects)
    name = re.sub(r"[^\w]+", "_", case)
    page.screenshot(path=str(SHOTS / f"form-{name}.png"), full_page=True)
    context.close()
    assert shown in text, text[:500]
