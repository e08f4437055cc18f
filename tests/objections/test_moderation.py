"""Objections are moderated through the moderation kernel: a member reports someone else's objection (three
open reports hide it until staff look), the community's staff hide it with a reason shown in its place and show
it again. Per role, allowed and denied; a refusal stores nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.moderation.models import ModerationAction, Report
from app.objections.models import Objection
from tests.meetings.conftest import login

READERS = [
    "owner",
    "leader_a",
    "leader_b",
    "group_leader",
    "resident_rep",
    "owners_committee",
    "property_manager",
    "staff",
]
NOT_VERIFIED = ["pending_a", "street_staff", "district_staff"]  # see the meeting, are no verified member
STRANGERS = ["other_staff", "other_resident", "outsider", "far_street_staff"]


def counts() -> tuple[int, int]:
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count()).select_from(Report)),
        db.session.scalar(select(func.count()).select_from(ModerationAction)),
    )


def post(client, world, key, objection, verb, reason="言语辱骂他人"):
    login(client, world.users[key])
    return client.post(f"/objections/{objection.id}/{verb}", data={"reason": reason})


@pytest.mark.parametrize("key", READERS)
def test_verified_members_report_someone_elses_objection(client, world, objection, key):
    response = post(client, world, key, objection, "report")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/meetings/{objection.owner_id}#objection-{objection.id}")
    assert counts()[0] == 1
    assert not db.session.get(Objection, objection.id).is_hidden  # one report hides nothing


@pytest.mark.parametrize("key", ["resident", *NOT_VERIFIED])
def test_the_author_and_those_who_are_no_verified_member_may_not_report(client, world, objection, key):
    assert post(client, world, key, objection, "report").status_code == 403
    assert counts() == (0, 0)


@pytest.mark.parametrize("key", STRANGERS)
def test_those_who_may_not_see_the_meeting_are_answered_404(client, world, objection, far_street_staff, key):
    for verb in ("report", "hide", "restore"):
        assert post(client, world, key, objection, verb).status_code == 404
    assert counts() == (0, 0)


def test_a_visitor_is_sent_to_log_in(client, objection):
    response = client.post(f"/objections/{objection.id}/report", data={"reason": "辱骂"})
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_three_reports_hide_it_until_staff_look(client, world, objection):
    for key in ("owner", "leader_a", "leader_b"):
        assert post(client, world, key, objection, "report").status_code == 303
    hidden = db.session.get(Objection, objection.id)
    assert hidden.is_hidden and hidden.hidden_by_id is None
    assert post(client, world, "group_leader", objection, "report").status_code == 403  # hidden: nothing to report
    assert post(client, world, "staff", objection, "restore").status_code == 303
    assert not db.session.get(Objection, objection.id).is_hidden


def test_staff_hide_with_a_reason_shown_in_its_place_and_show_it_again(client, world, objection):
    assert post(client, world, "staff", objection, "hide", reason="含有他人身份证号").status_code == 303
    login(client, world.users["owner"])
    page = client.get(f"/meetings/{objection.owner_id}").get_data(as_text=True)
    assert "含有他人身份证号" in page and "签到人数记录有误，请核对。" not in page
    assert post(client, world, "staff", objection, "hide", reason="再藏一次").status_code == 409  # hidden already
    assert post(client, world, "staff", objection, "restore").status_code == 303
    login(client, world.users["owner"])
    assert "签到人数记录有误，请核对。" in client.get(f"/meetings/{objection.owner_id}").get_data(as_text=True)


@pytest.mark.parametrize("key", ["resident", *READERS[:-1], *NOT_VERIFIED])
def test_only_the_communitys_staff_hide_and_restore(client, world, objection, key):
    assert post(client, world, key, objection, "hide").status_code == 403
    assert not db.session.get(Objection, objection.id).is_hidden
    assert counts() == (0, 0)
    assert post(client, world, "staff", objection, "hide").status_code == 303
    assert post(client, world, key, objection, "restore").status_code == 403
    assert db.session.get(Objection, objection.id).is_hidden


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Give a reason"),
        ("   ", "Give a reason"),
        ("长" * 201, "at most 200 characters"),
        ("a\x00b", "control character"),
    ],
)
def test_a_bad_reason_is_refused_with_its_message_and_stores_nothing(client, world, objection, reason, message):
    for key, verb in (("owner", "report"), ("staff", "hide")):
        response = post(client, world, key, objection, verb, reason=reason)
        assert response.status_code == 400
        assert message in client.get(f"/meetings/{objection.owner_id}").get_data(as_text=True)
    assert counts() == (0, 0)
    assert not db.session.get(Objection, objection.id).is_hidden


def test_the_staff_see_the_forms_residents_only_report(client, world, objection):
    login(client, world.users["staff"])
    page = client.get(f"/meetings/{objection.owner_id}").get_data(as_text=True)
    assert f"/objections/{objection.id}/hide" in page and f"/objections/{objection.id}/report" in page
    login(client, world.users["owner"])
    page = client.get(f"/meetings/{objection.owner_id}").get_data(as_text=True)
    assert f"/objections/{objection.id}/report" in page and f"/objections/{objection.id}/hide" not in page
    login(client, world.users["resident"])  # the author reports not their own
    page = client.get(f"/meetings/{objection.owner_id}").get_data(as_text=True)
    assert f"/objections/{objection.id}/report" not in page


def test_an_unknown_verb_or_id_is_404(client, world, objection):
    login(client, world.users["staff"])
    assert client.post(f"/objections/{objection.id}/delete", data={"reason": "x"}).status_code == 404
    assert client.post("/objections/99999/hide", data={"reason": "辱骂"}).status_code == 404
