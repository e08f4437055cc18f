"""The micro-fund and its ledger, micro-projects and their budget lines. Money is integer fen."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import TimestampMixin, UTCDateTime, str_enum, utcnow
from app.extensions import db


class ProjectStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    EVALUATED = "evaluated"


class EntryKind(enum.StrEnum):
    ALLOCATION = "allocation"  # money set aside for a project on approval
    EXPENDITURE = "expenditure"  # money spent by the project, with a receipt


class Fund(TimestampMixin, db.Model):
    """A community's micro-fund for one year."""

    __tablename__ = "funds"
    __table_args__ = (
        UniqueConstraint("community_id", "year"),
        CheckConstraint("total_fen >= 0", name="total_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    total_fen: Mapped[int] = mapped_column(Integer)


class MicroProject(TimestampMixin, db.Model):
    """A small funded community project, applied for by a resident group or a social organisation."""

    __tablename__ = "micro_projects"
    __table_args__ = (
        CheckConstraint("granted_fen >= 0", name="granted_not_negative"),
        # a retried application (same form, same client_id) is one project; NULL for those made otherwise
        UniqueConstraint("community_id", "applicant_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("funds.id", ondelete="RESTRICT"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    client_id: Mapped[str | None] = mapped_column(String(64))
    # the golden idea this project was adopted from, if any (the idea links back through this column)
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"), index=True)
    # the guidance list's item (项目指引清单) this project answers, if any: chosen by the community's staff
    guidance_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("guidance_items.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ProjectStatus] = mapped_column(
        str_enum(ProjectStatus, "project_status"), default=ProjectStatus.DRAFT
    )
    granted_fen: Mapped[int] = mapped_column(Integer, default=0)

    lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="BudgetLine.position"
    )

    @property
    def budget_fen(self) -> int:
        return sum(line.total_fen for line in self.lines)


class BudgetLine(db.Model):
    """One line of a budget: item, quantity, unit price (fen); the total is computed, never stored."""

    __tablename__ = "budget_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_fen >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("micro_projects.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    item: Mapped[str] = mapped_column(String(100))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_fen: Mapped[int] = mapped_column(Integer)

    project: Mapped[MicroProject] = relationship(back_populates="lines")

    @property
    def total_fen(self) -> int:
        return self.quantity * self.unit_price_fen


class LedgerEntry(db.Model):
    """An allocation to a project or an expenditure by it. Append-only."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        # a retried expenditure (same form, same client_id) is one entry; NULL for allocations
        UniqueConstraint("project_id", "actor_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id", ondelete="RESTRICT"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("micro_projects.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind, "ledger_kind"))
    amount_fen: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(200), default="")
    receipt_photo_id: Mapped[int | None] = mapped_column(ForeignKey("photos.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    client_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProjectEvent(db.Model):
    """A status change with the reviewer's or applicant's comment (the applicant sees every one)."""

    __tablename__ = "project_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("micro_projects.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_status: Mapped[ProjectStatus | None] = mapped_column(str_enum(ProjectStatus, "project_event_from"))
    to_status: Mapped[ProjectStatus] = mapped_column(str_enum(ProjectStatus, "project_event_to"))
    comment: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor = relationship("User")


class Rating(db.Model):
    """A household's 1–5 rating of a completed project: one per household, by the database."""

    __tablename__ = "project_ratings"
    __table_args__ = (
        UniqueConstraint("project_id", "household_id"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("micro_projects.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProgressPost(db.Model):
    """A progress report on a project under way, optionally a milestone, with photos."""

    __tablename__ = "progress_posts"
    __table_args__ = (UniqueConstraint("project_id", "author_id", "client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("micro_projects.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    client_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    milestone: Mapped[str] = mapped_column(String(100), default="")  # e.g. "书架到位"; empty for an ordinary post
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author = relationship("User", lazy="joined")
    photos: Mapped[list[ProgressPhoto]] = relationship(
        back_populates="post", cascade="all, delete-orphan", order_by="ProgressPhoto.position"
    )


class ProgressPhoto(db.Model):
    __tablename__ = "progress_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("progress_posts.id", ondelete="CASCADE"), index=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    post: Mapped[ProgressPost] = relationship(back_populates="photos")
    photo = relationship("Photo", lazy="joined")
