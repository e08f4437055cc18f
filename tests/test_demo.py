"""The demo community loads once, with an account for every role."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User
from app.communities.models import Community, Household, Membership, MembershipStatus, OfficeAssignment, Role
from app.extensions import db
from tests.contests import viewer


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model)) for model in (User, Community, Household, Membership)
    )


def test_demo_loads_once_with_every_role(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["yishi", "demo"])
    assert result.exit_code == 0, result.output
    assert "13800000001" in result.output and "password" in result.output
    first = _counts()
    result = runner.invoke(args=["yishi", "demo"])
    assert "already present" in result.output
    assert _counts() == first

    roles = {r.role for m in db.session.scalars(select(Membership)) for r in m.roles}
    assert roles == set(Role)
    assert db.session.scalar(select(func.count()).select_from(OfficeAssignment)) == 2
    pending = db.session.scalars(select(Membership).where(Membership.status == MembershipStatus.PENDING)).all()
    assert len(pending) == 1
    community = db.session.scalar(select(Community).where(Community.slug == "cuizhuyuan"))
    assert community.name == "翠竹园社区" and len(community.buildings) == 4
    households = db.session.scalars(select(Household).where(Household.community_id == community.id)).all()
    assert len(households) == 96
    assert any(len(h.owners) == 2 for h in households)  # a co-owned unit
    assert any(h.developer_unsold for h in households)


def test_demo_accounts_log_in(app, client):
    app.test_cli_runner().invoke(args=["yishi", "demo"])
    response = client.post("/account/login", data={"phone": "13800000008", "password": app.config["DEMO_PASSWORD"]})
    assert response.status_code == 302
    assert client.get("/c/cuizhuyuan/verifications").status_code == 200


def test_demo_owners_decision_is_open_and_the_demo_owner_can_vote(app):
    from app.decisions import services as decisions
    from app.decisions.models import Decision, DecisionState

    app.test_cli_runner().invoke(args=["yishi", "demo"])
    decision = db.session.scalar(select(Decision))
    assert decision.state == DecisionState.VOTING and decision.matter == 5
    roll = decisions.roll_of(decision)
    # 96 units: the co-owned unit once, 林德明's two units once, the two unsold developer units once
    assert decision.roll_heads == len(roll) == 94
    assert next(e for e in roll if e.name == "林德明").area == 2 * (12035 + 100)  # 1栋1-302 and 1-402
    assert decision.roll_area == sum(h.area_centi_m2 for h in db.session.scalars(select(Household).where(
        Household.community_id == decision.community_id)))  # fmt: skip
    assert decisions.unsettled_paper(decision) == 1
    zhang = db.session.scalar(select(User).where(User.phone == "13800000002"))
    ballot = decisions.vote(viewer(zhang, decision), decision, "agree")
    assert ballot.weight_heads == 1 and ballot.weight_area == 8950 + 100


def test_demo_has_a_closed_street_wide_campaign_with_results(app):
    """梅山街道's street-wide campaign: closed, its community part answered, its results page showing them to the
    street's officer (and to nobody outside the street)."""
    from app.satisfaction import street as street_campaigns
    from app.satisfaction.models import CampaignState, StreetCampaign
    from tests.home import client_of, demo, demo_user

    demo(app)
    made = db.session.scalars(select(StreetCampaign)).all()
    assert len(made) == 1
    campaign = made[0]
    assert campaign.street.name == "梅山街道"
    assert street_campaigns.state_of(campaign) == CampaignState.CLOSED
    (row,) = street_campaigns.results(campaign)
    assert row.label == "雨花睦邻社工服务中心"
    assert row.together is not None and row.together.responses == 24 and row.together.score is not None
    page = client_of(app, demo_user("13800000011"), "zh-CN").get(f"/satisfaction/street/{campaign.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "2026年梅山街道社会组织服务统一测评" in html and "雨花睦邻社工服务中心" in html and "24" in html
    assert client_of(app, demo_user("13800000001")).get(f"/satisfaction/street/{campaign.id}").status_code == 404
    app.test_cli_runner().invoke(args=["yishi", "demo"])  # a second run adds no campaign
    assert db.session.scalar(select(func.count()).select_from(StreetCampaign)) == 1
