"""Help at the desk: community staff print a one-time password reset code for a member at the office.

Every role of the world fixture, allowed and denied; another community's member is a 404."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import CodePurpose, OneTimeCode
from app.communities.models import OfficeRole, Role
from app.core.models import AuditEntry
from app.extensions import db
from tests import factories
from tests.communities.test_permissions import EVERY_ACTOR

ALLOWED = {"staff"}
CANNOT_SEE = {"other_staff", "other_resident", "outsider"}  # not of this community, nor overseeing it: 404


def _issue(client, membership, slug="cuizhuyuan"):
    return client.post(f"/c/{slug}/members/{membership.id}/reset-code")


def _slip_code(response) -> str:
    return re.search(r'class="slip-code"[^>]*>(\d{4} \d{4})<', response.get_data(as_text=True)).group(1)


def _codes() -> list[OneTimeCode]:
    return list(db.session.scalars(select(OneTimeCode)))


@pytest.mark.parametrize("actor", [*EVERY_ACTOR, "pending_a"])
def test_who_may_print_a_reset_code(client, auth, world, actor):
    auth.login(world.users[actor])
    response = _issue(client, world.memberships["resident"])
    if actor in ALLOWED:
        assert response.status_code == 200
        assert len(_codes()) == 1
    else:
        assert response.status_code == (404 if actor in CANNOT_SEE else 403)
        assert _codes() == []
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.desk_reset_code")) is None


def test_staff_of_the_other_community_print_for_their_own_members(client, auth, world):
    auth.login(world.users["other_staff"])
    assert _issue(client, world.memberships["other_resident"], slug="nantang").status_code == 200


def test_another_communitys_member_is_not_found(client, auth, world):
    auth.login(world.users["staff"])
    assert _issue(client, world.memberships["other_resident"]).status_code == 404  # through this community
    assert _issue(client, world.memberships["other_resident"], slug="nantang").status_code == 404  # not theirs
    assert _issue(client, world.memberships["resident"], slug="nantang").status_code == 404
    assert _codes() == []


def test_not_for_oneself_nor_for_an_account_with_staff_powers(client, auth, world):
    auth.login(world.users["staff"])
    assert _issue(client, world.memberships["staff"]).status_code == 403
    # a resident here who is community staff in the other community, or street staff: their takeover reaches further
    elsewhere = factories.user(name="两边都在")
    mine = factories.membership(elsewhere, world.community, Role.RESIDENT, household_=world.households["a102"])
    factories.membership(elsewhere, world.other, Role.COMMUNITY_STAFF)
    office = factories.user(name="街道的人")
    theirs = factories.membership(office, world.community, Role.RESIDENT, household_=world.households["b101"])
    factories.office(office, OfficeRole.STREET_STAFF, street_=world.community.street)
    db.session.commit()
    assert _issue(client, mine).status_code == 403
    assert _issue(client, theirs).status_code == 403
    assert _codes() == []


def test_the_slip(client, auth, world):
    auth.login(world.users["staff"])
    target = world.users["resident"]
    response = _issue(client, world.memberships["resident"])
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    code = _slip_code(response)
    [row] = _codes()
    assert row.purpose == CodePurpose.DESK_RESET and row.issued_by_id == world.users["staff"].id
    assert code.replace(" ", "") not in row.code_hash
    masked = f"{target.phone[:3]}****{target.phone[-4:]}"
    assert masked in page and target.phone not in page  # only the masked number
    assert target.name in page
    beijing = (row.expires_at + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    assert beijing in page and "北京时间" in page and "Beijing time" in page
    # the steps in both languages, whatever the staff member reads (the test client asks for English)
    assert "输入您的手机号和这张纸条上的重置码" in page
    assert "Enter your mobile number and the code on this slip" in page
    assert "/account/password/reset" in page
    assert "@media print" not in page  # print styles live in the stylesheet (no inline styles)


def test_the_audit_log_says_who_issued_for_whom_never_the_code(client, auth, world):
    auth.login(world.users["staff"])
    code = _slip_code(_issue(client, world.memberships["resident"])).replace(" ", "")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.desk_reset_code"))
    assert entry.actor_id == world.users["staff"].id
    assert (entry.target_type, entry.target_id) == ("User", world.users["resident"].id)
    assert entry.community_id == world.community.id
    assert entry.detail["membership_id"] == world.memberships["resident"].id
    assert code not in json.dumps(entry.detail)


def test_printing_again_replaces_the_code_and_the_member_sets_a_password(app, client, auth, world):
    auth.login(world.users["staff"])
    first = _slip_code(_issue(client, world.memberships["resident"]))
    second = _slip_code(_issue(client, world.memberships["resident"]))
    assert len(_codes()) == 1
    member = app.test_client()
    member.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    phone = world.users["resident"].phone
    data = {"phone": phone, "password": "new-pass-2026x", "confirm": "new-pass-2026x"}
    if first != second:
        assert member.post("/account/password/reset", data={**data, "code": first}).status_code == 400
    assert member.post("/account/password/reset", data={**data, "code": second}).status_code == 303
    assert member.post("/account/login", data={"phone": phone, "password": "new-pass-2026x"}).status_code == 302


def test_the_member_page_offers_it_to_staff_only_where_allowed(client, auth, world):
    auth.login(world.users["staff"])
    resident_page = client.get(f"/c/cuizhuyuan/members/{world.memberships['resident'].id}").get_data(as_text=True)
    assert f"/members/{world.memberships['resident'].id}/reset-code" in resident_page
    own_page = client.get(f"/c/cuizhuyuan/members/{world.memberships['staff'].id}").get_data(as_text=True)
    assert "/reset-code" not in own_page
    assert "are not reset at the desk" in own_page


def test_a_get_prints_nothing(client, auth, world):
    auth.login(world.users["staff"])
    assert client.get(f"/c/cuizhuyuan/members/{world.memberships['resident'].id}/reset-code").status_code == 405
    assert _codes() == []
