"""The home's "需要您处理" for service projects: a panel expert's applications to score, staff's milestones to
evaluate (once residents' satisfaction is in) and to pay; nothing for others."""

from __future__ import annotations

from fractions import Fraction

from app.communities import access
from app.extensions import db
from app.procurement import queries, services
from tests.procurement import close_applications, edge, end_scoring, evidence, party
from tests.procurement.test_routes import applied, awarded, scored


def viewer(pw, key):
    return access.viewer(pw.users[key], pw.world.community)


def test_an_expert_is_asked_to_score_after_the_deadline(app, pw):
    application = applied(pw)
    assert queries.scoring_waiting(viewer(pw, "expert_panel")) == []  # applications still open
    close_applications(pw.call)
    assert queries.scoring_waiting(viewer(pw, "expert_panel")) == [pw.call]
    assert queries.scoring_waiting(viewer(pw, "expert_off")) == []
    assert queries.scoring_waiting(viewer(pw, "resident")) == []
    scored(pw, application)
    assert queries.scoring_waiting(viewer(pw, "expert_panel")) == []
    edge(services.declare, party(pw.users["expert_conflicted"], pw.call), application, conflicted=True, note="亲属")
    assert queries.scoring_waiting(viewer(pw, "expert_conflicted")) == []


def test_an_expert_is_no_longer_asked_once_the_scoring_ends(app, pw):
    applied(pw)
    close_applications(pw.call)
    assert queries.scoring_waiting(viewer(pw, "expert_panel")) == [pw.call]
    end_scoring(pw.call)
    assert queries.scoring_waiting(viewer(pw, "expert_panel")) == []


def test_staff_are_asked_to_evaluate_then_pay(app, pw, as_):
    contract = awarded(pw)
    milestone = contract.milestones[0]
    evidence(milestone, pw.users["social_org"])
    edge(services.submit_milestone, party(pw.users["social_org"], pw.call), milestone, report="已开餐，每日30份")
    assert queries.milestones_to_act_on(viewer(pw, "staff")) == []  # residents are being asked first
    edge(services.record_satisfaction, milestone, survey_id=None, responses=3, eligible=4, score=Fraction(3, 4))
    assert queries.milestones_to_act_on(viewer(pw, "staff")) == [milestone]
    assert queries.milestones_to_act_on(viewer(pw, "street_staff")) == [milestone]
    assert queries.milestones_to_act_on(viewer(pw, "resident")) == []
    assert queries.milestones_to_act_on(viewer(pw, "social_org")) == []
    page = as_("staff").get("/c/cuizhuyuan/").get_data(as_text=True)
    assert "Evaluate the milestone “开餐”" in page
    edge(services.sign_off, party(pw.users["staff"], pw.call), milestone, note="验收合格，资料齐全")
    db.session.expire_all()
    assert "Release the payment of the milestone “开餐”" in as_("staff").get("/c/cuizhuyuan/").get_data(as_text=True)
    assert "Release the payment" not in as_("resident").get("/c/cuizhuyuan/").get_data(as_text=True)
