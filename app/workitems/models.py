"""Departments and their officers, requests for work items, the yearly rounds, and communities' objections."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import TimestampMixin, UTCDateTime, str_enum, utcnow
from app.extensions import db

MAX_HOURS = 744  # hours in a 31-day month: more than that per community is no estimate


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    ADMITTED = "admitted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class Department(db.Model):
    """A district department (区民政局, 区城管局...) that may ask to place work on communities."""

    __tablename__ = "workitem_departments"
    __table_args__ = (UniqueConstraint("district_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    district = relationship("District")
    officers: Mapped[list[DepartmentOfficer]] = relationship(
        back_populates="department", cascade="all, delete-orphan", order_by="DepartmentOfficer.id"
    )


class DepartmentOfficer(db.Model):
    """A user named by district staff to speak for a department: requests its work items."""

    __tablename__ = "workitem_officers"
    __table_args__ = (UniqueConstraint("department_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("workitem_departments.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    named_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    department: Mapped[Department] = relationship(back_populates="officers")
    user = relationship("User", foreign_keys=[user_id], lazy="joined")


class ReviewRound(db.Model):
    """准入审核: the yearly round. Requests for `year` that are not urgent are decided together once it closes."""

    __tablename__ = "workitem_rounds"
    __table_args__ = (UniqueConstraint("district_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    closes_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WorkItemRequest(TimestampMixin, db.Model):
    """A department's request to place a work item on the communities; admitted, it is on the year's list."""

    __tablename__ = "workitem_requests"
    __table_args__ = (
        UniqueConstraint("department_id", "requested_by_id", "client_id"),
        CheckConstraint(f"hours_per_month >= 0 AND hours_per_month <= {MAX_HOURS}", name="hours_in_range"),
        CheckConstraint("NOT urgent OR urgent_reason <> ''", name="urgent_has_reason"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("workitem_departments.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    client_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(100))
    duties: Mapped[str] = mapped_column(Text)  # what the communities must do
    basis: Mapped[str] = mapped_column(Text)  # why: the legal basis or purpose
    hours_per_month: Mapped[int] = mapped_column(Integer)  # per community
    starts_on: Mapped[date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer, index=True)  # the list it is for: the year of starts_on
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    urgent_reason: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus, "workitem_status"), default=RequestStatus.PENDING
    )
    round_id: Mapped[int | None] = mapped_column(ForeignKey("workitem_rounds.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str] = mapped_column(String(500), default="")

    department: Mapped[Department] = relationship()
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])


class WorkItemObjection(db.Model):
    """反映: community staff report work placed on their community outside the admitted list."""

    __tablename__ = "workitem_objections"
    __table_args__ = (UniqueConstraint("community_id", "reporter_id", "client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("workitem_departments.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    client_id: Mapped[str] = mapped_column(String(64))
    what: Mapped[str] = mapped_column(Text)
    placed_on: Mapped[date] = mapped_column(Date)  # when the work was placed on the community
    evidence: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    community = relationship("Community")
    department: Mapped[Department] = relationship()
    reporter = relationship("User", foreign_keys=[reporter_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])
