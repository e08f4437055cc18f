"""Service projects and organisations told what concerns them (app/flows/procurement_notices.py): a call to the
organisations whose areas match, the award to each applicant (won / not won) and as 公示 to the residents, a
milestone awaiting sign-off to staff and the panel, a payment to the organisation's agents, and, on the tick,
experts who have not scored and agents of an organisation whose qualification expires in 30 days, each once."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from sqlalchemy import select

from app.core.clock import local_today
from app.core.errors import DomainError
from app.core.models import utcnow
from app.extensions import db
from app.flows import procurement_notices as flow
from app.needs.models import Affected
from app.notifications import schedule
from app.notifications.models import Notification
from app.procurement import ledger, services
from tests.procurement import close_applications, edge, evidence, party
from tests.procurement.test_flow import _contract, _two_scored
from tests.procurement.test_routes import call_form


def told(kind: str, **where) -> dict[int, str]:
    """Who got a notification of `kind`: user id → its text."""
    db.session.expire_all()
    rows = db.session.scalars(select(Notification).where(Notification.kind == kind)).all()
    return {n.user_id: n.text for n in rows if all(getattr(n, k) == v for k, v in where.items())}


def ids(pw, *keys) -> set[int]:
    return {pw.users[k].id for k in keys}


def test_a_published_call_tells_the_organisations_whose_areas_match(as_, pw):
    pw.org2.service_areas = ["youth", "culture"]
    pw.item.affected = Affected.ELDERLY  # the fixture's organisation serves the elderly
    db.session.commit()
    assert as_("staff").post("/c/cuizhuyuan/procurement/new", data=call_form(pw)).status_code == 302
    got = told(flow.CALL_PUBLISHED)
    assert set(got) == ids(pw, "social_org")  # not agent2 (youth), nor the other district's agent
    assert "雨花睦邻社工服务中心 may apply" in got[pw.users["social_org"].id]


def test_an_item_for_everyone_tells_every_verified_organisation_of_the_district(as_, pw):
    assert as_("staff").post("/c/cuizhuyuan/procurement/new", data=call_form(pw)).status_code == 302
    assert set(told(flow.CALL_PUBLISHED)) == ids(pw, "social_org", "agent2")  # not agent_far: another district
    again = as_("staff").post("/c/cuizhuyuan/procurement/new", data=call_form(pw, client_id="other"))
    assert again.status_code == 302
    assert len(told(flow.CALL_PUBLISHED)) == 2 and _count(flow.CALL_PUBLISHED) == 4  # one per call each


def _count(kind: str) -> int:
    db.session.expire_all()
    return len(db.session.scalars(select(Notification.id).where(Notification.kind == kind)).all())


def test_a_refused_call_tells_nobody(as_, pw):
    response = as_("resident").post("/c/cuizhuyuan/procurement/new", data=call_form(pw))
    assert response.status_code == 403
    bad = as_("staff").post("/c/cuizhuyuan/procurement/new", data=call_form(pw, criteria="方案 | 1/2"))
    assert bad.status_code == 400
    assert _count(flow.CALL_PUBLISHED) == 0


def test_the_award_tells_the_winner_the_others_and_the_residents(app, pw):
    contract = _contract(pw)
    results = told(flow.AWARD_RESULT)
    assert set(results) == ids(pw, "social_org", "agent2")
    assert "your application won" in results[pw.users["social_org"].id]
    assert "绿邻环保公益协会 did not win" in results[pw.users["agent2"].id]
    notes = db.session.scalars(select(Notification).where(Notification.kind == flow.AWARD_RESULT)).all()
    assert {n.url for n in notes} == {f"/procurement/calls/{pw.call.id}"}
    publicity = told(flow.AWARD_PUBLICITY)
    assert ids(pw, "resident", "owner") <= set(publicity)
    assert not ids(pw, "staff", "expert_panel", "agent_far", "outsider") & set(publicity)
    assert contract.organisation.name in publicity[pw.users["resident"].id]


def test_a_refused_award_tells_nobody(app, pw):
    a1, _a2 = _two_scored(pw)
    pw.org.qualifications[0].expires_on = date(2021, 6, 30)
    db.session.commit()
    with pytest.raises(DomainError):
        edge(services.award, party(pw.users["staff"], pw.call), pw.call, a1, reason="")
    assert _count(flow.AWARD_RESULT) == 0 and _count(flow.AWARD_PUBLICITY) == 0


def _evaluated(pw):
    contract = _contract(pw)
    milestone = contract.milestones[0]
    evidence(milestone, pw.users["social_org"])
    edge(services.submit_milestone, party(pw.users["social_org"], pw.call), milestone, report="已开餐，每日30份")
    assert _count(flow.SIGN_OFF) == 0  # the residents are being asked: nothing to sign yet
    edge(services.record_satisfaction, milestone, survey_id=None, responses=3, eligible=4, score=Fraction(4, 5))
    return milestone


def test_a_milestone_awaiting_sign_off_tells_staff_and_the_panel(app, pw):
    milestone = _evaluated(pw)
    got = told(flow.SIGN_OFF)
    assert set(got) == ids(pw, "staff", "expert_panel", "expert_conflicted")
    assert not ids(pw, "social_org", "resident", "expert_off", "street_staff") & set(got)
    assert milestone.title in got[pw.users["expert_panel"].id]


def test_a_payment_tells_the_organisation_s_agents_only(app, pw):
    milestone = _evaluated(pw)
    edge(services.sign_off, party(pw.users["staff"], pw.call), milestone, note="验收合格，资料齐全")
    with pytest.raises(DomainError):  # beyond the milestone: refused, nobody told
        edge(ledger.release, party(pw.users["staff"], pw.call), milestone, milestone.amount_fen + 1)
    assert _count(flow.PAID) == 0
    edge(ledger.release, party(pw.users["staff"], pw.call), milestone, milestone.amount_fen)
    got = told(flow.PAID)
    assert set(got) == ids(pw, "social_org")
    assert "¥" in got[pw.users["social_org"].id] or "元" in got[pw.users["social_org"].id]


def _score_open(pw):
    """Two applications, applications closed, scoring ending tomorrow (Beijing day) at midnight."""
    from tests.procurement.test_flow import apply

    a1 = apply(pw, "social_org", pw.org)
    a2 = apply(pw, "agent2", pw.org2)
    close_applications(pw.call)
    now = utcnow()
    pw.call.scoring_ends = services.end_of_day(local_today(now) + timedelta(days=1))
    db.session.commit()
    return a1, a2, now


def test_scoring_reminders_reach_experts_who_have_not_scored_once(app, pw):
    from tests.procurement.test_flow import scored

    a1, a2, now = _score_open(pw)
    scored(pw, "expert_panel", a1, 90, 80)
    scored(pw, "expert_panel", a2, 60, 70)
    p = party(pw.users["expert_conflicted"], pw.call)
    edge(services.declare, p, a1, conflicted=True, note="曾在该机构任职")  # a1 is done; a2 is not
    assert schedule.tick(now)["procurement_scoring_due"] == 1
    assert set(told(flow.SCORING_DUE)) == ids(pw, "expert_conflicted")
    assert schedule.tick(now)["procurement_scoring_due"] == 0  # once


def test_no_reminder_two_days_before_the_end_nor_once_awarded(app, pw):
    a1, _a2, now = _score_open(pw)
    assert schedule.tick(now - timedelta(days=1))["procurement_scoring_due"] == 0
    assert _count(flow.SCORING_DUE) == 0
    from tests.procurement.test_flow import scored

    scored(pw, "expert_panel", a1, 90, 80)
    scored(pw, "expert_panel", _a2, 60, 70)
    for application in (a1, _a2):  # the panel is done: the call may be awarded before the scoring ends
        edge(services.declare, party(pw.users["expert_conflicted"], pw.call), application, conflicted=True, note="任职")
    edge(services.award, party(pw.users["staff"], pw.call), pw.call, a1, reason="")
    assert schedule.tick(now)["procurement_scoring_due"] == 0


def _expiring_in(pw, days: int, now) -> None:
    qualification = pw.org.qualifications[0]
    qualification.expires_on = local_today(now) + timedelta(days=days)
    db.session.commit()


def test_an_expiring_qualification_tells_the_agents_once(app, pw):
    now = utcnow()
    _expiring_in(pw, 31, now)
    assert schedule.tick(now)["org_qualifications_expiring"] == 0
    _expiring_in(pw, 30, now)
    assert schedule.tick(now)["org_qualifications_expiring"] == 1
    got = told(flow.QUALIFICATION_EXPIRING)
    assert set(got) == ids(pw, "social_org")  # not the other organisation's agent
    assert "雨花睦邻社工服务中心" in got[pw.users["social_org"].id]
    assert schedule.tick(now + timedelta(days=5))["org_qualifications_expiring"] == 0  # once


def test_an_expired_qualification_is_not_reminded(app, pw):
    now = utcnow()
    _expiring_in(pw, -1, now)
    assert schedule.tick(now)["org_qualifications_expiring"] == 0
