"""The rules of the work items, through the pages (the edge commits) and the use cases: bad input refused with
its own translated message and nothing stored, idempotent submissions, the yearly round and urgent decisions,
one decision and one answer each."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from app.core.clock import local_today
from app.core.errors import DomainError
from app.extensions import db
from app.workitems import services
from app.workitems.models import RequestStatus, ReviewRound, WorkItemRequest
from tests.workitems import (
    closed_round,
    counts,
    fields,
    logged_in,
    make_objection,
    make_request,
    round_request,
    stance_of,
    this_year,
    urgent_request,
)


def form_data(**overrides) -> dict:
    data = {**fields(), "client_id": uuid.uuid4().hex}
    data.update(overrides)
    data["starts_on"] = data["starts_on"].isoformat() if isinstance(data["starts_on"], date) else data["starts_on"]
    if data.pop("urgent"):
        data["urgent"] = "y"
    return data


def post_request(app, world, key="officer", **overrides):
    http = logged_in(app, world.users[key])
    return http.post(f"/workitems/departments/{world.department.id}/requests/new", data=form_data(**overrides))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"starts_on": date(1999, 12, 31)}, "Give a date from 2000 to"),
        ({"starts_on": date(local_today().year + 6, 1, 1)}, "Give a date from 2000 to"),
        ({"hours_per_month": "-3"}, "The workload cannot be negative."),
        ({"hours_per_month": "745"}, "At most 744 hours a month"),
        ({"hours_per_month": "99999999999"}, "This number is too large."),
        ({"urgent": True, "urgent_reason": ""}, "Say why the item is urgent."),
        ({"urgent": True, "urgent_reason": "   "}, "Say why the item is urgent."),
        ({"title": ""}, "Name the work item."),
        ({"title": "a\x00b"}, "cannot be stored"),
        ({"starts_on": "2026-02-30"}, "Not a valid date value."),
    ],
)
def test_bad_request_is_refused_and_nothing_stored(app, world, overrides, message):
    before = counts()
    response = post_request(app, world, **overrides)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert counts() == before


def test_refusals_are_translated(app, world):
    before = counts()
    world.users["officer"].locale = "zh_CN"
    db.session.commit()
    http = logged_in(app, world.users["officer"], "zh-CN")
    response = http.post(
        f"/workitems/departments/{world.department.id}/requests/new", data=form_data(hours_per_month="745")
    )
    assert response.status_code == 400
    world.users["officer"].locale = "en"
    db.session.commit()
    assert "每月最多744小时" in response.get_data(as_text=True)
    assert counts() == before


def test_a_request_by_someone_not_an_officer_is_refused_by_the_use_case(app, world):
    before = counts()
    with pytest.raises(DomainError) as refused:
        services.submit_request(stance_of(world, "district_staff"), world.department, client_id="x", **fields())
    assert refused.value.status_code == 403
    assert str(refused.value.message) == "只有该部门的经办人可以申报其工作事项。"  # the site's default language
    with pytest.raises(DomainError):  # an officer of another department
        services.submit_request(stance_of(world, "officer_b"), world.department, client_id="y", **fields())
    db.session.rollback()
    assert counts() == before


def test_a_retried_submission_stores_one_request(app, world):
    data = form_data()
    http = logged_in(app, world.users["officer"])
    url = f"/workitems/departments/{world.department.id}/requests/new"
    first = http.post(url, data=data)
    second = http.post(url, data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.query(WorkItemRequest).filter_by(client_id=data["client_id"]).count() == 1


def test_an_urgent_request_keeps_its_reason_and_a_plain_one_none(app, world):
    request = make_request(world, urgent_reason="ignored when not urgent")
    assert request.urgent is False and request.urgent_reason == ""
    request = urgent_request(world)
    assert request.urgent and request.urgent_reason == "汛期将至。"


def test_after_the_round_closes_only_urgent_requests_are_taken_for_its_year(app, world):
    year = this_year() + 4
    db.session.add(ReviewRound(district_id=world.district.id, year=year, closes_on=local_today() - timedelta(days=1)))
    db.session.commit()
    before = counts()
    response = post_request(app, world, starts_on=date(year, 3, 1))
    assert response.status_code == 400
    assert f"Requests for {year} closed on" in response.get_data(as_text=True)
    assert counts() == before
    assert post_request(app, world, starts_on=date(year, 3, 1), urgent=True, urgent_reason="急").status_code == 302


def test_editing_checks_the_same_rules_and_ends_with_the_decision(app, world):
    request = make_request(world)
    http = logged_in(app, world.users["officer"])
    response = http.post(f"/workitems/requests/{request.id}/edit", data=form_data(hours_per_month="-1"))
    assert response.status_code == 400 and "The workload cannot be negative." in response.get_data(as_text=True)
    db.session.expire_all()
    assert request.hours_per_month == 6
    services.decide(stance_of(world, "district_staff"), urgent := urgent_request(world), "admit", "")
    db.session.commit()
    assert http.get(f"/workitems/requests/{urgent.id}/edit").status_code == 403
    with pytest.raises(DomainError) as refused:
        services.withdraw_request(stance_of(world, "officer"), urgent)
    assert refused.value.status_code == 409
    db.session.rollback()


def test_refusing_needs_a_reason(app, world):
    request = urgent_request(world)
    http = logged_in(app, world.users["district_staff"])
    response = http.post(f"/workitems/requests/{request.id}/decide", data={"decision": "refuse", "reason": " "})
    assert response.status_code == 400
    assert "Give the reason for refusing: the department will read it." in response.get_data(as_text=True)
    db.session.expire_all()
    assert request.status == RequestStatus.PENDING and request.decided_at is None


def test_a_decision_must_be_admit_or_refuse(app, world):
    request = urgent_request(world)
    http = logged_in(app, world.users["district_staff"])
    response = http.post(f"/workitems/requests/{request.id}/decide", data={"decision": "maybe", "reason": "x"})
    assert response.status_code == 400
    db.session.expire_all()
    assert request.status == RequestStatus.PENDING


def test_a_second_decision_is_refused(app, world):
    request = urgent_request(world)
    http = logged_in(app, world.users["district_staff"])
    url = f"/workitems/requests/{request.id}/decide"
    assert http.post(url, data={"decision": "admit", "reason": "可以。"}).status_code == 302
    response = http.post(url, data={"decision": "refuse", "reason": "改主意了。"})
    assert response.status_code == 409
    assert "This request has already been decided or withdrawn." in response.get_data(as_text=True)
    db.session.expire_all()
    assert request.status == RequestStatus.ADMITTED and request.decision_reason == "可以。"


def test_a_plain_request_waits_for_its_round_to_close(app, world):
    head = stance_of(world, "district_staff")
    no_round = make_request(world, starts_on=date(this_year() + 2, 1, 1))
    with pytest.raises(DomainError) as refused:
        services.decide(head, no_round, "admit", "")
    assert refused.value.code == "round_open"
    db.session.rollback()
    open_round = services.open_round(head, year=this_year() + 2, closes_on=local_today() + timedelta(days=30))
    db.session.commit()
    with pytest.raises(DomainError):
        services.decide(head, no_round, "admit", "")
    db.session.rollback()
    yearly = closed_round(world, this_year() - 1)
    in_round = round_request(world, yearly)
    services.decide(head, in_round, "refuse", "工作量过大。")
    db.session.commit()
    assert in_round.round_id == yearly.id and open_round.year == this_year() + 2


def test_rounds_are_one_a_year_in_a_sensible_range(app, world):
    head = stance_of(world, "district_staff")
    http = logged_in(app, world.users["district_staff"])
    url = f"/d/{world.district.id}/workitems/rounds"
    before = counts()
    for data, message in (
        ({"year": "1999", "closes_on": "2025-12-01"}, "Give a year from 2000 to"),
        ({"year": str(this_year() + 6), "closes_on": "2025-12-01"}, "Give a year from 2000 to"),
        ({"year": "2026", "closes_on": "1990-01-01"}, "Give a date from 2000 to"),
    ):
        response = http.post(url, data=data)
        assert response.status_code == 400 and message in response.get_data(as_text=True), data
    assert counts() == before
    services.open_round(head, year=2001, closes_on=date(2000, 12, 1))
    db.session.commit()
    response = http.post(url, data={"year": "2001", "closes_on": "2000-12-01"})
    assert response.status_code == 400 and "The round for 2001 is already open." in response.get_data(as_text=True)


def test_departments_and_officers_bad_input(app, world):
    http = logged_in(app, world.users["district_staff"])
    before = counts()
    response = http.post(f"/d/{world.district.id}/workitems/departments", data={"name": "区民政局"})
    assert response.status_code == 400
    assert "The district already has a department of this name." in response.get_data(as_text=True)
    url = f"/workitems/departments/{world.department.id}/officers"
    response = http.post(url, data={"phone": "13999999999"})
    assert response.status_code == 400
    assert "No account has this mobile number" in response.get_data(as_text=True)
    response = http.post(url, data={"phone": world.users["officer"].phone})
    assert response.status_code == 400 and "is already an officer" in response.get_data(as_text=True)
    assert counts() == before


def test_objection_bad_input_and_retry(app, world):
    http = logged_in(app, world.users["staff"])
    url = f"/c/{world.community.slug}/workitems/objections"
    good = {"client_id": uuid.uuid4().hex, "department_id": str(world.department.id), "what": "每日上报照片。"}
    good["placed_on"] = local_today().isoformat()
    foreign = _foreign_department(world)
    before = counts()
    for change, message in (
        ({"department_id": "999999"}, "Choose the department."),
        ({"department_id": str(foreign)}, "Choose the department."),
        ({"what": ""}, "Say what work was placed on the community."),
        ({"placed_on": "1999-01-01"}, "Give a date from 2000 to"),
    ):
        response = http.post(url, data={**good, **change})
        assert response.status_code == 400 and message in response.get_data(as_text=True), change
    assert counts() == before
    assert http.post(url, data=good).status_code == 302
    assert http.post(url, data=good).status_code == 302
    assert counts()[-1] == before[-1] + 1


def _foreign_department(world) -> int:
    from app.workitems.models import Department

    found = db.session.query(Department).filter_by(district_id=world.other_district.id).first()
    if found is None:
        found = Department(district_id=world.other_district.id, name="秦淮区民政局")
        db.session.add(found)
        db.session.commit()
    return found.id


def test_an_objection_is_answered_once(app, world):
    objection = make_objection(world)
    http = logged_in(app, world.users["district_staff"])
    url = f"/workitems/objections/{objection.id}/answer"
    assert http.post(url, data={"answer": ""}).status_code == 400
    assert http.post(url, data={"answer": "已处理。"}).status_code == 302
    response = http.post(url, data={"answer": "再答一次。"})
    assert response.status_code == 409 and "already been answered" in response.get_data(as_text=True)
    db.session.expire_all()
    assert objection.answer == "已处理。"
    page = logged_in(app, world.users["staff"]).get(f"/workitems/objections/{objection.id}")
    assert "已处理。" in page.get_data(as_text=True)


def test_counts_per_department(app, world):
    make_objection(world)
    make_objection(world, department_id=world.other_department.id)
    html = logged_in(app, world.users["district_staff"]).get(f"/d/{world.district.id}/workitems/objections")
    text = html.get_data(as_text=True)
    assert "Reports per department" in text and "区民政局" in text and "区城管局" in text


def test_exports_are_files_with_the_list(app, world):
    from io import BytesIO

    from openpyxl import load_workbook

    item = urgent_request(world, title="防汛摸排（导出）")
    services.decide(stance_of(world, "district_staff"), item, "admit", "")
    db.session.commit()
    http = logged_in(app, world.users["resident"])
    base = f"/d/{world.district.id}/workitems/{this_year()}"
    csv = http.get(f"{base}/export.csv")
    assert csv.mimetype == "text/csv" and "attachment" in csv.headers["Content-Disposition"]
    assert "防汛摸排（导出）" in csv.get_data().decode("utf-8-sig")
    xlsx = http.get(f"{base}/export.xlsx")
    sheet = load_workbook(BytesIO(xlsx.get_data())).active
    assert any(row[2] == "防汛摸排（导出）" and row[5] == 6 for row in sheet.iter_rows(values_only=True))
    assert http.get(f"{base}/export.pdf").status_code == 404
    assert http.get(f"/d/{world.district.id}/workitems/1999").status_code == 404


def test_chinese_pages(app, world):
    from app.communities.models import OfficeRole
    from tests import factories

    reader = factories.user(locale="zh_CN")
    factories.office(reader, OfficeRole.DISTRICT_STAFF, district_=world.district)
    db.session.commit()
    http = logged_in(app, reader, "zh-CN")
    html = http.get(f"/d/{world.district.id}/workitems").get_data(as_text=True)
    assert "社区工作事项准入" in html and "年度准入审核" in html


def test_a_request_sent_in_time_stays_editable_after_its_round_closes(app, world):
    yearly = closed_round(world, this_year() - 1)
    request = round_request(world, yearly)
    http = logged_in(app, world.users["officer"])
    data = form_data(title="改后的标题（已截止）", starts_on=date(yearly.year, 6, 1), client_id=request.client_id)
    assert http.post(f"/workitems/requests/{request.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert request.title == "改后的标题（已截止）" and request.year == yearly.year
    moved = make_request(world, starts_on=date(this_year() + 3, 1, 1))
    closed_round(world, this_year() + 3)
    data = form_data(starts_on=date(this_year() + 3, 2, 1), client_id=moved.client_id)
    assert http.post(f"/workitems/requests/{moved.id}/edit", data=data).status_code == 302  # same closed year
    other = make_request(world)
    data = form_data(starts_on=date(this_year() + 3, 2, 1), client_id=other.client_id)
    response = http.post(f"/workitems/requests/{other.id}/edit", data=data)  # moved into a closed year
    assert response.status_code == 400 and "closed on" in response.get_data(as_text=True)
