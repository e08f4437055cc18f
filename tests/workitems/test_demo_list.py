"""The demo's admission list: 雨花台区's two departments, the 2026 round decided (two admitted, one refused with
its reason), an urgent item admitted mid-year, one objection answered; the officers log in."""

from __future__ import annotations

from sqlalchemy import select

from app import demo
from app.accounts.models import User
from app.communities.models import District
from app.extensions import db
from app.workitems.models import Department, RequestStatus, ReviewRound, WorkItemObjection, WorkItemRequest


def test_demo_admission_list(app, client):
    demo.load("demo-password-1")
    db.session.commit()
    district = db.session.scalar(select(District).where(District.name == "雨花台区"))
    names = {d.name: d for d in db.session.scalars(select(Department).where(Department.district_id == district.id))}
    assert set(names) == {"区民政局", "区城管局"}
    officers = {o.user.phone for d in names.values() for o in d.officers}
    assert officers == {"13800000021", "13800000022"}
    yearly = db.session.scalar(select(ReviewRound).where(ReviewRound.year == 2026))
    in_round = db.session.scalars(select(WorkItemRequest).where(WorkItemRequest.round_id == yearly.id)).all()
    assert sorted(r.status for r in in_round) == sorted([RequestStatus.ADMITTED] * 2 + [RequestStatus.REFUSED])
    refused = next(r for r in in_round if r.status == RequestStatus.REFUSED)
    assert refused.decision_reason
    urgent = db.session.scalars(select(WorkItemRequest).where(WorkItemRequest.urgent.is_(True))).all()
    assert len(urgent) == 1 and urgent[0].status == RequestStatus.ADMITTED and urgent[0].year == 2026
    objection = db.session.scalar(select(WorkItemObjection))
    staff = db.session.scalar(select(User).where(User.phone == "13800000008"))
    head = db.session.scalar(select(User).where(User.phone == "13800000012"))
    assert objection.reporter_id == staff.id and objection.answered_by_id == head.id and objection.answer

    login = client.post("/account/login", data={"phone": "13800000021", "password": "demo-password-1"})
    assert login.status_code == 302
    listing = client.get(f"/d/{district.id}/workitems/2026")
    assert listing.status_code == 200
    html = listing.get_data(as_text=True)
    assert "高龄独居老人每月探访" in html and "汛期独居老人转移安置摸排" in html
    assert "共享单车停放每日清点上报" not in html
    department = client.get(f"/workitems/departments/{names['区民政局'].id}")
    assert department.status_code == 200
