"""Contests and their entries. Money is integer fen; dates are UTC instants.

The vote itself lives in app/voting (a Poll of type "contest" whose subject is the contest):
nothing here records who voted or what.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import TimestampMixin, UTCDateTime, str_enum, utcnow
from app.extensions import db


class Phase(enum.StrEnum):
    SUBMISSION = "submission"  # 征集
    SCREENING = "screening"  # 初筛
    VOTING = "voting"  # 投票
    COUNTING = "counting"  # 计票
    ANNOUNCED = "announced"  # 公示 (objection period)
    CLOSED = "closed"  # 结束


class BallotUnit(enum.StrEnum):
    RESIDENT = "resident"  # one ballot per verified resident
    HOUSEHOLD = "household"  # one ballot per household


class EntryStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # waiting for screening
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"


class Contest(TimestampMixin, db.Model):
    """A proposal contest with its phase dates: each date is the end of its phase."""

    __tablename__ = "contests"
    __table_args__ = (
        UniqueConstraint("community_id", "created_by_id", "client_id"),
        CheckConstraint("max_choices >= 1", name="max_choices_positive"),
        CheckConstraint("winner_count >= 1", name="winner_count_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    client_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    phase: Mapped[Phase] = mapped_column(str_enum(Phase, "contest_phase"), default=Phase.SUBMISSION)
    max_choices: Mapped[int] = mapped_column(Integer, default=3)  # k: entries a ballot may choose
    winner_count: Mapped[int] = mapped_column(Integer, default=3)  # the top entries that win
    ballot_unit: Mapped[BallotUnit] = mapped_column(str_enum(BallotUnit, "ballot_unit"), default=BallotUnit.RESIDENT)
    secret: Mapped[bool] = mapped_column(Boolean, default=True)
    fund_year: Mapped[int] = mapped_column(Integer)  # the micro-fund year winners are granted from
    submission_ends: Mapped[datetime] = mapped_column(UTCDateTime())
    screening_ends: Mapped[datetime] = mapped_column(UTCDateTime())
    voting_ends: Mapped[datetime] = mapped_column(UTCDateTime())
    announced_ends: Mapped[datetime] = mapped_column(UTCDateTime())  # the end of 公示 (objections)
    poll_id: Mapped[int | None] = mapped_column(ForeignKey("polls.id", ondelete="RESTRICT"))
    # 项目推介会 / 创意赛: agents of verified social organisations may enter in their organisation's name
    admits_organisations: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # every entry answers a published item of the guidance list (项目指引清单) of the community or its street
    requires_guidance: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    entries: Mapped[list[Entry]] = relationship(back_populates="contest", order_by="Entry.id")

    @property
    def room(self) -> str:
        return f"contest:{self.id}"


class Entry(db.Model):
    """A proposal (参赛提案) with its budget, by a resident or, in a contest that admits them, by a social
    organisation (entered by one of its agents: `organisation_id`); screened eligible or not, with a reason."""

    __tablename__ = "contest_entries"
    __table_args__ = (
        UniqueConstraint("contest_id", "author_id", "client_id"),
        CheckConstraint("budget_fen > 0", name="budget_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id", ondelete="SET NULL"))
    client_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(100))
    summary: Mapped[str] = mapped_column(Text)
    budget_fen: Mapped[int] = mapped_column(Integer)
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"), index=True)
    status: Mapped[EntryStatus] = mapped_column(
        str_enum(EntryStatus, "contest_entry_status"), default=EntryStatus.SUBMITTED
    )
    screening_reason: Mapped[str] = mapped_column(String(500), default="")
    screened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    screened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    project_id: Mapped[int | None] = mapped_column(ForeignKey("micro_projects.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    guidance_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("guidance_items.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    contest: Mapped[Contest] = relationship(back_populates="entries")
    author = relationship("User", foreign_keys=[author_id], lazy="joined")
    idea = relationship("Idea")
    organisation = relationship("Organisation", lazy="joined")
    guidance_item = relationship("GuidanceItem")
