"""Every meeting page and action, per role: who may, who is refused (403: sees it, may not; 404: may not see
it), and visitors who are not logged in are sent to log in; nothing refused writes anything."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.meetings import services
from app.meetings.models import AgendaItem, Meeting, MeetingAttendance, MeetingState
from app.objections.models import Objection
from tests.meetings.conftest import as_viewer, login, make_meeting

ROLES = [
    "resident",
    "owner",
    "leader_a",  # the consultation's chair, building leader of 1栋
    "leader_b",  # building leader of another building
    "group_leader",
    "resident_rep",
    "owners_committee",
    "property_manager",
    "staff",
    "pending_a",
    "street_staff",
    "district_staff",
    "other_staff",
    "outsider",
]
RUNS = {"staff", "leader_a"}
SEES = set(ROLES) - {"other_staff", "outsider"}


def rows() -> tuple:
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Meeting, AgendaItem, MeetingAttendance, Objection)
    )


@pytest.fixture
def published(consultation, world):
    meeting = make_meeting(consultation, world, state=MeetingState.SCHEDULED)
    services.open_meeting(as_viewer(world, "staff", meeting), meeting)
    services.close(as_viewer(world, "staff", meeting), meeting, outcome="通过")
    services.publish(as_viewer(world, "staff", meeting), meeting)
    db.session.commit()
    return meeting


def expected(role: str, allowed: set[str]) -> int:
    if role not in SEES:
        return 404
    return 200 if role in allowed else 403


@pytest.mark.parametrize("role", ROLES)
def test_pages_of_a_published_meeting_per_role(client, world, published, role):
    login(client, world.users[role])
    m = published.id
    assert client.get(f"/meetings/{m}").status_code == expected(role, SEES)
    assert client.get(f"/meetings/{m}/minutes").status_code == expected(role, SEES)
    assert client.get(f"/meetings/{m}/minutes.docx").status_code == expected(role, SEES)
    tickers = RUNS | {"staff"}
    assert client.get(f"/meetings/{m}/sheet").status_code == expected(role, tickers)
    assert client.get(f"/meetings/{m}/roll").status_code == expected(role, tickers)
    consultation_id = published.consultation_id
    assert client.get(f"/consultations/{consultation_id}/meetings").status_code == expected(role, SEES)
    assert client.get(f"/consultations/{consultation_id}/meetings/new").status_code == expected(role, RUNS)


@pytest.mark.parametrize("role", sorted(set(ROLES) - RUNS))
def test_actions_refused_to_those_who_do_not_run_it_write_nothing(client, world, published, role):
    login(client, world.users[role])
    before = rows()
    m = published.id
    status = 404 if role not in SEES else 403
    for url, data in [
        (f"/meetings/{m}/items", {"title": "再加一项"}),
        (f"/meetings/{m}/items/{published.items[0].id}/remove", {}),
        (f"/meetings/{m}/schedule", {}),
        (f"/meetings/{m}/open", {}),
        (f"/meetings/{m}/next", {}),
        (f"/meetings/{m}/close", {}),
        (f"/meetings/{m}/publish", {}),
        (f"/meetings/{m}/tick", {"user_id": world.users["owner"].id}),
        (f"/meetings/{m}/objections/1/answer", {"answer": "答复答复"}),
    ]:
        assert client.post(url, data=data).status_code == status, url
    assert rows() == before


def test_visitors_not_logged_in_are_sent_to_log_in_and_nothing_is_written(client, world, published):
    before = rows()
    m = published.id
    for url in [f"/meetings/{m}", f"/meetings/{m}/minutes", f"/meetings/{m}/sheet", f"/meetings/{m}/roll",
                f"/meetings/{m}/sign-in", f"/consultations/{published.consultation_id}/meetings"]:  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    for url in ["items", "schedule", "open", "next", "close", "publish", "tick", "sign-in", "objections"]:
        response = client.post(f"/meetings/{m}/{url}", data={"title": "x", "body": "一二三四五六"})
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert rows() == before
