"""The whole loop of issue 18 on phone-sized Chromium, each step by the role that does it, through the pages' own
forms and buttons: a resident's need (需求清单) → the neighbours' "我家也需要" → the experts' screening → the year's
project guidance list → a call for a service project (公益服务项目) → an organisation's application → the panel's
conflict declaration and scores → the award and its 公示 → the first milestone's evidence → the households'
satisfaction survey → the evaluation → the payment, and a second payment refused.

The world is the demo's (tests/browser/conftest.py loads it): 王秀兰 and 张建国 (two households of 1栋), the
community staff 赵丽华, the street's expert 周文博 (named by 梅山街道), and 孙海燕, agent of 雨花睦邻社工服务中心
(verified, its qualification valid to 2027-12-31). The only write outside the pages moves the call's deadline
(see `_close_applications`). Set TEST_DATABASE_URL to run the server on PostgreSQL instead of SQLite."""

from __future__ import annotations

import os
import re
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "yishi2026"
RESIDENT = "13800000001"  # 王秀兰, 1栋 1单元 101
NEIGHBOUR = "13800000002"  # 张建国, 1栋 1单元 201: another household
STAFF = "13800000008"  # 赵丽华, community staff of 翠竹园
EXPERT = "13800000010"  # 周文博, expert named by the street
AGENT = "13800000009"  # 孙海燕, agent of 雨花睦邻社工服务中心
SLUG = "cuizhuyuan"
ORG = "雨花睦邻社工服务中心"
NEED = "独居老人午餐无人送"
ITEM = "独居老人助餐送餐服务"
YEAR = date.today().year + 1  # next year's list: the demo's list of this year is left alone
CALL = f"{YEAR}年独居老人助餐送餐服务项目"
PHONE_360 = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
EVIDENCE = Path(__file__).resolve().parents[2] / "app" / "demo" / "files" / "lift-quote.pdf"


@pytest.fixture
def origin(serve, tmp_path):
    """The live server, on the PostgreSQL of TEST_DATABASE_URL (emptied first) or on SQLite in tmp_path."""
    started = time.monotonic()
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return serve(), f"sqlite:///{tmp_path / 'browser.sqlite3'}", started
    from app import create_app
    from app.extensions import db
    from config import TestingConfig

    app = create_app(type("EmptyConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        db.drop_all()
        db.engine.dispose()
    return serve(SQLALCHEMY_DATABASE_URI=url), url, started


def _close_applications(database_url: str, call_id: int) -> None:
    """The one step not done through a page: the call's deadline (a day at the earliest tomorrow when published)
    is moved a minute into the past, as if the days had gone by, so the panel may score and staff award."""
    from app import create_app
    from app.core.models import utcnow
    from app.extensions import db
    from app.procurement.models import ServiceCall
    from config import TestingConfig

    app = create_app(type("DeadlineConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": database_url}))
    with app.app_context():
        call = db.session.get(ServiceCall, call_id)
        call.deadline = utcnow() - timedelta(minutes=1)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


class Person:
    """One user's phone: a browser context of their own, signed in."""

    def __init__(self, browser, base, phone, shots, problems):
        self.context = browser.new_context(locale="zh-CN", **PHONE_360)
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: problems.append(str(exc)))
        self.base, self.shots = base, shots
        self.page.goto(f"{base}/account/login")
        self.page.locator("input[name=phone]").fill(phone)
        self.page.locator("input[name=password]").fill(PASSWORD)
        self.page.locator("main form button[type=submit]").last.click()
        self.page.wait_for_url(re.compile(r"/(me|c/.*)$"))

    def go(self, path):
        self.page.goto(path if path.startswith("http") else f"{self.base}{path}")
        assert self.page.locator("html").get_attribute("lang") == "zh-CN"
        return self.page

    def main(self) -> str:
        return self.page.locator("main").inner_text()

    def shot(self, name):
        """A full-page screenshot of what the user sees, and the page fits the 360 px phone."""
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)
        assert self.page.evaluate("document.documentElement.scrollWidth") <= 360, name

    def click(self, form_selector, then=None):
        with self.page.expect_navigation():
            self.page.locator(form_selector).locator("button[type=submit]").first.click()
        if then is not None:
            assert re.search(then, self.page.url), self.page.url


