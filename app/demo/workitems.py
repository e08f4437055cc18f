"""The demo's admission list (社区工作事项准入) for 雨花台区: two departments with an officer each, the 2026
round decided (two items admitted, one refused with its reason), an urgent item admitted mid-year, and one
objection by 翠竹园's staff answered by the district's staff.

Made through the use cases (so the demo holds only what the site would let happen), then dated back to when
it happened."""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.accounts.models import User
from app.communities import access
from app.communities.models import Community
from app.extensions import db
from app.workitems import services
from app.workitems.models import DepartmentOfficer
from app.workitems.standing import stance

OFFICERS = (("13800000021", "陈思远", "区民政局"), ("13800000022", "刘建军", "区城管局"))


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


def _request(officer_stance, department, day: date, **fields):
    fields.setdefault("urgent", False)
    fields.setdefault("urgent_reason", "")
    request = services.submit_request(officer_stance, department, client_id=f"demo-{fields['title']}", **fields)
    request.created_at = request.updated_at = _at(day)
    return request


def load(community: Community, users: dict[str, User], password: str) -> None:
    district = community.street.district
    officers = {}
    for phone, name, _department in OFFICERS:
        user = User(phone=phone, name=name, locale="zh_CN")
        user.set_password(password)
        db.session.add(user)
        officers[phone] = user
    db.session.flush()

    district_staff = users["13800000012"]
    head = stance(district_staff, district)
    departments = {}
    for phone, _name, department_name in OFFICERS:
        department = services.create_department(head, department_name)
        department.officers.append(DepartmentOfficer(user_id=officers[phone].id, named_by_id=district_staff.id))
        departments[department_name] = department
    db.session.flush()
    civil = stance(officers["13800000021"], district)
    city = stance(officers["13800000022"], district)
    civil_affairs, city_management = departments["区民政局"], departments["区城管局"]

    visits = _request(
        civil,
        civil_affairs,
        date(2025, 11, 20),
        title="高龄独居老人每月探访",
        duties="每月上门探访辖区80岁以上独居老人一次，记录身体与生活状况，发现问题及时报告。",
        basis="《江苏省养老服务条例》第二十一条；区“十四五”养老服务规划。",
        hours_per_month=6,
        starts_on=date(2026, 1, 1),
    )
    frontage = _request(
        city,
        city_management,
        date(2025, 11, 25),
        title="门前三包责任巡查",
        duties="每月巡查沿街商户门前三包责任落实情况，劝导整改并登记。",
        basis="《南京市市容管理条例》第十二条。",
        hours_per_month=4,
        starts_on=date(2026, 1, 1),
    )
    bikes = _request(
        city,
        city_management,
        date(2025, 12, 1),
        title="共享单车停放每日清点上报",
        duties="每日清点辖区共享单车停放数量并拍照上报。",
        basis="区文明城市创建工作方案。",
        hours_per_month=20,
        starts_on=date(2026, 1, 1),
    )
    yearly = services.open_round(head, year=2026, closes_on=date(2025, 12, 15))
    yearly.created_at = _at(date(2025, 11, 1))
    services.decide(head, visits, "admit", "有法规依据，工作量合理。")
    services.decide(head, frontage, "admit", "")
    services.decide(
        head,
        bikes,
        "refuse",
        "共享单车停放管理属运营企业责任，不应转嫁社区；请区城管局督促运营企业落实。",
    )
    for request in (visits, frontage, bikes):
        request.decided_at = _at(date(2025, 12, 20))

    flood = _request(
        civil,
        civil_affairs,
        date(2026, 6, 5),
        title="汛期独居老人转移安置摸排",
        duties="入汛前摸排低洼地带独居、失能老人，建立转移安置联系表。",
        basis="《中华人民共和国防洪法》；区防汛防旱指挥部2026年第1号令。",
        hours_per_month=8,
        starts_on=date(2026, 6, 15),
        urgent=True,
        urgent_reason="入汛在即，须在6月底前完成摸排。",
    )
    services.decide(head, flood, "admit", "防汛需要，准予临时准入。")
    flood.decided_at = _at(date(2026, 6, 8))

    staff = access.viewer(users["13800000008"], community)
    objection = services.file_objection(
        staff,
        client_id="demo-objection-bikes",
        department_id=city_management.id,
        what="区城管局通过工作群要求社区每日上报共享单车停放照片，该事项不在准入清单内。",
        placed_on=date(2026, 3, 10),
        evidence="街道转发的工作群通知截图（3月10日）。",
    )
    objection.created_at = _at(date(2026, 3, 12))
    services.answer_objection(
        head,
        objection,
        "经核实，该事项已在2026年度准入审核中不予准入。已通知区城管局停止向社区派发，由其督促运营企业自行落实。",
    )
    objection.answered_at = _at(date(2026, 3, 16))
    db.session.flush()
