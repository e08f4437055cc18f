"""Ideas, their photos, endorsements, comments and status history."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import HideableMixin, TimestampMixin, UTCDateTime, str_enum, utcnow
from app.extensions import db


class Category(enum.StrEnum):
    ELDERLY = "elderly"  # 养老
    YOUTH = "youth"  # 青少年
    ENVIRONMENT = "environment"  # 环境卫生
    SAFETY = "safety"  # 安全
    PARKING = "parking"  # 停车
    CULTURE = "culture"  # 文化
    OTHER = "other"  # 其他


class IdeaStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    ADOPTED = "adopted"
    MERGED = "merged"
    DECLINED = "declined"
    IMPLEMENTED = "implemented"


class Idea(HideableMixin, TimestampMixin, db.Model):
    """A resident's suggestion. A retried submission (same client_id) stores one idea."""

    __tablename__ = "ideas"
    __table_args__ = (UniqueConstraint("community_id", "author_id", "client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id", ondelete="SET NULL"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[Category] = mapped_column(str_enum(Category, "idea_category"))
    status: Mapped[IdeaStatus] = mapped_column(str_enum(IdeaStatus, "idea_status"), default=IdeaStatus.SUBMITTED)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"))
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id", ondelete="SET NULL"))
    endorsement_count: Mapped[int] = mapped_column(Integer, default=0)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    threshold_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    author = relationship("User", lazy="joined")
    building = relationship("Building")
    merged_into: Mapped[Idea | None] = relationship(remote_side=[id])
    photos: Mapped[list[IdeaPhoto]] = relationship(
        back_populates="idea", cascade="all, delete-orphan", order_by="IdeaPhoto.position"
    )
    events: Mapped[list[IdeaEvent]] = relationship(
        back_populates="idea", cascade="all, delete-orphan", order_by="IdeaEvent.id"
    )


class IdeaPhoto(db.Model):
    __tablename__ = "idea_photos"
    __table_args__ = (UniqueConstraint("idea_id", "photo_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    idea: Mapped[Idea] = relationship(back_populates="photos")
    photo = relationship("Photo", lazy="joined")


class Endorsement(db.Model):
    """One member's support of an idea (附议/点赞): one per member, by the database."""

    __tablename__ = "endorsements"
    __table_args__ = (UniqueConstraint("idea_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IdeaComment(HideableMixin, db.Model):
    __tablename__ = "idea_comments"
    __table_args__ = (UniqueConstraint("idea_id", "author_id", "client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    client_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author = relationship("User", lazy="joined")


class IdeaEvent(db.Model):
    """A status change with its reason: the submitter sees every one (need → feedback)."""

    __tablename__ = "idea_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_status: Mapped[IdeaStatus | None] = mapped_column(str_enum(IdeaStatus, "idea_event_from"))
    to_status: Mapped[IdeaStatus] = mapped_column(str_enum(IdeaStatus, "idea_event_to"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    idea: Mapped[Idea] = relationship(back_populates="events")
    actor = relationship("User")