def test_from_a_residents_need_to_a_paid_milestone(origin, browser, tmp_path):
    base, database_url, server_started = origin
    started = time.monotonic()
    shots = tmp_path / "screens"
    shots.mkdir()
    problems = []
    people = []

    def person(phone):
        people.append(Person(browser, base, phone, shots, problems))
        return people[-1]

    try:
        resident, neighbour, staff, expert, agent = (person(p) for p in (RESIDENT, NEIGHBOUR, STAFF, EXPERT, AGENT))

        # 1. a verified resident submits a need; a resident of another household says 我家也需要
        page = resident.go(f"/c/{SLUG}/needs/new")
        page.locator("#title").fill(NEED)
        page.locator("#description").fill("1栋有好几位独居老人，中午没人做饭，希望社区组织助餐送餐。")
        page.locator("#affected").select_option("elderly")
        page.locator("#building_id").select_option(label="1栋")
        page.locator("#households_estimate").fill("12")
        resident.click(f"form[action$='/c/{SLUG}/needs/new']", then=r"/needs/\d+$")
        need_url = page.url
        assert page.locator("h1").inner_text() == NEED
        households = page.locator("#households").inner_text()
        assert "1 户" in households and "您家已计入。" in households  # the author's household counts already
        assert page.locator("form[action$='/support']").count() == 0
        resident.shot("01-need")

        page = neighbour.go(need_url)
        neighbour.click("form[action$='/support']", then=r"/needs/\d+$")
        assert "2 户" in page.locator("#households").inner_text()
        assert "您家已计入。" in page.locator("#households").inner_text()
        neighbour.shot("02-need-supported")

        # 2. staff put it to the experts; the street's expert scores it; staff close the screening
        page = staff.go(need_url)
        page.locator("#status").select_option("screening")
        page.locator("#reason").fill("请专家评审。")
        staff.click("form[action$='/status']", then=r"/needs/\d+$")
        assert page.locator("header .pill").inner_text() == "专家评审中"

        page = expert.go("/screening")
        assert NEED in expert.main()
        assert "王秀兰" not in expert.main()  # experts never see who raised it
        page.get_by_role("link", name=NEED).first.click()
        page.wait_for_url(re.compile(r"/screening/needs/\d+$"))
        for name, grade in (("urgency", 5), ("households", 4), ("feasibility", 4), ("cost", 3)):
            page.locator(f"input[name={name}][value='{grade}']").check()
        page.locator("#reason").fill("独居老人多，午餐刚需，可以做。")
        expert.click("main form[action*='/screening/needs/']")
        expert.shot("03-expert-scored")

        page = staff.go(need_url)
        # (5 + 4 + 4 + 3) / 4 = 4, one expert: the combined row is his scores, the total exactly 4
        assert "总分： 4.00" in page.locator("#scores-heading").locator("xpath=..").inner_text()
        staff.click("form[action$='/close-screening']", then=r"/needs/\d+$")
        assert "评审已结束。" in staff.main()
        need_id = int(need_url.rsplit("/", 1)[1])

        # 3. staff make a guidance item from it and publish the year's list, which shows the households behind it
        page = staff.go(f"/c/{SLUG}/guidance/new")
        page.locator(f"input[name=need_ids][value='{need_id}']").check()
        page.locator("#title").fill(ITEM)
        page.locator("#summary").fill("为1栋独居老人每日送午餐。")
        page.locator("#affected").select_option("elderly")
        page.locator("#cost_low").fill("10000")
        page.locator("#cost_high").fill("20000")
        page.locator("#year").fill(str(YEAR))
        staff.click(f"form[action$='/c/{SLUG}/guidance/new']")
        page = staff.go(f"/c/{SLUG}/guidance")
        page.locator("form[action$='/guidance/publish'] input[name=year]").fill(str(YEAR))
        staff.click("form[action$='/guidance/publish']")
        page = resident.go(f"/c/{SLUG}/guidance/{YEAR}")
        card = page.locator(".card", has_text=ITEM)
        assert "2 户需要" in card.inner_text()  # 王秀兰's household and 张建国's
        resident.shot("04-guidance-list")

        # 4. staff publish a call for the item: weighted criteria, the expert on the panel
        page = staff.go(f"/c/{SLUG}/procurement/new")
        page.locator("#item_id").select_option(label=f"{YEAR} {ITEM}")
        page.locator("#title").fill(CALL)
        page.locator("#scope").fill("为1栋独居老人每日送午餐，全年。")
        page.locator("#ceiling").fill("20000")
        page.locator("#deadline").fill((date.today() + timedelta(days=7)).isoformat())
        page.locator("#criteria").fill("服务方案 | 60%\n服务经验 | 40%")
        page.locator("input[name=panel]").first.check()
        assert "周文博" in page.locator("input[name=panel]").first.locator("xpath=..").inner_text()
        staff.click("main form.card", then=r"/procurement/calls/\d+$")
        call_url = page.url
        call_id = int(call_url.rsplit("/", 1)[1])
        assert page.locator("h1").inner_text() == CALL
        assert "3/5" in staff.main() and "2/5" in staff.main()
        staff.shot("05-call")

        # 5. the organisation's agent applies: plan, budget lines, milestones
        page = agent.go(call_url)
        page.locator(f"a[href$='/procurement/calls/{call_id}/apply']").first.click()
        page.wait_for_url(re.compile(r"/apply$"))
        page.locator("#plan").fill("组织志愿者每日11点送餐上门，每周回访一次。")
        page.locator("#budget").fill("餐费补贴 | 12000\n志愿者培训 | 3000")
        page.locator("#milestones").fill(
            f"首月送餐 | 每日30份午餐 | {YEAR}-03-31 | 40%\n结项 | 满意度报告 | {YEAR}-12-31 | 60%"
        )
        agent.click("main form.card", then=r"/procurement/applications/\d+$")
        application_url = page.url
        assert page.locator("h1").inner_text() == ORG
        assert "¥15,000.00" in agent.main()
        agent.shot("06-application")

        # 6. the deadline passes; the expert declares no conflict and scores; staff award; the 公示 shows the score
        _close_applications(database_url, call_id)
        page = expert.go(application_url)
        page.locator("form[action$='/declare'] textarea[name=note]").fill("与该机构无利害关系。")
        expert.click("form[action$='/declare']", then=r"/procurement/applications/\d+$")
        inputs = page.locator("form[action$='/score'] input:not([type=hidden])")
        assert inputs.count() == 2
        inputs.nth(0).fill("80")
        inputs.nth(1).fill("70")
        expert.click("form[action$='/score']", then=r"/procurement/applications/\d+$")
        assert "3/5 × 80 + 2/5 × 70 = 76" in expert.main()
        expert.shot("07-scored")

        page = staff.go(call_url)
        staff.click("form[action$='/award']")
        page = staff.go(f"/procurement/calls/{call_id}/publicity")
        publicity = staff.main()
        assert page.locator("h1").inner_text() == "项目承接结果公示"
        assert f"确定由 {ORG} 承接" in publicity and "3/5 × 80 + 2/5 × 70 = 76" in publicity
        staff.shot("08-publicity")

        # 7. the agent attaches evidence to the first milestone and submits it; a resident answers the survey
        page = agent.go(call_url)
        page.locator("a[href*='/procurement/contracts/']").first.click()
        page.wait_for_url(re.compile(r"/procurement/contracts/\d+$"))
        contract_url = page.url
        assert "¥15,000.00" in agent.main()
        page.get_by_role("link", name="首月送餐").click()
        page.wait_for_url(re.compile(r"/procurement/milestones/\d+$"))
        milestone_url = page.url
        assert "¥6,000.00" in agent.main()  # 40% of ¥15,000.00
        page.locator("form.attachment-upload input[type=file]").set_input_files(str(EVIDENCE))
        agent.click("form.attachment-upload")
        page = agent.go(milestone_url)
        assert "lift-quote" in agent.main()
        page.locator("form[action$='/submit'] textarea").fill("3月起每日送餐30份，附签收单。")
        agent.click("form[action$='/submit']", then=r"/procurement/milestones/\d+$")
        assert "正在收集。" in agent.main()
        agent.shot("09-milestone-submitted")

        # the survey opened by itself (app/flows/milestone_satisfaction.py): she follows her notification to it
        page = resident.go("/notifications/")
        page.get_by_role("link", name="“首月送餐”：请告诉我们您对这项工作的满意程度（匿名）。").click()
        page.wait_for_url(re.compile(r"/surveys/\d+$"))
        survey_url = page.url
        for question in page.locator("main form fieldset").all():
            radios = question.locator("input[type=radio]")
            if radios.count():
                radios.last.check()
        resident.click("main form[method=post]")
        assert "谢谢！您的答卷已提交。" in resident.main()
        resident.shot("10-survey-answered")

        page = staff.go(survey_url)
        staff.click(f"form[action$='/surveys/{survey_url.rsplit('/', 1)[1]}/close']")
        assert "问卷已结束。" in staff.main()

        # 8. staff sign the evaluation off and release the payment; the ledger shows it; a second payment is refused
        page = staff.go(milestone_url)
        # the survey's summary is on the milestone: one household answered, most satisfied on every scale
        facts = page.locator("dl.facts").inner_text()
        assert re.search(r"100\.0% · \d+ 户中 1 户作答", facts), facts
        page.locator("form[action$='/sign-off'] textarea").fill("送餐记录与签收单齐全，居民满意。")
        staff.click("form[action$='/sign-off']", then=r"/procurement/milestones/\d+$")
        stale = staff.context.new_page()  # the same pay form, left open in a second tab
        stale.goto(milestone_url)
        page.locator("form[action$='/pay'] input[name=amount]").fill("6000")
        staff.click("form[action$='/pay']", then=r"/procurement/milestones/\d+$")
        page = staff.go(contract_url)
        ledger = staff.main()
        assert "¥6,000.00" in page.locator("#ledger-heading").locator("xpath=..").inner_text()
        facts = page.locator("dl.facts").inner_text()
        assert "¥6,000.00" in facts and "¥9,000.00" in facts  # paid, and what is left of ¥15,000.00
        assert "首月送餐" in ledger
        staff.shot("11-contract-ledger")

        stale.locator("form[action$='/pay'] input[name=amount]").fill("6000")
        with stale.expect_navigation() as refusal:
            stale.locator("form[action$='/pay'] button[type=submit]").click()
        assert 400 <= refusal.value.status < 500, refusal.value.status  # refused, not a 500
        refused = stale.locator("main").inner_text()
        assert "该阶段已付款，不能重复付款。" in refused, refused
        stale.screenshot(path=str(shots / "12-second-payment-refused.png"), full_page=True)
        page = staff.go(contract_url)
        assert "¥9,000.00" in page.locator("dl.facts").inner_text()  # nothing more paid
    finally:
        for someone in people:
            someone.context.close()
    now = time.monotonic()
    print(
        f"\npipeline e2e: {now - server_started:.1f} s in all ({started - server_started:.1f} s to start the server "
        f"with the demo's data, {now - started:.1f} s for the 8 steps); screenshots in {shots}"
    )
    assert not problems, problems
