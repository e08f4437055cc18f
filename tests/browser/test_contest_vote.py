"""On her phone a resident votes in the demo's proposal contest, keeps her tracking code, and after the
count (two staff certify) finds on the receipts page that her ballot was counted."""

from __future__ import annotations

import re

import pytest

from app.contests.models import Contest
from config import TestingConfig
from tests.browser.test_accessibility import audit
from tests.contests import viewer

pytestmark = pytest.mark.browser

RESIDENT, STAFF = "13800000001", "13800000008"  # 王秀兰 (1栋), 赵丽华 (community staff)


def _log_in(page, live_server, phone):
    page.goto(f"{live_server}/account/login")
    page.locator("input[name=phone]").fill(phone)
    page.locator("input[name=password]").fill("yishi2026")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/(me|c/.*)$"))


def _backend(tmp_path):
    """The live server's database, through a second app on the same file (for what the test does off-screen)."""
    from app import create_app

    config = type(
        "Backend",
        (TestingConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'browser.sqlite3'}",
            "ROSTER_STASH_DIR": str(tmp_path / "imports"),
            "UPLOAD_DIR": str(tmp_path / "uploads"),
        },
    )
    return create_app(config)


def test_a_resident_votes_and_finds_her_ballot_counted(live_server, phone, browser, tmp_path):
    from tests.browser.conftest import PHONE

    page = phone.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    _log_in(page, live_server, RESIDENT)
    page.goto(f"{live_server}/c/cuizhuyuan/contests")
    page.locator(".contest-card a").first.click()
    page.wait_for_url(re.compile(r"/contests/\d+$"))
    contest_id = int(page.url.rsplit("/", 1)[1])
    # the turnout panel joins the live room; the two demo ballots are counted there
    assert page.locator("#turnout [data-turnout=voted]").inner_text() == "2"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator(".vote-panel a.btn").click()
    page.wait_for_url(re.compile(rf"/contests/{contest_id}/vote$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    boxes = page.locator("form.ballot input[name=entry]")
    assert boxes.count() == 4  # three residents' entries and an organisation's; the ineligible one is not on it
    assert audit(page) == []  # axe-core: the ballot, its review step and the receipt
    boxes.nth(0).check()
    boxes.nth(2).check()
    page.locator("form.ballot button[type=submit]").click()
    # the review step: the two entries, the warning, one large button to cast
    page.wait_for_selector(".review-step")
    assert page.locator(".review-entries li").count() == 2
    assert audit(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator(".review-step button[type=submit]").click()
    page.wait_for_selector("#receipt")
    receipt = page.locator("#receipt").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{12}", receipt), receipt
    assert audit(page) == []

    # voting closes and the staff count: 赵丽华 signs as counter on her phone, a colleague as scrutineer
    backend = _backend(tmp_path)
    with backend.app_context():
        from app.accounts.models import User
        from app.communities.models import Community, Role
        from app.contests import services
        from app.extensions import db
        from app.voting.models import CertifierRole
        from tests import factories

        contest = db.session.get(Contest, contest_id)
        staff = db.session.scalar(db.select(User).filter_by(phone=STAFF))
        services.advance(viewer(staff, contest), contest, "counting")
        colleague = factories.user(name="钱卫东")
        factories.membership(colleague, db.session.get(Community, contest.community_id), Role.COMMUNITY_STAFF)
        db.session.commit()
        colleague_id = colleague.id
    staff_context = browser.new_context(locale="zh-CN", **PHONE)
    try:
        staff_page = staff_context.new_page()
        _log_in(staff_page, live_server, STAFF)
        staff_page.goto(f"{live_server}/contests/{contest_id}/count")
        assert staff_page.locator("#opened-head").inner_text() != staff_page.locator("#closed-head").inner_text()
        staff_page.locator("select[name=role]").select_option("counter")
        staff_page.locator("main form button[type=submit]").last.click()
        staff_page.wait_for_url(re.compile(rf"/contests/{contest_id}/count$"))
    finally:
        staff_context.close()
    with backend.app_context():
        services.certify(
            viewer(db.session.get(User, colleague_id), db.session.get(Contest, contest_id)),
            db.session.get(Contest, contest_id),
            CertifierRole.SCRUTINEER,
        )
        db.session.commit()  # as the view does
        assert db.session.get(Contest, contest_id).phase.value == "announced"

    # later, she looks up her code
    page.goto(f"{live_server}/receipts")
    page.locator("input[name=code]").fill(receipt.lower())
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".receipt-found")
    found = page.locator(".receipt-found")
    assert found.locator(".receipt-counted").count() == 1
    assert receipt in found.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # and the 公示 notice shows the chart on a phone
    page.goto(f"{live_server}/contests/{contest_id}/results")
    assert page.locator("svg.result-chart-svg").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not errors, errors
