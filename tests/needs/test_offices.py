"""Street and district staff: naming experts for their street or district and ending appointments, and the
aggregated needs of their communities (counts and titles only). Per role, allowed and denied."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.communities.models import ExpertAppointment
from app.extensions import db
from app.needs.models import NeedStatus, NeedSupport
from tests import factories as f


def _appointments(user_id):
    return list(db.session.scalars(select(ExpertAppointment).where(ExpertAppointment.user_id == user_id)))


def test_street_staff_name_an_expert_for_their_street(client, auth, world, people):
    candidate = f.user(name="周文博", phone="13800000010")
    db.session.commit()
    auth.login(world.users["street_staff"])
    page = client.get("/experts").get_data(as_text=True)
    assert "梅山街道" in page and "雨花台区" not in page
    street = world.community.street
    data = {"scope": f"street-{street.id}", "phone": "13800000010", "field": "养老"}
    assert client.post("/experts", data=data).status_code == 302
    assert client.post("/experts", data=data).status_code == 302  # named again: the same appointment
    [appointment] = _appointments(candidate.id)
    assert appointment.street_id == street.id and appointment.field == "养老"
    assert client.post(f"/experts/{appointment.id}/end").status_code == 302
    db.session.refresh(appointment)
    assert appointment.ended_at is not None


def test_district_staff_name_for_the_district(client, auth, world, people):
    candidate = f.user(name="cand")
    db.session.commit()
    auth.login(world.users["district_staff"])
    district = world.community.street.district
    data = {"scope": f"district-{district.id}", "phone": candidate.phone, "field": ""}
    assert client.post("/experts", data=data).status_code == 302
    [appointment] = _appointments(candidate.id)
    assert appointment.district_id == district.id and appointment.street_id is None
    # the district's staff see the street's appointments too
    assert "street_expert" in client.get("/experts").get_data(as_text=True)


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"phone": "123"}, "Enter an 11-digit mobile number."),
        ({"phone": "13999999999"}, "No account has this number"),
        ({"scope": "street-999"}, "Choose the street or district you name experts for."),
        ({"scope": "district-1"}, "Choose the street or district you name experts for."),
    ],
)
def test_bad_appointments_are_refused(client, auth, world, people, over, message):
    auth.login(world.users["street_staff"])
    before = db.session.query(ExpertAppointment).count()
    data = {"scope": f"street-{world.community.street.id}", "phone": people["resident"].phone, "field": "", **over}
    response = client.post("/experts", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.query(ExpertAppointment).count() == before


def test_another_streets_staff_may_not_end_this_streets_appointment(client, auth, world, people):
    appointment = _appointments(people["street_expert"].id)[0]
    auth.login(people["far_street_staff"])
    assert client.post(f"/experts/{appointment.id}/end").status_code == 403
    response = client.post("/experts", data={"scope": f"street-{world.community.street.id}", "phone": "13900000001"})
    assert response.status_code == 400
    db.session.refresh(appointment)
    assert appointment.ended_at is None


@pytest.mark.parametrize("role", ["resident", "staff", "social_org", "street_expert", "outsider"])
def test_no_office_no_experts_page(client, auth, people, role):
    appointment = _appointments(people["street_expert"].id)[0]
    auth.login(people[role])
    assert client.get("/experts").status_code == 404
    assert client.post(f"/experts/{appointment.id}/end").status_code == 404
    assert client.get("/overview/needs").status_code == 404


def test_street_staff_see_their_communities_counts_without_names(client, auth, world, people):
    need = f.need(world.community, world.users["resident"], title="老年人助餐")
    f.need(world.community, world.users["owner"], title="儿童托管", affected="youth", status=NeedStatus.DECLINED)
    f.need(world.other, world.users["other_resident"], title="南塘路灯")
    f.need(world.far, None, title="远方需求")
    db.session.add(NeedSupport(need_id=need.id, household_id=world.households["b101"].id))
    world.users["resident"].name, world.users["owner"].name = "甲居民", "乙业主"
    world.users["other_resident"].name = "丙居民"
    db.session.commit()
    auth.login(world.users["street_staff"])
    page = client.get("/overview/needs").get_data(as_text=True)
    assert "翠竹园社区" in page and "南塘社区" in page and "远方社区" not in page
    assert "老年人助餐 (2 households)" in page
    assert "2 households behind its open needs" in page
    for name in ("甲居民", "乙业主", "丙居民", "1-101"):
        assert name not in page
    auth.logout()
    auth.login(world.users["district_staff"])
    page = client.get("/overview/needs").get_data(as_text=True)
    assert "远方社区" in page and "远方需求" in page
    auth.logout()
    auth.login(people["far_street_staff"])
    page = client.get("/overview/needs").get_data(as_text=True)
    assert "远方社区" in page and "翠竹园社区" not in page


def test_the_overview_links_to_needs_and_experts(client, auth, world):
    auth.login(world.users["street_staff"])
    page = client.get("/overview").get_data(as_text=True)
    assert "/overview/needs" in page and "/experts" in page
