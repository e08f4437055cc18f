"""Every verification and role-assignment action, allowed and denied, for every role.

The world fixture has one member per role in 翠竹园社区 (buildings 1栋 and 2栋),
staff and a resident of 南塘社区 (same street), street and district staff, and
an outsider with no membership at all.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.communities.models import MemberRole, Membership, MembershipStatus, Role
from app.core.models import AuditEntry
from app.extensions import db

EVERY_ACTOR = [
    "resident",
    "owner",
    "leader_a",
    "leader_b",
    "group_leader",
    "resident_rep",
    "property_manager",
    "owners_committee",
    "staff",
    "social_org",
    "expert",
    "unverified",
    "other_staff",
    "other_resident",
    "street_staff",
    "district_staff",
    "outsider",
]

# pending_a applied for a household in 1栋, pending_b in 2栋.
VERIFY_A = {"staff", "leader_a"}
VERIFY_B = {"staff", "leader_b"}
MANAGE = {"staff"}


def _status(membership) -> MembershipStatus:
    db.session.expire_all()
    return db.session.get(Membership, membership.id).status


@pytest.mark.parametrize("actor", EVERY_ACTOR)
@pytest.mark.parametrize(("target", "allowed"), [("pending_a", VERIFY_A), ("pending_b", VERIFY_B)])
def test_verify(client, auth, world, actor, target, allowed):
    auth.login(world.users[actor])
    membership = world.memberships[target]
    response = client.post(f"/c/cuizhuyuan/members/{membership.id}/verify")
    if actor in allowed:
        assert response.status_code == 302
        assert _status(membership) == MembershipStatus.VERIFIED
        roles = {r.role for r in db.session.get(Membership, membership.id).roles}
        assert Role.RESIDENT in roles
    else:
        assert response.status_code == 403
        assert _status(membership) == MembershipStatus.PENDING


@pytest.mark.parametrize("actor", EVERY_ACTOR)
def test_reject(client, auth, world, actor):
    auth.login(world.users[actor])
    membership = world.memberships["pending_a"]
    response = client.post(f"/c/cuizhuyuan/members/{membership.id}/reject", data={"reason": "房号与名册不符"})
    if actor in VERIFY_A:
        assert response.status_code == 302
        assert _status(membership) == MembershipStatus.REJECTED
        assert db.session.get(Membership, membership.id).review_note == "房号与名册不符"
    else:
        assert response.status_code == 403
        assert _status(membership) == MembershipStatus.PENDING


@pytest.mark.parametrize("actor", EVERY_ACTOR)
def test_verification_queue(client, auth, world, actor):
    auth.login(world.users[actor])
    response = client.get("/c/cuizhuyuan/verifications")
    if actor == "staff":
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert "pending_a" in body and "pending_b" in body
    elif actor in {"leader_a", "leader_b"}:
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        mine, theirs = ("pending_a", "pending_b") if actor == "leader_a" else ("pending_b", "pending_a")
        assert mine in body and theirs not in body
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("actor", EVERY_ACTOR)
def test_assign_role(client, auth, world, actor):
    auth.login(world.users[actor])
    target = world.memberships["resident"]
    response = client.post(f"/c/cuizhuyuan/members/{target.id}", data={"role": "group_leader"})
    db.session.expire_all()
    roles = {r.role for r in db.session.get(Membership, target.id).roles}
    if actor in MANAGE:
        assert response.status_code == 302
        assert Role.GROUP_LEADER in roles
    else:
        assert response.status_code == 403
        assert Role.GROUP_LEADER not in roles


@pytest.mark.parametrize("actor", EVERY_ACTOR)
def test_revoke_role(client, auth, world, actor):
    auth.login(world.users[actor])
    target = world.memberships["leader_b"]
    response = client.post(f"/c/cuizhuyuan/members/{target.id}/roles/revoke", data={"role": "building_leader"})
    db.session.expire_all()
    roles = {r.role for r in db.session.get(Membership, target.id).roles}
    if actor in MANAGE:
        assert response.status_code == 302
        assert Role.BUILDING_LEADER not in roles
    else:
        assert response.status_code == 403
        assert Role.BUILDING_LEADER in roles


@pytest.mark.parametrize("actor", EVERY_ACTOR)
def test_member_page_for_roles(client, auth, world, actor):
    auth.login(world.users[actor])
    target = world.memberships["resident"]
    response = client.get(f"/c/cuizhuyuan/members/{target.id}")
    assert response.status_code == (200 if actor in MANAGE else 403)


@pytest.mark.parametrize("actor", EVERY_ACTOR)
def test_member_directory(client, auth, world, actor):
    auth.login(world.users[actor])
    response = client.get("/c/cuizhuyuan/members")
    allowed = {"staff", "leader_a", "leader_b", "street_staff", "district_staff"}
    assert response.status_code == (200 if actor in allowed else 403)


@pytest.mark.parametrize("actor", EVERY_ACTOR)
@pytest.mark.parametrize("path", ["/c/cuizhuyuan/invites", "/c/cuizhuyuan/roster"])
def test_staff_pages(client, auth, world, actor, path):
    auth.login(world.users[actor])
    assert client.get(path).status_code == (200 if actor in MANAGE else 403)


@pytest.mark.parametrize("actor", EVERY_ACTOR)
def test_create_invite(client, auth, world, actor):
    from app.communities.models import InviteCode

    auth.login(world.users[actor])
    response = client.post("/c/cuizhuyuan/invites", data={"building_id": world.building_a.id})
    made = db.session.scalars(select(InviteCode).where(InviteCode.community_id == world.community.id)).all()
    if actor in MANAGE:
        assert response.status_code == 302
        assert len(made) == 1 and made[0].building_id == world.building_a.id
    else:
        assert response.status_code == 403
        assert made == []


def test_anonymous_is_sent_to_login(client, world):
    for path in ("/c/cuizhuyuan/verifications", "/c/cuizhuyuan/members", "/c/cuizhuyuan/invites", "/overview"):
        response = client.get(path)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    membership = world.memberships["pending_a"]
    assert client.post(f"/c/cuizhuyuan/members/{membership.id}/verify").status_code == 302
    assert _status(membership) == MembershipStatus.PENDING


def test_building_leader_cannot_verify_themselves(client, auth, world, app):
    from app.communities import access, permissions

    leader = world.memberships["leader_a"]
    leader.status = MembershipStatus.PENDING  # as if their own membership were still pending
    db.session.commit()
    assert not permissions.can_verify(access.viewer(world.users["leader_a"], world.community), leader)


def test_staff_cannot_remove_own_staff_role(client, auth, world):
    auth.login(world.users["staff"])
    staff = world.memberships["staff"]
    response = client.post(f"/c/cuizhuyuan/members/{staff.id}/roles/revoke", data={"role": "community_staff"})
    assert response.status_code == 400
    db.session.expire_all()
    assert Role.COMMUNITY_STAFF in {r.role for r in db.session.get(Membership, staff.id).roles}


def test_building_leader_role_needs_a_building(client, auth, world):
    auth.login(world.users["staff"])
    target = world.memberships["resident"]
    response = client.post(f"/c/cuizhuyuan/members/{target.id}", data={"role": "building_leader", "building_id": "0"})
    assert response.status_code == 400
    assert "Choose the building" in response.get_data(as_text=True)
    response = client.post(
        f"/c/cuizhuyuan/members/{target.id}", data={"role": "building_leader", "building_id": world.building_b.id}
    )
    assert response.status_code == 302
    db.session.expire_all()
    role = db.session.scalar(
        select(MemberRole).where(MemberRole.membership_id == target.id, MemberRole.role == Role.BUILDING_LEADER)
    )
    assert role.building_id == world.building_b.id


def test_unverified_member_gets_no_role(client, auth, world):
    auth.login(world.users["staff"])
    target = world.memberships["unverified"]
    response = client.post(f"/c/cuizhuyuan/members/{target.id}", data={"role": "expert"})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Membership, target.id).roles == []


def test_unknown_role_is_refused(client, auth, world):
    auth.login(world.users["staff"])
    target = world.memberships["resident"]
    assert client.post(f"/c/cuizhuyuan/members/{target.id}", data={"role": "emperor"}).status_code == 400
    assert client.post(f"/c/cuizhuyuan/members/{target.id}/roles/revoke", data={"role": "emperor"}).status_code == 400


def test_actions_are_audited(client, auth, world):
    auth.login(world.users["staff"])
    client.post(f"/c/cuizhuyuan/members/{world.memberships['pending_a'].id}/verify")
    client.post(f"/c/cuizhuyuan/members/{world.memberships['resident'].id}", data={"role": "expert"})
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["membership.verify", "role.grant"]


def test_verifying_twice_changes_nothing(client, auth, world):
    auth.login(world.users["staff"])
    target = world.memberships["pending_a"]
    client.post(f"/c/cuizhuyuan/members/{target.id}/verify")
    client.post(f"/c/cuizhuyuan/members/{target.id}/verify")
    assert len(db.session.scalars(select(AuditEntry)).all()) == 1


def test_reject_needs_a_reason(client, auth, world):
    auth.login(world.users["staff"])
    target = world.memberships["pending_a"]
    response = client.post(f"/c/cuizhuyuan/members/{target.id}/reject", data={"reason": "   "})
    assert response.status_code == 400
    assert "Give a reason" in response.get_data(as_text=True)
    assert _status(target) == MembershipStatus.PENDING


def test_verification_grants_owner_when_roster_matches(client, auth, world):
    from app.communities.models import HouseholdOwner

    applicant = world.users["pending_a"]
    owner = world.households["a102"].owners[0]
    applicant.phone = owner.phone  # the applicant is the registered owner of 1栋 1-102
    db.session.commit()
    auth.login(world.users["leader_a"])
    client.post(f"/c/cuizhuyuan/members/{world.memberships['pending_a'].id}/verify")
    db.session.expire_all()
    roles = {r.role for r in db.session.get(Membership, world.memberships["pending_a"].id).roles}
    assert roles == {Role.RESIDENT, Role.OWNER}
    assert db.session.get(HouseholdOwner, owner.id).user_id == applicant.id


def test_other_community_ids_are_not_reachable(client, auth, world):
    """Staff of 南塘 cannot act on 翠竹园 members through their own community's URLs."""
    auth.login(world.users["other_staff"])
    target = world.memberships["pending_a"]
    assert client.post(f"/c/nantang/members/{target.id}/verify").status_code == 404
    assert client.get(f"/c/nantang/members/{target.id}").status_code == 404
    assert _status(target) == MembershipStatus.PENDING


@pytest.mark.parametrize("actor", EVERY_ACTOR)
def test_grant_the_resident_unit_role(client, auth, world, actor):
    """驻区单位 (a school, a company based in the community) is a role staff grant like 物业 (issue 16)."""
    auth.login(world.users[actor])
    target = world.memberships["social_org"]
    response = client.post(f"/c/cuizhuyuan/members/{target.id}", data={"role": "resident_unit"})
    db.session.expire_all()
    roles = {r.role for r in db.session.get(Membership, target.id).roles}
    if actor in MANAGE:
        assert response.status_code == 302
        assert Role.RESIDENT_UNIT in roles
        page = client.get(f"/c/cuizhuyuan/members/{target.id}").get_data(as_text=True)
        assert "Resident unit" in page
        assert '<option value="resident_unit">Resident unit</option>' in page
    else:
        assert response.status_code == 403
        assert Role.RESIDENT_UNIT not in roles
