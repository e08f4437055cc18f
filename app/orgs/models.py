"""The registry of social organisations: one row per organisation in a district, its qualifications (each
with an expiry) and the users who act for it."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.models import TimestampMixin, UTCDateTime, str_enum, utcnow
from app.extensions import db


class OrgKind(enum.StrEnum):
    SOCIAL_SERVICE = "social_service"  # 社会服务机构 (民办非企业单位)
    ASSOCIATION = "association"  # 社会团体
    FOUNDATION = "foundation"  # 基金会
    COMMUNITY_GROUP = "community_group"  # 社区社会组织 (备案)


class OrgStatus(enum.StrEnum):
    PENDING = "pending"  # registered, not yet verified by street or district staff
    VERIFIED = "verified"
    SUSPENDED = "suspended"  # verification withdrawn (with a reason): may not apply or be awarded


class Organisation(TimestampMixin, db.Model):
    """A social organisation registered in one district (optionally under one street's centre)."""

    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("registration_number", name="uq_organisations_registration_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"), index=True)
    street_id: Mapped[int | None] = mapped_column(ForeignKey("streets.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # 统一社会信用代码: 18 characters
    registration_number: Mapped[str] = mapped_column(String(18))
    kind: Mapped[OrgKind] = mapped_column(str_enum(OrgKind, "org_kind"))
    # the service areas it works in: the ideas' category values (elderly, youth, ...)
    service_areas: Mapped[list] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[OrgStatus] = mapped_column(str_enum(OrgStatus, "org_status"), default=OrgStatus.PENDING)
    status_reason: Mapped[str] = mapped_column(String(200), default="")
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    qualifications: Mapped[list[Qualification]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Qualification.expires_on"
    )
    agents: Mapped[list[OrgAgent]] = relationship(back_populates="organisation", cascade="all, delete-orphan")

    def qualified_on(self, day: date) -> bool:
        """Verified, and holding at least one qualification that has not expired on `day`."""
        return self.status == OrgStatus.VERIFIED and any(q.expires_on >= day for q in self.qualifications)

    def is_agent(self, user_id: int | None) -> bool:
        return user_id is not None and any(a.user_id == user_id for a in self.agents)


class Qualification(db.Model):
    """A licence or certificate the organisation holds (等级评估, 资质证书), valid until `expires_on` inclusive."""

    __tablename__ = "org_qualifications"
    __table_args__ = (UniqueConstraint("organisation_id", "client_id", name="uq_org_qualifications_client"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    number: Mapped[str] = mapped_column(String(60), default="")
    expires_on: Mapped[date] = mapped_column(Date)
    client_id: Mapped[str | None] = mapped_column(String(64))  # a double-tapped form adds it once
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="qualifications")


class OrgAgent(db.Model):
    """A user who acts for the organisation (applies, posts progress, enters contests in its name)."""

    __tablename__ = "org_agents"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id", name="uq_org_agents"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="agents")
    user: Mapped[User] = relationship(lazy="joined")
