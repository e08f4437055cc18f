"""The tenancy tree (district -> street -> community) and who belongs where."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import TimestampMixin, UTCDateTime, str_enum, utcnow
from app.extensions import db


class Role(enum.StrEnum):
    """Roles held per community. 'unverified' is a status, not a role."""

    RESIDENT = "resident"
    OWNER = "owner"
    BUILDING_LEADER = "building_leader"
    GROUP_LEADER = "group_leader"
    RESIDENT_REP = "resident_rep"
    PROPERTY_MANAGER = "property_manager"
    OWNERS_COMMITTEE = "owners_committee"
    COMMUNITY_STAFF = "community_staff"
    SOCIAL_ORG = "social_org"
    RESIDENT_UNIT = "resident_unit"  # 驻区单位: a school, company or other unit based in the community
    EXPERT = "expert"


class OfficeRole(enum.StrEnum):
    """Roles held over a street or a whole district, across its communities."""

    STREET_STAFF = "street_staff"
    DISTRICT_STAFF = "district_staff"


class MembershipStatus(enum.StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class Relation(enum.StrEnum):
    """How a member relates to the household they joined with."""

    OWNER = "owner"
    FAMILY = "family"
    TENANT = "tenant"


class District(db.Model):
    """区: one installation serves one district."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)

    streets: Mapped[list[Street]] = relationship(back_populates="district", order_by="Street.id")


class Street(db.Model):
    """街道."""

    __tablename__ = "streets"
    __table_args__ = (UniqueConstraint("district_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))

    district: Mapped[District] = relationship(back_populates="streets")
    communities: Mapped[list[Community]] = relationship(back_populates="street", order_by="Community.id")


class Community(TimestampMixin, db.Model):
    """社区: the tenant; every other record belongs to one."""

    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # endorsements of a golden idea at which staff are told to look at it
    idea_threshold: Mapped[int] = mapped_column(Integer, default=20, server_default="20")

    street: Mapped[Street] = relationship(back_populates="communities")
    buildings: Mapped[list[Building]] = relationship(
        back_populates="community", order_by="Building.sort_order, Building.id"
    )


class Building(db.Model):
    """楼栋."""

    __tablename__ = "buildings"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(30))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    community: Mapped[Community] = relationship(back_populates="buildings")
    households: Mapped[list[Household]] = relationship(
        back_populates="building", order_by="Household.unit, Household.room"
    )


class Household(db.Model):
    """户 / 专有部分: one dwelling, with its floor area in 0.01 m²."""

    __tablename__ = "households"
    __table_args__ = (
        UniqueConstraint("building_id", "unit", "room"),
        CheckConstraint("area_centi_m2 > 0", name="area_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id", ondelete="CASCADE"), index=True)
    unit: Mapped[str] = mapped_column(String(10))
    room: Mapped[str] = mapped_column(String(10))
    area_centi_m2: Mapped[int] = mapped_column(Integer)
    developer_unsold: Mapped[bool] = mapped_column(Boolean, default=False)

    building: Mapped[Building] = relationship(back_populates="households")
    owners: Mapped[list[HouseholdOwner]] = relationship(
        back_populates="household", cascade="all, delete-orphan", order_by="HouseholdOwner.id"
    )

    @property
    def label(self) -> str:
        return f"{self.building.name} {self.unit}-{self.room}"

    @property
    def representative(self) -> HouseholdOwner | None:
        return next((o for o in self.owners if o.is_representative), None)


class HouseholdOwner(db.Model):
    """An owner on the household register; a co-owned unit names one representative."""

    __tablename__ = "household_owners"
    __table_args__ = (UniqueConstraint("household_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(11), index=True)
    is_representative: Mapped[bool] = mapped_column(Boolean, default=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    household: Mapped[Household] = relationship(back_populates="owners")


class Membership(TimestampMixin, db.Model):
    """A user's membership of one community: status, household and roles."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "community_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id", ondelete="SET NULL"), index=True)
    relation: Mapped[Relation | None] = mapped_column(str_enum(Relation, "relation"))
    status: Mapped[MembershipStatus] = mapped_column(
        str_enum(MembershipStatus, "membership_status"), default=MembershipStatus.PENDING
    )
    review_note: Mapped[str] = mapped_column(String(200), default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    invite_id: Mapped[int | None] = mapped_column(ForeignKey("invite_codes.id", ondelete="SET NULL"))

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    community: Mapped[Community] = relationship()
    household: Mapped[Household | None] = relationship()
    roles: Mapped[list[MemberRole]] = relationship(
        back_populates="membership", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_verified(self) -> bool:
        return self.status == MembershipStatus.VERIFIED

    @property
    def role_names(self) -> set[str]:
        return {r.role.value for r in self.roles} if self.is_verified else set()

    def has_role(self, *roles: Role) -> bool:
        """True if verified and holding any of the roles."""
        names = self.role_names
        return any(role.value in names for role in roles)

    def led_building_ids(self) -> set[int]:
        if not self.is_verified:
            return set()
        return {r.building_id for r in self.roles if r.role == Role.BUILDING_LEADER and r.building_id}

    @property
    def building_id(self) -> int | None:
        return self.household.building_id if self.household else None


class MemberRole(db.Model):
    """One role held by a membership; a building leader's role names the building."""

    __tablename__ = "member_roles"
    __table_args__ = (
        UniqueConstraint("membership_id", "role"),
        CheckConstraint("(role = 'building_leader') = (building_id IS NOT NULL)", name="building_only_for_leader"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "member_role"))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id", ondelete="CASCADE"))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    membership: Mapped[Membership] = relationship(back_populates="roles")
    building: Mapped[Building | None] = relationship()


class OfficeAssignment(db.Model):
    """Street or district staff: sees and reports across the communities below."""

    __tablename__ = "office_assignments"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "street_id", "district_id"),
        CheckConstraint(
            "(role = 'street_staff' AND street_id IS NOT NULL AND district_id IS NULL)"
            " OR (role = 'district_staff' AND district_id IS NOT NULL AND street_id IS NULL)",
            name="scope_matches_role",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[OfficeRole] = mapped_column(str_enum(OfficeRole, "office_role"))
    street_id: Mapped[int | None] = mapped_column(ForeignKey("streets.id", ondelete="CASCADE"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))

    street: Mapped[Street | None] = relationship()
    district: Mapped[District | None] = relationship()


class ExpertAppointment(db.Model):
    """An expert named by a street's or the district's staff (专家组): screens needs and scores service-project
    applications in that street's or district's communities. Naming gives no sight of a community's members."""

    __tablename__ = "expert_appointments"
    __table_args__ = (
        CheckConstraint(
            "(street_id IS NOT NULL AND district_id IS NULL) OR (street_id IS NULL AND district_id IS NOT NULL)",
            name="expert_scope_is_street_or_district",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    street_id: Mapped[int | None] = mapped_column(ForeignKey("streets.id", ondelete="CASCADE"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(60), default="")  # their field: 养老, 社工, 财务, ...
    appointed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    appointed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    street: Mapped[Street | None] = relationship()
    district: Mapped[District | None] = relationship()


class InviteCode(TimestampMixin, db.Model):
    """A join code, community-wide or for one building, printed as a QR poster."""

    __tablename__ = "invite_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    community: Mapped[Community] = relationship()
    building: Mapped[Building | None] = relationship()
