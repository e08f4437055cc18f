"""The experts' screening: who scores, the published criteria, one score set per expert per need changeable
until staff close the screening, the exact combined score, and no resident's name before the experts."""

from __future__ import annotations

from fractions import Fraction

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.needs import services
from app.needs.models import NeedScore, NeedStatus
from tests import factories as f

GRADES = {"urgency": "5", "households": "4", "feasibility": "3", "cost": "2", "reason": "独居老人多，迫切。"}


def _scores() -> int:
    return db.session.scalar(select(func.count()).select_from(NeedScore))


@pytest.fixture
def screened(world, people):
    need = f.need(world.community, world.users["resident"], title="老年人助餐", status=NeedStatus.SCREENING)
    db.session.commit()
    return need


def test_an_expert_of_the_street_scores_and_changes_the_scores(client, auth, people, screened):
    auth.login(people["street_expert"])
    page = client.get("/screening").get_data(as_text=True)
    assert "老年人助餐" in page and "Urgency" in page and "Waiting for your scores" in page
    page = client.get(f"/screening/needs/{screened.id}").get_data(as_text=True)
    assert "独居老人中午吃饭不方便" in page
    assert "resident" not in page  # the author's name is never shown to experts
    assert client.post(f"/screening/needs/{screened.id}", data=GRADES).status_code == 302
    assert client.post(f"/screening/needs/{screened.id}", data={**GRADES, "urgency": "4"}).status_code == 302
    rows = list(db.session.scalars(select(NeedScore)))
    assert len(rows) == 1 and rows[0].urgency == 4


def test_a_district_expert_scores_too(client, auth, world, screened):
    expert = f.user(name="district_expert")
    f.need_expert(expert, district_=world.community.street.district)
    db.session.commit()
    auth.login(expert)
    assert client.post(f"/screening/needs/{screened.id}", data=GRADES).status_code == 302
    assert _scores() == 1


@pytest.mark.parametrize("role", ["far_expert", "resident", "staff", "street_staff", "district_staff", "outsider"])
def test_others_neither_see_nor_score(client, auth, people, screened, role):
    auth.login(people[role])
    assert client.get(f"/screening/needs/{screened.id}").status_code == 404
    assert client.post(f"/screening/needs/{screened.id}", data=GRADES).status_code == 404
    assert _scores() == 0


def test_the_member_expert_without_appointment_is_no_expert(client, auth, world, screened):
    auth.login(world.users["expert"])  # holds Role.EXPERT in the community, but no appointment
    assert client.get("/screening").status_code == 404
    assert client.post(f"/screening/needs/{screened.id}", data=GRADES).status_code == 404


def test_a_need_not_before_the_experts_is_not_shown(client, auth, world, people):
    need = f.need(world.community, world.users["resident"])
    db.session.commit()
    auth.login(people["street_expert"])
    assert client.get(f"/screening/needs/{need.id}").status_code == 404


@pytest.mark.parametrize(
    ("field", "value"), [("urgency", "6"), ("cost", "0"), ("feasibility", "x"), ("reason", ""), ("reason", "a\x00")]
)
def test_bad_scores_are_refused(client, auth, people, screened, field, value):
    auth.login(people["street_expert"])
    assert client.post(f"/screening/needs/{screened.id}", data={**GRADES, field: value}).status_code == 400
    assert _scores() == 0


def test_service_refuses_out_of_range(app, people, screened):
    from app.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        services.score(people["street_expert"], screened, urgency=9, households=1, feasibility=1, cost=1, reason="ok")
    assert refused.value.field == "urgency"


def test_combined_score_is_the_exact_mean(app, people, world, screened):
    f.need_score(screened, people["street_expert"], grades=(5, 4, 3, 2))
    other = f.user(name="second")
    f.need_expert(other, street_=world.community.street)
    f.need_score(screened, other, grades=(4, 4, 4, 4))
    third = f.user(name="third")
    f.need_expert(third, street_=world.community.street)
    f.need_score(screened, third, grades=(4, 3, 3, 3))
    result = services.combined(screened)
    assert result.experts == 3
    assert result.means == {
        "urgency": Fraction(13, 3),
        "households": Fraction(11, 3),
        "feasibility": Fraction(10, 3),
        "cost": Fraction(3),
    }
    assert result.total == Fraction(13 + 11 + 10 + 9, 12)


def test_staff_close_the_screening_then_scores_are_final(client, auth, world, people, screened):
    auth.login(world.users["staff"])
    assert client.post(f"/needs/{screened.id}/close-screening").status_code == 409  # nobody scored yet
    f.need_score(screened, people["street_expert"])
    db.session.commit()
    assert client.post(f"/needs/{screened.id}/close-screening").status_code == 302
    page = client.get(f"/needs/{screened.id}").get_data(as_text=True)
    assert "street_expert" in page and "需求迫切，可行。" in page  # each expert's scores and reasons
    auth.logout()
    auth.login(people["street_expert"])
    response = client.post(f"/screening/needs/{screened.id}", data=GRADES)
    assert response.status_code in (403, 409)
    assert db.session.scalar(select(NeedScore.urgency)) == 4  # unchanged
