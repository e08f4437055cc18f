"""The use cases end to end, called as an edge would: apply, declare and score, combine exactly, award,
contract amounts by largest remainder, submit with evidence, satisfaction, sign-off, payment; and each
refusal's message with nothing stored."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from sqlalchemy import func, select

from app.core.clock import last_day
from app.core.errors import DomainError
from app.core.models import utcnow
from app.extensions import db
from app.orgs.models import OrgStatus
from app.procurement import ledger, queries, services, signals
from app.procurement.models import (
    Application,
    CallStatus,
    Contract,
    MilestoneStatus,
    Payment,
    ScoreSheet,
)
from app.procurement.services import parsing
from tests.procurement import BUDGET, MILESTONES, PLAN, close_applications, edge, end_scoring, evidence, party


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def apply(pw, key, org, budget=BUDGET, milestones=MILESTONES):
    p = party(pw.users[key], pw.call)
    return edge(services.apply, p, pw.call, org, plan=PLAN, budget=budget, milestones=milestones)


def scored(pw, key, application, a, b):
    p = party(pw.users[key], pw.call)
    edge(services.declare, p, application, conflicted=False, note="")
    c1, c2 = pw.call.criteria
    return edge(services.submit_scores, p, application, {c1.id: a, c2.id: b})


def test_largest_remainder_sums_to_the_total():
    thirds = [Fraction(1, 3)] * 3
    assert parsing.largest_remainder(100, thirds) == [34, 33, 33]
    assert parsing.largest_remainder(8_000_050, thirds) == [2_666_684, 2_666_683, 2_666_683]
    assert parsing.largest_remainder(7, [Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)]) == [3, 2, 2]
    assert sum(parsing.largest_remainder(999_999, [Fraction(1, 7)] * 7)) == 999_999


def test_weights_must_sum_to_one(app):
    with pytest.raises(DomainError) as err:
        parsing.criteria("方案 | 50%\n预算 | 40%")
    assert err.value.code == "weights_sum" and "9/10" in str(err.value.message)
    assert parsing.criteria("方案 | 3/5\n预算 | 0.4") == [("方案", Fraction(3, 5)), ("预算", Fraction(2, 5))]
    with pytest.raises(DomainError) as err:
        parsing.criteria("方案 50%")
    assert err.value.field == "criteria" and err.value.code == "bad_request"  # the line's number: test_routes


def test_one_application_per_organisation_and_the_ceiling(app, pw):
    first = apply(pw, "social_org", pw.org)
    again = apply(pw, "social_org", pw.org, budget="别的 | 1")
    assert again.id == first.id and first.total_fen == 8_000_050
    assert count(Application) == 1
    with pytest.raises(DomainError) as err:
        apply(pw, "agent2", pw.org2, budget="餐费 | 200001")
    assert err.value.code == "over_ceiling" and err.value.field == "budget"
    with pytest.raises(DomainError) as err:
        apply(pw, "agent2", pw.org2, milestones="开餐 | 午餐 | 2027-03-31 | 1/2")
    assert err.value.code == "shares_sum"
    with pytest.raises(DomainError) as err:  # acting for another organisation
        apply(pw, "agent2", pw.org)
    assert err.value.status_code == 403
    assert count(Application) == 1


def test_an_expired_qualification_may_not_apply_nor_after_the_deadline(app, pw):
    pw.org2.qualifications[0].expires_on = date(2020, 1, 1)
    db.session.commit()
    with pytest.raises(DomainError) as err:
        apply(pw, "agent2", pw.org2)
    assert err.value.code == "not_qualified" and "绿邻环保公益协会" in str(err.value.message)
    close_applications(pw.call)
    with pytest.raises(DomainError) as err:
        apply(pw, "social_org", pw.org)
    assert err.value.code == "deadline_passed"
    assert count(Application) == 0


def test_editing_until_the_deadline(app, pw):
    application = apply(pw, "social_org", pw.org)
    p = party(pw.users["social_org"], pw.call)
    edge(services.edit, p, application, plan=PLAN, budget="餐费补贴 | 50000", milestones="全部 | 一年 | 2027-12-31 | 1")
    assert application.total_fen == 5_000_000 and len(application.milestones) == 1
    close_applications(pw.call)
    with pytest.raises(DomainError) as err:
        edge(services.edit, p, application, plan=PLAN, budget=BUDGET, milestones=MILESTONES)
    assert err.value.code == "deadline_passed"
    db.session.expire_all()
    assert application.total_fen == 5_000_000


def test_scores_combine_exactly_without_the_conflicted_expert(app, pw):
    a1 = apply(pw, "social_org", pw.org)
    p = party(pw.users["expert_panel"], pw.call)
    c1, c2 = pw.call.criteria
    edge(services.declare, p, a1, conflicted=False, note="")
    with pytest.raises(DomainError) as err:  # not before the deadline
        edge(services.submit_scores, p, a1, {c1.id: 80, c2.id: 70})
    assert err.value.code == "not_yet"
    close_applications(pw.call)
    scored(pw, "expert_panel", a1, 80, 70)
    conflicted = party(pw.users["expert_conflicted"], pw.call)
    with pytest.raises(DomainError) as err:
        edge(services.declare, conflicted, a1, conflicted=True, note="")
    assert err.value.field == "note"
    edge(services.declare, conflicted, a1, conflicted=True, note="我曾在该机构任职")
    with pytest.raises(DomainError) as err:
        edge(services.submit_scores, conflicted, a1, {c1.id: 0, c2.id: 0})
    assert err.value.code == "conflicted" and err.value.status_code == 403
    with pytest.raises(DomainError) as err:  # a second submission
        edge(services.submit_scores, p, a1, {c1.id: 100, c2.id: 100})
    assert err.value.code == "already_scored"
    combined = services.combined(a1)
    # 3/5 × 80 + 2/5 × 70 = 48 + 28 = 76: the conflicted expert's sheet is not counted
    assert combined.score == Fraction(76) and combined.experts == 1
    assert count(ScoreSheet) == 2


def test_an_expert_sees_others_scores_only_after_submitting(app, pw):
    a1 = apply(pw, "social_org", pw.org)
    close_applications(pw.call)
    scored(pw, "expert_panel", a1, 90, 90)
    other = party(pw.users["expert_conflicted"], pw.call)
    assert services.visible_sheets(other, a1) == []
    scored(pw, "expert_conflicted", a1, 60, 61)
    assert len(services.visible_sheets(other, a1)) == 2
    assert services.combined(a1).score == Fraction(3, 5) * 75 + Fraction(2, 5) * Fraction(151, 2)
    assert len(services.visible_sheets(party(pw.users["staff"], pw.call), a1)) == 2
    assert services.visible_sheets(party(pw.users["social_org"], pw.call), a1) == []


def _two_scored(pw):
    a1 = apply(pw, "social_org", pw.org)
    a2 = apply(pw, "agent2", pw.org2)
    close_applications(pw.call)
    scored(pw, "expert_panel", a1, 90, 80)
    scored(pw, "expert_panel", a2, 60, 70)
    end_scoring(pw.call)  # the other expert never scored: the window is over, the call may be awarded
    return a1, a2


def test_award_rules(app, pw):
    a1, a2 = _two_scored(pw)
    staff = party(pw.users["staff"], pw.call)
    with pytest.raises(DomainError) as err:  # not the top score, no reason
        edge(services.award, staff, pw.call, a2, reason="")
    assert err.value.code == "reason_needed" and err.value.field == "reason"
    pw.org.qualifications[0].expires_on = date(2021, 6, 30)
    db.session.commit()
    with pytest.raises(DomainError) as err:
        edge(services.award, staff, pw.call, a1, reason="")
    assert err.value.code == "qualification_expired"
    assert "雨花睦邻社工服务中心" in str(err.value.message) and "2021-06-30" in str(err.value.message)
    pw.org.qualifications[0].expires_on = date(2099, 1, 1)
    pw.org.status = OrgStatus.SUSPENDED
    db.session.commit()
    with pytest.raises(DomainError) as err:
        edge(services.award, staff, pw.call, a1, reason="")
    assert err.value.code == "suspended"
    with pytest.raises(DomainError) as err:
        edge(services.award, party(pw.users["resident"], pw.call), pw.call, a2, reason="x")
    assert err.value.status_code == 403
    assert count(Contract) == 0 and pw.call.status == CallStatus.OPEN
    pw.org.status = OrgStatus.VERIFIED
    db.session.commit()
    contract = edge(services.award, staff, pw.call, a1, reason="")
    assert pw.call.status == CallStatus.AWARDED and contract.total_fen == 8_000_050
    assert [m.amount_fen for m in contract.milestones] == [2_666_684, 2_666_683, 2_666_683]
    assert sum(m.amount_fen for m in contract.milestones) == contract.total_fen
    with pytest.raises(DomainError):  # once
        edge(services.award, staff, pw.call, a2, reason="再次")


def test_the_scoring_window_decides_when_the_panel_scores_and_the_call_is_awarded(app, pw):
    """Before the scoring ends, the award waits for the whole panel (each expert scored or declared a conflict
    for every application); after it, experts no longer declare nor score, and the call may be awarded."""
    a1 = apply(pw, "social_org", pw.org)
    a2 = apply(pw, "agent2", pw.org2)
    close_applications(pw.call)
    scored(pw, "expert_panel", a1, 90, 80)
    staff = party(pw.users["staff"], pw.call)
    day = last_day(pw.call.scoring_ends).isoformat()
    with pytest.raises(DomainError) as err:
        edge(services.award, staff, pw.call, a1, reason="")
    assert err.value.code == "scoring_open" and err.value.status_code == 409 and day in str(err.value.message)
    scored(pw, "expert_panel", a2, 60, 70)
    conflicted = party(pw.users["expert_conflicted"], pw.call)
    edge(services.declare, conflicted, a1, conflicted=True, note="我曾在该机构任职")
    assert not services.panel_finished(pw.call)  # a2 still waits for the second expert
    with pytest.raises(DomainError) as err:
        edge(services.award, staff, pw.call, a1, reason="")
    assert err.value.code == "scoring_open"
    assert count(Contract) == 0 and pw.call.status == CallStatus.OPEN
    sheets = count(ScoreSheet)
    end_scoring(pw.call)
    day = last_day(pw.call.scoring_ends).isoformat()
    c1, c2 = pw.call.criteria
    for use_case, args in (
        (services.declare, {"conflicted": False, "note": ""}),
        (services.submit_scores, {"points": {c1.id: 50, c2.id: 50}}),
    ):
        with pytest.raises(DomainError) as err:
            edge(use_case, conflicted, a2, **args)
        assert err.value.code == "scoring_ended" and err.value.status_code == 409 and day in str(err.value.message)
    with pytest.raises(DomainError) as err:  # someone off the panel is still told they are not on it
        edge(services.declare, party(pw.users["expert_off"], pw.call), a2, conflicted=False, note="")
    assert err.value.status_code == 403
    assert count(ScoreSheet) == sheets
    contract = edge(services.award, staff, pw.call, a1, reason="")
    assert contract.application_id == a1.id


def test_the_whole_panel_done_the_call_is_awarded_before_the_scoring_ends(app, pw):
    a1 = apply(pw, "social_org", pw.org)
    close_applications(pw.call)
    scored(pw, "expert_panel", a1, 90, 80)
    edge(services.declare, party(pw.users["expert_conflicted"], pw.call), a1, conflicted=True, note="亲属")
    assert services.panel_finished(pw.call) and not pw.call.scoring_ended_on(utcnow())
    contract = edge(services.award, party(pw.users["staff"], pw.call), pw.call, a1, reason="")
    assert contract.application_id == a1.id and pw.call.status == CallStatus.AWARDED


def test_another_application_with_a_reason(app, pw):
    _a1, a2 = _two_scored(pw)
    contract = edge(services.award, party(pw.users["staff"], pw.call), pw.call, a2, reason="第一名放弃")
    assert contract.organisation_id == pw.org2.id and pw.call.award.reason == "第一名放弃"


def _contract(pw):
    a1, _a2 = _two_scored(pw)
    return edge(services.award, party(pw.users["staff"], pw.call), pw.call, a1, reason="")


def test_a_milestone_from_evidence_to_payment(app, pw):
    contract = _contract(pw)
    first = contract.milestones[0]
    agent = party(pw.users["social_org"], pw.call)
    staff = party(pw.users["staff"], pw.call)
    sent = []

    def receiver(milestone):
        sent.append(milestone)

    signals.milestone_submitted.connect(receiver, weak=False)
    try:
        with pytest.raises(DomainError) as err:
            edge(services.submit_milestone, agent, first, report="已开餐，每日30份")
        assert err.value.code == "no_evidence" and sent == []
        with pytest.raises(DomainError) as err:  # another organisation's agent
            edge(services.submit_milestone, party(pw.users["agent2"], pw.call), first, report="已开餐，每日30份")
        assert err.value.status_code == 403
        evidence(first, pw.users["social_org"])
        edge(services.submit_milestone, agent, first, report="已开餐，每日30份")
        assert sent == [first] and first.status == MilestoneStatus.SUBMITTED
    finally:
        signals.milestone_submitted.disconnect(receiver)
    with pytest.raises(DomainError) as err:  # a payment before its evaluation
        edge(ledger.release, staff, first, first.amount_fen)
    assert err.value.code == "not_evaluated"
    with pytest.raises(DomainError) as err:  # no satisfaction yet
        edge(services.sign_off, staff, first, note="验收合格，资料齐全")
    assert err.value.code == "no_satisfaction"
    edge(services.record_satisfaction, first, survey_id=None, responses=40, eligible=50, score=Fraction(17, 20))
    with pytest.raises(DomainError):
        edge(services.record_satisfaction, first, survey_id=None, responses=1, eligible=50, score=Fraction(1))
    with pytest.raises(DomainError) as err:  # the organisation does not sign itself off
        edge(services.sign_off, agent, first, note="验收合格，资料齐全")
    assert err.value.status_code == 403
    evaluation = edge(services.sign_off, party(pw.users["expert_panel"], pw.call), first, note="验收合格，资料齐全")
    with pytest.raises(DomainError) as err:  # an expert signs off, staff pay
        edge(ledger.release, party(pw.users["expert_panel"], pw.call), first, 1)
    assert err.value.status_code == 403
    with pytest.raises(DomainError) as err:
        edge(ledger.release, staff, first, first.amount_fen + 1)
    assert err.value.code == "over_milestone"
    payment = edge(ledger.release, staff, first, first.amount_fen)
    assert payment.evaluation_id == evaluation.id and first.status == MilestoneStatus.PAID
    with pytest.raises(DomainError) as err:
        edge(ledger.release, staff, first, 1)
    assert err.value.code == "already_paid"
    assert count(Payment) == 1 and ledger.balance(contract).paid == first.amount_fen
    projects = queries.org_projects(pw.org)
    assert projects[0].paid_fen == first.amount_fen and projects[0].evaluated_score == Fraction(17, 20)
    assert projects[0].status == "under_way" and queries.org_projects(pw.org2) == []


def test_a_refused_payment_leaves_nothing(app, pw):
    contract = _contract(pw)
    milestone = contract.milestones[1]
    with pytest.raises(DomainError):
        edge(ledger.release, party(pw.users["staff"], pw.call), milestone, milestone.amount_fen)
    assert count(Payment) == 0
    db.session.expire_all()
    assert milestone.status == MilestoneStatus.PENDING


def test_award_counts_a_qualification_by_the_local_date(app, pw, monkeypatch):
    """A qualification that expired on the UTC date's day is over once it is tomorrow in Shanghai (UTC+8)."""
    a1, _a2 = _two_scored(pw)
    real = utcnow()
    evening = real if real.hour >= 16 else real.replace(hour=20, minute=0)  # 04:00 or later the next local day
    pw.org.qualifications[0].expires_on = evening.date()
    db.session.commit()
    monkeypatch.setattr("app.core.models.utcnow", lambda: evening)
    with pytest.raises(DomainError) as err:
        edge(services.award, party(pw.users["staff"], pw.call), pw.call, a1, reason="")
    assert err.value.code == "qualification_expired"
