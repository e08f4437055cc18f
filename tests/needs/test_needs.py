"""The needs list: submitting, the list and its filters, "我家也需要" once per household, withdrawing, and the
staff's moves, per role (allowed and denied) and with bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.needs.models import Need, NeedStatus, NeedSupport
from tests import factories as f


def _form(**over):
    data = {
        "client_id": "c1",
        "title": "楼道加装扶手",
        "description": "3栋老人上下楼需要扶手。",
        "affected": "elderly",
        "building_id": "",
        "place": "3栋楼道",
        "households_estimate": "12",
    }
    data.update(over)
    return data


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("role", ["resident", "leader_a", "staff", "social_org"])
def test_members_who_may_submit_raise_a_need(client, auth, world, role):
    auth.login(world.users[role])
    assert client.get("/c/cuizhuyuan/needs/new").status_code == 200
    response = client.post("/c/cuizhuyuan/needs/new", data=_form())
    assert response.status_code == 302
    need = db.session.scalar(select(Need))
    assert need.author_id == world.users[role].id and need.households_estimate == 12
    assert need.status == NeedStatus.SUBMITTED and need.events[0].to_status == NeedStatus.SUBMITTED
    # the same form sent again (a double tap) is the same need
    client.post("/c/cuizhuyuan/needs/new", data=_form())
    assert _count(Need) == 1


@pytest.mark.parametrize("role", ["unverified", "property_manager", "expert", "street_staff", "district_staff"])
def test_others_may_not_submit(client, auth, world, role):
    auth.login(world.users[role])
    assert client.get("/c/cuizhuyuan/needs/new").status_code == 403
    assert client.post("/c/cuizhuyuan/needs/new", data=_form()).status_code == 403
    assert _count(Need) == 0


@pytest.mark.parametrize("role", ["other_resident", "outsider", "far_street_staff", "street_expert"])
def test_strangers_do_not_learn_the_list_exists(client, auth, world, people, role):
    need = f.need(world.community, world.users["resident"])
    db.session.commit()
    auth.login(people[role])
    assert client.get("/c/cuizhuyuan/needs").status_code == 404
    assert client.get(f"/needs/{need.id}").status_code == 404
    assert client.post("/c/cuizhuyuan/needs/new", data=_form()).status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "x", "Give a title of 2 to 120 characters."),
        ("affected", "martians", "Not a valid choice."),
        ("building_id", "999999", "Choose a building of this community."),
        ("households_estimate", "-3", "Estimate the households as a whole number from 0 to 100000."),
        ("title", "a\x00b", None),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(client, auth, world, field, value, message):
    auth.login(world.users["resident"])
    response = client.post("/c/cuizhuyuan/needs/new", data=_form(**{field: value}))
    assert response.status_code == 400
    if message:
        assert message in response.get_data(as_text=True)
    assert _count(Need) == 0


def test_other_communitys_building_is_refused(client, auth, world):
    other_building = f.building(world.other, "9栋")
    db.session.commit()
    auth.login(world.users["resident"])
    response = client.post("/c/cuizhuyuan/needs/new", data=_form(building_id=str(other_building.id)))
    assert response.status_code == 400
    assert "Choose a building of this community." in response.get_data(as_text=True)
    assert _count(Need) == 0


def test_list_filters_and_households(client, auth, world):
    elderly = f.need(world.community, world.users["resident"], title="助餐", building_id=world.building_a.id)
    f.need(world.community, world.users["leader_b"], title="儿童托管", affected="youth")
    db.session.add(NeedSupport(need_id=elderly.id, household_id=world.households["b101"].id))
    db.session.commit()
    auth.login(world.users["owner"])
    page = client.get("/c/cuizhuyuan/needs").get_data(as_text=True)
    assert "助餐" in page and "儿童托管" in page
    assert "2 households behind it" in page  # the author's a101 and b101
    page = client.get("/c/cuizhuyuan/needs?affected=youth").get_data(as_text=True)
    assert "儿童托管" in page and "助餐" not in page
    page = client.get(f"/c/cuizhuyuan/needs?building={world.building_a.id}").get_data(as_text=True)
    assert "助餐" in page and "儿童托管" not in page
    page = client.get("/c/cuizhuyuan/needs?status=declined").get_data(as_text=True)
    assert "助餐" not in page
    assert client.get("/c/cuizhuyuan/needs?status=bogus&building=x").status_code == 200


def test_one_support_per_household(client, auth, world):
    need = f.need(world.community, world.users["leader_b"])
    db.session.commit()
    auth.login(world.users["resident"])  # household a101
    assert client.post(f"/needs/{need.id}/support").status_code == 302
    auth.logout()
    auth.login(world.users["leader_a"])  # household a101 too
    response = client.post(f"/needs/{need.id}/support")
    assert response.status_code == 409
    assert "Your household has already said it needs this too" in response.get_data(as_text=True)
    assert _count(NeedSupport) == 1
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "2 households" in page  # b101 (the author's) and a101


@pytest.mark.parametrize("who", ["resident", "leader_a"])  # the author, and another member of her household a101
def test_the_authors_household_is_counted_already(client, auth, world, who):
    need = f.need(world.community, world.users["resident"])
    db.session.commit()
    auth.login(world.users[who])
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "Your household is counted." in page and "My household needs it too" not in page
    response = client.post(f"/needs/{need.id}/support")
    assert response.status_code == 409
    assert "Your household has already said it needs this too" in response.get_data(as_text=True)
    assert _count(NeedSupport) == 0
    assert "1 household" in client.get(f"/needs/{need.id}").get_data(as_text=True)


def test_the_database_holds_one_support_per_household(app, world):
    from sqlalchemy.exc import IntegrityError

    need = f.need(world.community, world.users["leader_b"])
    household = world.households["a101"].id
    db.session.add(NeedSupport(need_id=need.id, household_id=household))
    db.session.flush()
    db.session.add(NeedSupport(need_id=need.id, household_id=household))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("role", ["staff", "social_org", "unverified", "street_staff", "district_staff"])
def test_only_residents_with_a_household_support(client, auth, world, role):
    need = f.need(world.community, world.users["resident"])
    db.session.commit()
    auth.login(world.users[role])
    assert client.post(f"/needs/{need.id}/support").status_code == 403
    assert _count(NeedSupport) == 0


def test_a_closed_need_takes_no_support(client, auth, world):
    need = f.need(world.community, world.users["leader_b"], status=NeedStatus.WITHDRAWN)
    db.session.commit()
    auth.login(world.users["resident"])
    assert client.post(f"/needs/{need.id}/support").status_code == 409
    assert _count(NeedSupport) == 0


def test_author_withdraws_others_may_not(client, auth, world):
    need = f.need(world.community, world.users["resident"])
    db.session.commit()
    auth.login(world.users["owner"])
    assert client.post(f"/needs/{need.id}/withdraw").status_code == 403
    auth.logout()
    auth.login(world.users["staff"])
    assert client.post(f"/needs/{need.id}/withdraw").status_code == 403
    auth.logout()
    auth.login(world.users["resident"])
    assert client.post(f"/needs/{need.id}/withdraw").status_code == 302
    db.session.refresh(need)
    assert need.status == NeedStatus.WITHDRAWN
    assert client.post(f"/needs/{need.id}/withdraw").status_code == 409


def test_staff_move_a_need_with_a_reason_and_the_author_is_told(client, auth, world):
    from app.notifications.models import Notification

    need = f.need(world.community, world.users["resident"])
    db.session.commit()
    auth.login(world.users["staff"])
    response = client.post(f"/needs/{need.id}/status", data={"status": "screening", "reason": ""})
    assert response.status_code == 400
    response = client.post(f"/needs/{need.id}/status", data={"status": "screening", "reason": "请专家评审"})
    assert response.status_code == 302
    db.session.refresh(need)
    assert need.status == NeedStatus.SCREENING
    note = db.session.scalar(select(Notification).where(Notification.user_id == world.users["resident"].id))
    assert note is not None and note.kind == "need_status"
    # screening -> screening is not a move
    response = client.post(f"/needs/{need.id}/status", data={"status": "screening", "reason": "again"})
    assert response.status_code == 409
    response = client.post(f"/needs/{need.id}/status", data={"status": "declined", "reason": "已有项目覆盖"})
    assert response.status_code == 302
    db.session.refresh(need)
    assert need.status == NeedStatus.DECLINED and need.status_reason == "已有项目覆盖"


@pytest.mark.parametrize("role", ["resident", "leader_a", "social_org", "street_staff", "district_staff"])
def test_only_community_staff_move_needs(client, auth, world, role):
    need = f.need(world.community, world.users["resident"])
    db.session.commit()
    auth.login(world.users[role])
    response = client.post(f"/needs/{need.id}/status", data={"status": "screening", "reason": "x"})
    assert response.status_code == 403
    assert client.post(f"/needs/{need.id}/close-screening").status_code == 403
    db.session.refresh(need)
    assert need.status == NeedStatus.SUBMITTED


@pytest.mark.parametrize("role", ["resident", "unverified", "staff", "street_staff", "district_staff"])
def test_readers_see_the_need(client, auth, world, role):
    need = f.need(world.community, world.users["leader_b"], title="加装扶手")
    db.session.commit()
    auth.login(world.users[role])
    assert "加装扶手" in client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "加装扶手" in client.get("/c/cuizhuyuan/needs").get_data(as_text=True)


def test_chinese_pages(client, auth, world):
    need = f.need(world.community, world.users["leader_b"])
    world.users["resident"].locale = "zh_CN"
    db.session.commit()
    auth.login(world.users["resident"])
    page = client.get("/c/cuizhuyuan/needs").get_data(as_text=True)
    assert "需求清单" in page and "提出需求" in page and "Needs list" not in page
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "我家也需要" in page and "需要的户数" in page


def test_a_refused_move_writes_and_sends_nothing(client, auth, world):
    from app.needs.models import NeedEvent
    from app.notifications.models import Notification

    need = f.need(world.community, world.users["resident"])
    db.session.commit()
    events = _count(NeedEvent)
    auth.login(world.users["staff"])
    assert client.post(f"/needs/{need.id}/status", data={"status": "listed", "reason": "直接列入"}).status_code == 400
    assert client.post(f"/needs/{need.id}/status", data={"status": "declined", "reason": "x\x00"}).status_code == 400
    listed = f.need(world.community, world.users["resident"], status=NeedStatus.LISTED)
    db.session.commit()
    events = _count(NeedEvent)
    assert client.post(f"/needs/{listed.id}/status", data={"status": "declined", "reason": "撤下"}).status_code == 409
    db.session.refresh(need)
    db.session.refresh(listed)
    assert need.status == NeedStatus.SUBMITTED and listed.status == NeedStatus.LISTED
    assert _count(NeedEvent) == events
    assert _count(Notification) == 0
