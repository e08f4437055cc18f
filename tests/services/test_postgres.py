"""The application on PostgreSQL: the join-and-verify path end to end, and the schema's constraints."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.communities.models import HouseholdOwner, Membership, MembershipStatus, Role
from app.core.models import AuditEntry
from app.notifications.models import Notification
from tests import factories

pytestmark = pytest.mark.postgres

NEWCOMER_PHONE = "13912345678"
PASSWORD = "lianjia-2026"


@pytest.fixture
def place(pg_db):
    """A community with one household on the roster, a staff member and an invite code."""
    community = factories.community(slug="pgtest", name="测试社区")
    building = factories.building(community, "3栋")
    household = factories.household(building, "2", "502", owners=[("赵立新", NEWCOMER_PHONE)])
    staff = factories.user(name="社区干部")
    factories.membership(staff, community, Role.COMMUNITY_STAFF)
    invite = factories.invite(community, code="PGTEST01")
    pg_db.session.commit()
    return {"community": community, "building": building, "household": household, "staff": staff, "invite": invite}


def test_runs_on_the_migrated_postgres_schema(pg_app, pg_db):
    assert pg_db.engine.dialect.name == "postgresql"
    schema = pg_db.session.scalar(text("select current_schema()"))
    assert schema.startswith("yishi_test_")
    assert pg_db.session.scalar(text("select version_num from alembic_version")) is not None


def test_register_join_and_verify(pg_app, pg_db, place):
    newcomer = pg_app.test_client()
    response = factories.register(newcomer, phone=NEWCOMER_PHONE, name="赵立新", password=PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)
    user = pg_db.session.scalar(select(User).where(User.phone == NEWCOMER_PHONE))
    assert user is not None and user.check_password(PASSWORD)
    assert user.created_at.tzinfo is not None  # timestamptz round-trips as an aware datetime

    response = newcomer.post("/join", data={"code": "pgtest01"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/join/PGTEST01")
    response = newcomer.post(
        "/join/PGTEST01",
        data={"building_id": place["building"].id, "unit": "2", "room": "502", "relation": "owner"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    membership = pg_db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert membership.status == MembershipStatus.PENDING
    assert membership.household_id == place["household"].id
    assert membership.invite_id == place["invite"].id

    staff = pg_app.test_client()
    assert (
        staff.post("/account/login", data={"phone": place["staff"].phone, "password": factories.PASSWORD}).status_code
        == 302
    )
    queue = staff.get("/c/pgtest/verifications")
    assert queue.status_code == 200 and "赵立新" in queue.get_data(as_text=True)
    response = staff.post(f"/c/pgtest/members/{membership.id}/verify")
    assert response.status_code == 302

    pg_db.session.expire_all()
    membership = pg_db.session.get(Membership, membership.id)
    assert membership.status == MembershipStatus.VERIFIED
    assert membership.reviewed_by_id == place["staff"].id
    assert membership.reviewed_at is not None and membership.reviewed_at.tzinfo is not None
    assert {r.role for r in membership.roles} == {Role.RESIDENT, Role.OWNER}  # the roster names them
    owner = pg_db.session.scalar(select(HouseholdOwner).where(HouseholdOwner.phone == NEWCOMER_PHONE))
    assert owner.user_id == user.id
    notice = pg_db.session.scalar(select(Notification).where(Notification.user_id == user.id))
    assert notice is not None and notice.kind == "membership_verified"
    audit = pg_db.session.scalar(select(AuditEntry).where(AuditEntry.action == "membership.verify"))
    assert audit is not None and audit.actor_id == place["staff"].id and audit.target_id == membership.id

    home = newcomer.get("/c/pgtest/")
    assert home.status_code == 200


def test_one_membership_per_user_and_community(pg_app, pg_db, place):
    user = factories.user()
    factories.membership(user, place["community"], Role.RESIDENT)
    pg_db.session.commit()

    pg_db.session.add(Membership(user_id=user.id, community_id=place["community"].id))
    with pytest.raises(IntegrityError) as caught:
        pg_db.session.commit()
    pg_db.session.rollback()
    assert caught.value.orig.diag.constraint_name == "uq_memberships_user_id_community_id"
    count = pg_db.session.scalar(
        text("select count(*) from memberships where user_id = :u and community_id = :c"),
        {"u": user.id, "c": place["community"].id},
    )
    assert count == 1


def test_foreign_keys_and_checks_hold(pg_app, pg_db, place):
    pg_db.session.add(Notification(user_id=999_999, kind="test", text="orphan", url=""))
    with pytest.raises(IntegrityError) as caught:
        pg_db.session.commit()
    pg_db.session.rollback()
    assert caught.value.orig.diag.constraint_name == "fk_notifications_user_id_users"
