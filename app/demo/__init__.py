"""The demo community 翠竹园社区: buildings, a household roster, one account per role, and something under
way in every feature (a consultation and a past meeting of it, ideas, a micro-project, a contest, an owners'
decision, a neighbourhood group's help board, the adopted rules).

Loading is idempotent: a second run finds the community and adds nothing. It flushes and never commits: the
caller (the `flask yishi demo` command, an edge) commits once, so a failure part-way leaves nothing behind.
"""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.accounts.models import User
from app.communities.models import (
    Community,
    District,
    InviteCode,
    MemberRole,
    Membership,
    MembershipStatus,
    OfficeAssignment,
    OfficeRole,
    Relation,
    Role,
    Street,
)
from app.core.models import utcnow
from app.demo import (
    assessment,
    consultations,
    contests,
    dashboards,
    decisions,
    ideas,
    meetings,
    microprojects,
    needs,
    neighbours,
    notices,
    objections,
    orgs,
    procurement,
    rules,
    slow,
    surveys,
    workitems,
)
from app.demo.people import ACCOUNTS, SLUG, account_table, roster
from app.extensions import db

__all__ = ["ACCOUNTS", "SLUG", "account_table", "load"]


def load(password: str) -> bool:
    """Load the demo data; returns False if it was there already."""
    if db.session.scalar(select(Community).where(Community.slug == SLUG)) is not None:
        return False

    district = db.session.scalar(select(District).where(District.name == "雨花台区")) or District(name="雨花台区")
    meishan = Street(district=district, name="梅山街道")
    yuhua = Street(district=district, name="雨花街道")
    community = Community(
        street=meishan,
        name="翠竹园社区",
        slug=SLUG,
        description="翠竹园社区位于梅山街道，共4栋住宅楼。社区议事厅欢迎每位居民参与社区事务协商。",
    )
    other = Community(street=yuhua, name="南塘社区", slug="nantang", description="南塘社区（演示用的第二个社区）。")
    db.session.add_all([district, meishan, yuhua, community, other])
    db.session.flush()

    households = roster(community)
    roster(other, buildings=1)
    demo_phones = {a.phone: a for a in ACCOUNTS}

    # Owners on the roster carry the demo owners' phones, so verification finds them.
    for account in ACCOUNTS:
        if account.household and account.relation == Relation.OWNER:
            owner = households[account.household].owners[0]
            owner.name, owner.phone = account.name, account.phone

    users = {}
    password_hash = generate_password_hash(password)  # once (scrypt is slow on purpose): the accounts share it
    for account in ACCOUNTS:
        user = User(phone=account.phone, name=account.name, locale="zh_CN", password_hash=password_hash)
        db.session.add(user)
        users[account.phone] = user
    db.session.flush()

    staff = users["13800000008"]
    for account in ACCOUNTS:
        user = users[account.phone]
        if isinstance(account.role, OfficeRole):
            db.session.add(
                OfficeAssignment(
                    user_id=user.id,
                    role=account.role,
                    street_id=meishan.id if account.role == OfficeRole.STREET_STAFF else None,
                    district_id=district.id if account.role == OfficeRole.DISTRICT_STAFF else None,
                )
            )
            continue
        household = households[account.household] if account.household else None
        membership = Membership(
            user_id=user.id,
            community_id=community.id,
            household_id=household.id if household else None,
            relation=account.relation,
        )
        db.session.add(membership)
        if account.role == "unverified":
            continue
        membership.status = MembershipStatus.VERIFIED
        membership.reviewed_by_id = staff.id
        membership.reviewed_at = utcnow()
        roles = []
        if household is not None:
            roles.append(MemberRole(role=Role.RESIDENT, granted_by_id=staff.id))
            owner = next((o for o in household.owners if o.phone == account.phone), None)
            if owner is not None:
                owner.user_id = user.id
                roles.append(MemberRole(role=Role.OWNER, granted_by_id=staff.id))
        if account.role not in (Role.RESIDENT, Role.OWNER):
            building_id = household.building_id if account.role == Role.BUILDING_LEADER else None
            roles.append(MemberRole(role=account.role, building_id=building_id, granted_by_id=staff.id))
        membership.roles = roles

    db.session.add(InviteCode(community_id=community.id, code="CZY2026A", created_by_id=staff.id))
    for building in community.buildings:
        number = building.name.rstrip("栋")
        db.session.add(
            InviteCode(
                community_id=community.id, building_id=building.id, code=f"CZY{number}DONG", created_by_id=staff.id
            )
        )
    db.session.add(InviteCode(community_id=other.id, code="NANTANG1", created_by_id=None))
    assert len(demo_phones) == len(ACCOUNTS)
    db.session.flush()
    consultations.load(community, users)
    ideas.load(community, users)
    microprojects.load(community, users)
    orgs.load(community, users)  # before contests: the proposal contest has an organisation's entry
    contests.load(community, users)
    decisions.load(community, users)
    notices.load(community, users)
    neighbours.load(community, users)
    rules.load(community, users)
    meetings.load(community, users)
    objections.load(community, users)
    slow.load(community, users)
    dashboards.load(yuhua, other, password)
    surveys.load(community, users, password)
    needs.load(community, users)
    procurement.load(community, users)
    workitems.load(community, users, password)
    assessment.load(community, users)  # after the dashboards' history: it reads their figures
    return True
