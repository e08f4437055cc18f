"""Needs, the households that share them, and the guidance list's items."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import TimestampMixin, UTCDateTime, str_enum, utcnow
from app.extensions import db


class Affected(enum.StrEnum):
    """Who a need affects."""

    ELDERLY = "elderly"
    YOUTH = "youth"
    DISABLED = "disabled"
    LOW_INCOME = "low_income"
    ALL = "all"


class NeedStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    SCREENING = "screening"  # before the expert group
    LISTED = "listed"  # screened in: part of a guidance item
    DECLINED = "declined"  # screened out, with the reason
    WITHDRAWN = "withdrawn"


class Need(TimestampMixin, db.Model):
    """One need in one community, raised by a member (or from an idea or a consultation's outcome)."""

    __tablename__ = "needs"
    __table_args__ = (UniqueConstraint("community_id", "author_id", "client_id", name="uq_needs_client"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    client_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    affected: Mapped[Affected] = mapped_column(str_enum(Affected, "need_affected"), default=Affected.ALL)
    place: Mapped[str] = mapped_column(String(120), default="")  # where: a building, the square, ...
    households_estimate: Mapped[int] = mapped_column(Integer, default=0)  # the submitter's estimate
    status: Mapped[NeedStatus] = mapped_column(str_enum(NeedStatus, "need_status"), default=NeedStatus.SUBMITTED)
    status_reason: Mapped[str] = mapped_column(String(300), default="")
    # raised from another feature's thing: ("idea", id) or ("consultation", id); written by a flow
    source_kind: Mapped[str | None] = mapped_column(String(32))
    source_id: Mapped[int | None] = mapped_column(Integer)
    guidance_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("guidance_items.id", ondelete="SET NULL"), index=True
    )
    # staff closed the experts' screening: scores are final from then on
    screening_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    community = relationship("Community")
    building = relationship("Building")
    author = relationship("User", foreign_keys=[author_id])
    supports: Mapped[list[NeedSupport]] = relationship(back_populates="need", cascade="all, delete-orphan")
    photos: Mapped[list[NeedPhoto]] = relationship(
        back_populates="need", cascade="all, delete-orphan", order_by="NeedPhoto.position"
    )
    events: Mapped[list[NeedEvent]] = relationship(
        back_populates="need", cascade="all, delete-orphan", order_by="NeedEvent.id"
    )
    scores: Mapped[list[NeedScore]] = relationship(
        back_populates="need", cascade="all, delete-orphan", order_by="NeedScore.id"
    )
    guidance_item: Mapped[GuidanceItem | None] = relationship(back_populates="needs")


class NeedSupport(db.Model):
    """ "我家也需要": one per household, by the database."""

    __tablename__ = "need_supports"
    __table_args__ = (UniqueConstraint("need_id", "household_id", name="uq_need_supports_household"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    need: Mapped[Need] = relationship(back_populates="supports")


class NeedPhoto(db.Model):
    """A photo of the need, stored through core.uploads as ideas' are."""

    __tablename__ = "need_photos"
    __table_args__ = (UniqueConstraint("need_id", "photo_id", name="uq_need_photos_photo"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    need: Mapped[Need] = relationship(back_populates="photos")
    photo = relationship("Photo", lazy="joined")


class NeedEvent(db.Model):
    """One step of a need's history: its status, who moved it and the reason its author reads."""

    __tablename__ = "need_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_status: Mapped[NeedStatus | None] = mapped_column(str_enum(NeedStatus, "need_event_from"))
    to_status: Mapped[NeedStatus] = mapped_column(str_enum(NeedStatus, "need_event_to"))
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    need: Mapped[Need] = relationship(back_populates="events")


class NeedScore(TimestampMixin, db.Model):
    """One expert's scores of one need on the published criteria, each 1 to 5, with the reason: one set per
    expert per need (changed in place until staff close the screening)."""

    __tablename__ = "need_scores"
    __table_args__ = (
        UniqueConstraint("need_id", "expert_id", name="uq_need_scores_expert"),
        CheckConstraint("urgency BETWEEN 1 AND 5", name="need_score_urgency_range"),
        CheckConstraint("households BETWEEN 1 AND 5", name="need_score_households_range"),
        CheckConstraint("feasibility BETWEEN 1 AND 5", name="need_score_feasibility_range"),
        CheckConstraint("cost BETWEEN 1 AND 5", name="need_score_cost_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    urgency: Mapped[int] = mapped_column(Integer)
    households: Mapped[int] = mapped_column(Integer)
    feasibility: Mapped[int] = mapped_column(Integer)
    cost: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")

    need: Mapped[Need] = relationship(back_populates="scores")
    expert = relationship("User", lazy="joined")


class GuidanceStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class GuidanceItem(TimestampMixin, db.Model):
    """An item of a year's project guidance list (项目指引清单): for one community, or street-wide
    (community_id None), made of screened needs. Contests, micro-projects and service projects answer one."""

    __tablename__ = "guidance_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text, default="")
    affected: Mapped[Affected] = mapped_column(str_enum(Affected, "guidance_affected"), default=Affected.ALL)
    # the cost band the screening put it in, in fen (inclusive bounds)
    cost_low_fen: Mapped[int] = mapped_column(Integer, default=0)
    cost_high_fen: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[GuidanceStatus] = mapped_column(
        str_enum(GuidanceStatus, "guidance_status"), default=GuidanceStatus.DRAFT
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    needs: Mapped[list[Need]] = relationship(back_populates="guidance_item", order_by="Need.id")
    community = relationship("Community")  # None for a street-wide item
