"""Procurement over HTTP, per role: who may open and do what (allowed and denied), each form's bad input
refused with its message and a 4xx, nothing stored; the exports and the printable notice."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from fractions import Fraction
from html import unescape

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.core.clock import last_day
from app.extensions import db
from app.procurement import ledger, services
from app.procurement.models import Application, MilestoneStatus, Payment, ScoreSheet, ServiceCall
from tests.procurement import BUDGET, MILESTONES, PLAN, close_applications, edge, end_scoring, evidence, party

CALL_READERS = [
    "social_org",
    "agent2",
    "resident",
    "staff",
    "expert_panel",
    "expert_conflicted",
    "street_staff",
    "district_staff",
]
CALL_STRANGERS = ["agent_far", "expert_off", "far_street_staff", "outsider", "other_staff"]


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def applied(pw, key="social_org", org=None):
    return edge(
        services.apply,
        party(pw.users[key], pw.call),
        pw.call,
        org or pw.org,
        plan=PLAN,
        budget=BUDGET,
        milestones=MILESTONES,
    )


def scored(pw, application, key="expert_panel", a=80, b=70):
    p = party(pw.users[key], pw.call)
    edge(services.declare, p, application, conflicted=False, note="")
    c1, c2 = pw.call.criteria
    edge(services.submit_scores, p, application, {c1.id: a, c2.id: b})


def awarded(pw):
    application = applied(pw)
    close_applications(pw.call)
    scored(pw, application)
    end_scoring(pw.call)
    return edge(services.award, party(pw.users["staff"], pw.call), pw.call, application, reason="")


def errors(html: str) -> list[str]:
    """The messages shown beside fields and flashed: what a failed assertion prints."""
    return re.findall(r'class="field-error"[^>]*>(.*?)</ul>', html, re.S) + re.findall(r"flash-error[^>]*>(.*?)<", html)


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("key", CALL_READERS)
def test_who_reads_a_call(as_, pw, key):
    response = as_(key).get(f"/procurement/calls/{pw.call.id}")
    assert response.status_code == 200
    assert "老年人助餐服务项目" in text(response)


@pytest.mark.parametrize("key", CALL_STRANGERS)
def test_who_does_not_learn_a_call_exists(as_, pw, key):
    assert as_(key).get(f"/procurement/calls/{pw.call.id}").status_code == 404


def test_the_list_of_calls(as_, pw):
    assert "老年人助餐服务项目" in text(as_("resident").get("/c/cuizhuyuan/procurement"))
    assert "老年人助餐服务项目" in text(as_("agent2").get("/c/cuizhuyuan/procurement"))  # not a member's list
    assert as_("outsider").get("/c/cuizhuyuan/procurement").status_code == 404
    assert as_(None).get("/c/cuizhuyuan/procurement").status_code == 302  # to the login


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("social_org", 200),
        ("staff", 200),
        ("expert_panel", 200),
        ("expert_conflicted", 200),
        ("street_staff", 200),
        ("district_staff", 200),
        ("agent2", 404),  # another organisation's agent
        ("resident", 404),
        ("agent_far", 404),
        ("expert_off", 404),
        ("far_street_staff", 404),
        ("outsider", 404),
    ],
)
def test_who_reads_an_application_before_the_award(as_, pw, key, status):
    application = applied(pw)
    assert as_(key).get(f"/procurement/applications/{application.id}").status_code == status


@pytest.mark.parametrize("key", ["resident", "agent2", "district_staff"])
def test_the_award_publishes_applications_and_scores(as_, pw, key):
    contract = awarded(pw)
    page = text(as_(key).get(f"/procurement/applications/{contract.application_id}"))
    assert "expert_panel" in page and "76" in page  # 3/5 × 80 + 2/5 × 70
    assert "3/5 × 80 + 2/5 × 70 = 76" in text(as_(key).get(f"/procurement/calls/{pw.call.id}/publicity"))


CALL_FORM = {
    "client_id": "c-1",
    "title": "居家养老上门服务",
    "scope": "为独居老人提供每周两次上门探访与生活照料",
    "ceiling": "150000",
    "criteria": "服务方案 | 60%\n预算合理性 | 40%",
}


def call_form(pw, **changes):
    deadline = (date.today() + timedelta(days=20)).isoformat()
    data = {**CALL_FORM, "item_id": str(pw.item.id), "deadline": deadline, "panel": [str(pw.users["expert_panel"].id)]}
    return {**data, **changes}


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("staff", 200),
        ("street_staff", 200),
        ("resident", 403),
        ("social_org", 403),
        ("district_staff", 403),
        ("other_staff", 404),
        ("far_street_staff", 404),
        ("expert_panel", 404),
        ("outsider", 404),
    ],
)
def test_who_may_publish_a_call(as_, pw, key, status):
    assert as_(key).get("/c/cuizhuyuan/procurement/new").status_code == status
    response = as_(key).post("/c/cuizhuyuan/procurement/new", data=call_form(pw))
    assert response.status_code == (302 if status == 200 else status)
    assert count(ServiceCall) == (2 if status == 200 else 1)


def test_a_call_is_published_once_per_client_id(as_, pw):
    http = as_("staff")
    first = http.post("/c/cuizhuyuan/procurement/new", data=call_form(pw))
    again = http.post("/c/cuizhuyuan/procurement/new", data=call_form(pw))
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert count(ServiceCall) == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"criteria": "服务方案 | 60%\n预算 | 30%"}, "The weights must sum to 1; they sum to 9/10."),
        ({"criteria": "服务方案 60%"}, "Line 1: One criterion per line"),
        ({"criteria": "服务方案 | 0"}, "A share is more than 0"),
        ({"ceiling": "-5"}, "An amount cannot be negative."),
        ({"ceiling": "0"}, "Give a budget ceiling of more than 0 yuan."),
        ({"deadline": "2020-01-01"}, "The deadline must be in the future."),
        ({"deadline": "not a date"}, "Not a valid date value."),
        ({"panel": []}, "Choose at least one expert for the panel."),
        ({"panel": ["999999"]}, "Choose experts named for this street."),
        ({"item_id": "999999"}, "Choose a published guidance item."),
        ({"title": "x"}, "Give a title of 2 to 120 characters."),
        ({"scope": "短"}, "Describe the scope in 10 to 5000 characters."),
        ({"title": "a\x00b"}, ""),
    ],
)
def test_bad_calls_are_refused(as_, pw, changes, message):
    response = as_("staff").post("/c/cuizhuyuan/procurement/new", data=call_form(pw, **changes))
    assert response.status_code == 400
    assert message in text(response)
    assert count(ServiceCall) == 1


APPLY = {"plan": PLAN, "budget": BUDGET, "milestones": MILESTONES}


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("social_org", 200),
        ("agent2", 200),
        ("resident", 403),
        ("staff", 403),
        ("street_staff", 403),
        ("expert_panel", 403),
        ("agent_far", 404),
        ("outsider", 404),
    ],
)
def test_who_may_apply(as_, pw, key, status):
    assert as_(key).get(f"/procurement/calls/{pw.call.id}/apply").status_code == status
    org = pw.org2 if key == "agent2" else pw.org
    response = as_(key).post(f"/procurement/calls/{pw.call.id}/apply", data={**APPLY, "organisation_id": org.id})
    assert response.status_code == (302 if status == 200 else status)
    assert count(Application) == (1 if status == 200 else 0)


def test_an_agent_cannot_apply_for_another_organisation(as_, pw):
    response = as_("agent2").post(
        f"/procurement/calls/{pw.call.id}/apply", data={**APPLY, "organisation_id": pw.org.id}
    )
    assert response.status_code == 403
    assert count(Application) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"budget": "餐费 | 200000.01"}, "The budget totals ¥200,000.01, above the call"),
        ({"budget": "餐费 | -1"}, "An amount cannot be negative."),
        ({"budget": "餐费 | 0"}, "Line 1: an amount is more than 0."),
        ({"budget": ""}, "One budget line per line"),
        ({"milestones": "开餐 | 午餐 | 2027-03-31 | 1/2"}, "The payment shares must sum to 1; they sum to 1/2."),
        ({"milestones": "开餐 | 午餐 | 2027-13-31 | 1"}, "Line 1: a date is written 2027-03-31."),
        ({"milestones": "开餐 | 午餐 | 1"}, "Line 1: One milestone per line"),
        ({"plan": "太短"}, "Describe the plan in 20 to 10000 characters."),
        ({"organisation_id": "abc"}, "Only an agent of a verified organisation"),
    ],
)
def test_bad_applications_are_refused(as_, pw, changes, message):
    data = {**APPLY, "organisation_id": pw.org.id, **changes}
    response = as_("social_org").post(f"/procurement/calls/{pw.call.id}/apply", data=data)
    assert response.status_code in (400, 403)
    assert message in text(response), errors(text(response))
    assert count(Application) == 0


def test_an_expired_qualification_is_refused_by_name(as_, pw):
    pw.org.qualifications[0].expires_on = date(2020, 1, 1)
    db.session.commit()
    response = as_("social_org").post(
        f"/procurement/calls/{pw.call.id}/apply", data={**APPLY, "organisation_id": pw.org.id}
    )
    assert response.status_code == 400
    assert "雨花睦邻社工服务中心 holds no qualification valid today" in text(response)
    assert count(Application) == 0


def test_editing_is_for_the_own_agent_until_the_deadline(as_, pw):
    application = applied(pw)
    url = f"/procurement/applications/{application.id}/edit"
    assert as_("agent2").get(url).status_code == 404
    assert as_("staff").get(url).status_code == 403
    assert "餐费补贴 | 60000.00" in text(as_("social_org").get(url))
    changed = {**APPLY, "budget": "餐费补贴 | 1000"}
    assert as_("social_org").post(url, data=changed).status_code == 302
    db.session.expire_all()
    assert application.total_fen == 100_000
    close_applications(pw.call)
    late = as_("social_org").post(url, data=APPLY)
    assert late.status_code == 400 and "The deadline has passed" in text(late)
    db.session.expire_all()
    assert application.total_fen == 100_000


def score_data(pw, a, b):
    c1, c2 = pw.call.criteria
    return {f"c{c1.id}": a, f"c{c2.id}": b}


def test_scoring_per_role(as_, pw):
    application = applied(pw)
    close_applications(pw.call)
    url = f"/procurement/applications/{application.id}"
    assert as_("expert_panel").post(f"{url}/declare", data={"note": ""}).status_code == 302
    assert as_("expert_panel").post(f"{url}/score", data=score_data(pw, "80", "70")).status_code == 302
    # conflicted: declared, then refused with the message
    declared = as_("expert_conflicted").post(f"{url}/declare", data={"conflicted": "y", "note": "曾任该机构理事"})
    assert declared.status_code == 302
    refused = as_("expert_conflicted").post(f"{url}/score", data=score_data(pw, "10", "10"))
    assert refused.status_code == 403
    assert "You declared a conflict of interest with this application" in text(refused)
    for key, status in [("social_org", 403), ("staff", 403), ("street_staff", 403), ("expert_off", 404)]:
        assert as_(key).post(f"{url}/score", data=score_data(pw, "1", "1")).status_code == status
        assert as_(key).post(f"{url}/declare", data={"note": ""}).status_code == status
    assert count(ScoreSheet) == 2
    assert services.combined(application).score == Fraction(76)


def test_scoring_after_its_end_per_role(as_, pw):
    """The panel is told the scoring is over (409, with its day) and shown so instead of the forms; others are
    refused as before."""
    application = applied(pw)
    close_applications(pw.call)
    scored(pw, application)  # the first expert scored in time
    end_scoring(pw.call)
    day = last_day(pw.call.scoring_ends).isoformat()
    url = f"/procurement/applications/{application.id}"
    message = f"The panel's scoring ended on {day}: declarations and scores are no longer taken."
    for key in ("expert_panel", "expert_conflicted"):
        refused = as_(key).post(f"{url}/declare", data={"note": ""})
        assert refused.status_code == 409 and message in unescape(text(refused)), errors(text(refused))
        refused = as_(key).post(f"{url}/score", data=score_data(pw, "10", "10"))
        assert refused.status_code == 409 and message in unescape(text(refused))
        page = unescape(text(as_(key).get(url)))
        assert message in page and f"{url}/declare" not in page and f"{url}/score" not in page
    for key, status in [("social_org", 403), ("staff", 403), ("street_staff", 403), ("expert_off", 404)]:
        assert as_(key).post(f"{url}/declare", data={"note": ""}).status_code == status
        assert message not in unescape(text(as_(key).get(url)))
    assert count(ScoreSheet) == 1


def test_an_award_before_the_scoring_ends_waits_for_the_panel(as_, pw):
    application = applied(pw)
    close_applications(pw.call)
    scored(pw, application)  # the second expert has not
    day = last_day(pw.call.scoring_ends).isoformat()
    url = f"/procurement/calls/{pw.call.id}/award"
    response = as_("staff").post(url, data={"application_id": application.id})
    assert response.status_code == 409
    assert f"The panel scores until {day}: award after that day" in text(response), errors(text(response))
    db.session.expire_all()
    assert pw.call.award is None
    end_scoring(pw.call)
    assert as_("staff").post(url, data={"application_id": application.id}).status_code == 302


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [("101", "50", "Score 服务方案 with a whole number from 0 to 100."), ("abc", "50", "Enter a whole number")],
)
def test_bad_scores_are_refused(as_, pw, a, b, message):
    application = applied(pw)
    close_applications(pw.call)
    url = f"/procurement/applications/{application.id}"
    as_("expert_panel").post(f"{url}/declare", data={"note": ""})
    response = as_("expert_panel").post(f"{url}/score", data=score_data(pw, a, b))
    assert response.status_code == 400 and message in text(response)
    db.session.expire_all()
    assert services.sheet_of(application, pw.users["expert_panel"].id).submitted_at is None


def test_a_conflict_needs_a_note(as_, pw):
    application = applied(pw)
    response = as_("expert_panel").post(f"/procurement/applications/{application.id}/declare", data={"conflicted": "y"})
    assert response.status_code == 400 and "Say what the conflict of interest is." in text(response)
    assert count(ScoreSheet) == 0


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("staff", 302),
        ("street_staff", 302),
        ("district_staff", 403),
        ("resident", 403),
        ("expert_panel", 403),
        ("social_org", 403),
        ("far_street_staff", 404),
    ],
)
def test_who_may_award(as_, pw, key, status):
    application = applied(pw)
    close_applications(pw.call)
    scored(pw, application)
    end_scoring(pw.call)
    response = as_(key).post(f"/procurement/calls/{pw.call.id}/award", data={"application_id": application.id})
    assert response.status_code == status
    db.session.expire_all()
    assert (pw.call.award is not None) == (status == 302)


def test_award_refusals_over_http(as_, pw):
    a1 = applied(pw)
    a2 = applied(pw, "agent2", pw.org2)
    close_applications(pw.call)
    scored(pw, a1, a=90, b=90)
    scored(pw, a2, a=50, b=50)
    end_scoring(pw.call)
    url = f"/procurement/calls/{pw.call.id}/award"
    response = as_("staff").post(url, data={"application_id": a2.id})
    assert response.status_code == 400 and "This is not the top score" in text(response)
    pw.org.qualifications[0].expires_on = date(2025, 6, 30)
    db.session.commit()
    response = as_("staff").post(url, data={"application_id": a1.id})
    assert response.status_code == 400
    assert "qualification expired on 2025-06-30: it may not be awarded." in text(response), errors(text(response))
    assert as_("staff").post(url, data={"application_id": "999999"}).status_code == 400
    db.session.expire_all()
    assert pw.call.award is None


def test_contract_and_milestone_pages_per_role(as_, pw):
    contract = awarded(pw)
    milestone = contract.milestones[0]
    for key in CALL_READERS:
        assert as_(key).get(f"/procurement/contracts/{contract.id}").status_code == 200
        assert as_(key).get(f"/procurement/milestones/{milestone.id}").status_code == 200
    for key in CALL_STRANGERS:
        assert as_(key).get(f"/procurement/contracts/{contract.id}").status_code == 404
        assert as_(key).get(f"/procurement/milestones/{milestone.id}").status_code == 404


def test_progress_is_posted_by_the_organisation(as_, pw):
    contract = awarded(pw)
    url = f"/procurement/contracts/{contract.id}/progress"
    for key, status in [("agent2", 403), ("staff", 403), ("resident", 403), ("outsider", 404)]:
        assert as_(key).post(url, data={"client_id": "p1", "body": "本周开餐"}).status_code == status
    assert as_("social_org").post(url, data={"client_id": "p1", "body": "x"}).status_code == 400
    assert as_("social_org").post(url, data={"client_id": "p1", "body": "本周开餐，30位老人就餐"}).status_code == 302
    assert as_("social_org").post(url, data={"client_id": "p1", "body": "本周开餐，30位老人就餐"}).status_code == 302
    db.session.expire_all()
    assert len(contract.posts) == 1
    assert "本周开餐，30位老人就餐" in text(as_("resident").get(f"/procurement/contracts/{contract.id}"))


def test_a_milestone_through_the_pages(as_, pw):
    contract = awarded(pw)
    milestone = contract.milestones[0]
    url = f"/procurement/milestones/{milestone.id}"
    refused = as_("social_org").post(f"{url}/submit", data={"report": "已开餐，每日30份"})
    assert refused.status_code == 400 and "Attach the evidence" in text(refused)
    evidence(milestone, pw.users["social_org"])
    assert as_("agent2").post(f"{url}/submit", data={"report": "已开餐，每日30份"}).status_code == 403
    assert as_("social_org").post(f"{url}/submit", data={"report": "已开餐，每日30份"}).status_code == 302
    early = as_("staff").post(f"{url}/pay", data={"amount": "1"})
    assert early.status_code == 400 and "not evaluated yet" in text(early)
    no_survey = as_("staff").post(f"{url}/sign-off", data={"note": "验收合格，资料齐全"})
    assert no_survey.status_code == 400 and "satisfaction with this milestone is not collected" in text(no_survey)
    edge(services.record_satisfaction, milestone, survey_id=None, responses=3, eligible=4, score=Fraction(4, 5))
    for key, status in [("social_org", 403), ("resident", 403), ("district_staff", 403), ("expert_off", 404)]:
        assert as_(key).post(f"{url}/sign-off", data={"note": "验收合格，资料齐全"}).status_code == status
    assert as_("expert_panel").post(f"{url}/sign-off", data={"note": "验收合格，资料齐全"}).status_code == 302
    for key, status in [("expert_panel", 403), ("social_org", 403), ("district_staff", 403)]:
        assert as_(key).post(f"{url}/pay", data={"amount": "1"}).status_code == status
    too_much = as_("staff").post(f"{url}/pay", data={"amount": "30000"})
    assert too_much.status_code == 400 and "pay no more" in text(too_much)
    assert as_("staff").post(f"{url}/pay", data={"amount": "-1"}).status_code == 400
    assert count(Payment) == 0
    amount = f"{milestone.amount_fen / 100:.2f}"
    assert as_("staff").post(f"{url}/pay", data={"amount": amount}).status_code == 302
    again = as_("staff").post(f"{url}/pay", data={"amount": "1"})
    assert again.status_code == 400 and "already been paid" in text(again)
    assert count(Payment) == 1
    db.session.expire_all()
    assert milestone.status == MilestoneStatus.PAID
    assert ledger.balance(contract).paid == milestone.amount_fen


def test_exports(as_, pw):
    contract = awarded(pw)
    milestone = contract.milestones[0]
    evidence(milestone, pw.users["social_org"])
    edge(services.submit_milestone, party(pw.users["social_org"], pw.call), milestone, report="已开餐，每日30份")
    edge(services.record_satisfaction, milestone, survey_id=None, responses=3, eligible=4, score=Fraction(4, 5))
    edge(services.sign_off, party(pw.users["staff"], pw.call), milestone, note="验收合格，资料齐全")
    edge(ledger.release, party(pw.users["staff"], pw.call), milestone, milestone.amount_fen)
    csv = as_("resident").get("/c/cuizhuyuan/procurement/awards.csv")
    assert csv.status_code == 200 and "雨花睦邻社工服务中心" in csv.get_data().decode("utf-8-sig")
    assert "76" in csv.get_data().decode("utf-8-sig")
    xlsx = as_("street_staff").get("/c/cuizhuyuan/procurement/awards.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.cell(2, 2).value == "雨花睦邻社工服务中心"
    ledger_csv = as_("staff").get(f"/procurement/contracts/{contract.id}/ledger.csv").get_data().decode("utf-8-sig")
    assert str(milestone.amount_fen) in ledger_csv and "验收合格" in ledger_csv
    ledger_xlsx = as_("expert_panel").get(f"/procurement/contracts/{contract.id}/ledger.xlsx")
    assert load_workbook(io.BytesIO(ledger_xlsx.data)).active.cell(2, 3).value == milestone.amount_fen
    assert as_("outsider").get(f"/procurement/contracts/{contract.id}/ledger.csv").status_code == 404
    assert as_("outsider").get("/c/cuizhuyuan/procurement/awards.csv").status_code == 404


def test_pages_are_chinese_first(as_, pw):
    pw.users["resident"].locale = "zh_CN"
    db.session.commit()
    http = as_("resident")
    page = text(http.get(f"/procurement/calls/{pw.call.id}"))
    assert "评审标准" in page and "专家评审组" in page
