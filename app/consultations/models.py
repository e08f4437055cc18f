"""Consultations and what happens in them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import HideableMixin, TimestampMixin, UTCDateTime, str_enum, utcnow
from app.extensions import db
from app.procedure.engine import Stance


class Phase(enum.StrEnum):
    DRAFT = "draft"  # 草稿
    OPEN = "open"  # 讨论
    VOTING = "voting"  # 表决
    CONCLUDED = "concluded"  # 结束
    ARCHIVED = "archived"  # 归档


PHASE_ORDER = [Phase.DRAFT, Phase.OPEN, Phase.VOTING, Phase.CONCLUDED, Phase.ARCHIVED]


class Party(enum.StrEnum):
    """Parties taking part (参与方)."""

    RESIDENTS_COMMITTEE = "residents_committee"  # 居委会
    OWNERS_COMMITTEE = "owners_committee"  # 业委会
    PROPERTY_MANAGER = "property_manager"  # 物业
    SOCIAL_ORG = "social_org"  # 社会组织
    RESIDENT_UNIT = "resident_unit"  # 驻区单位
    RESIDENTS = "residents"  # 居民


class MotionState(enum.StrEnum):
    MOVED = "moved"  # waiting for a second
    DEBATE = "debate"  # seconded (or no second needed): under debate
    VOTING = "voting"
    CARRIED = "carried"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"  # never seconded, or the consultation ended first


PENDING_MOTION_STATES = (MotionState.MOVED, MotionState.DEBATE, MotionState.VOTING)


class Consultation(TimestampMixin, db.Model):
    """A deliberation thread (协商议题) with its live room."""

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(100))
    background: Mapped[str] = mapped_column(Text, default="")  # Markdown as written
    background_html: Mapped[str] = mapped_column(Text, default="")  # sanitised HTML
    parties: Mapped[list] = mapped_column(JSON, default=list)
    chair_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("rule_sets.id", ondelete="RESTRICT"))
    phase: Mapped[Phase] = mapped_column(str_enum(Phase, "consultation_phase"), default=Phase.DRAFT)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    participant_count: Mapped[int] = mapped_column(Integer, default=0)
    # a meeting of it is under way in the hall (set by app/flows/meetings.py): who joins the room is counted there
    meeting_under_way: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # the floor, in formal mode
    floor_holder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    floor_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    floor_stance: Mapped[Stance | None] = mapped_column(str_enum(Stance, "floor_stance"))
    last_stance: Mapped[Stance | None] = mapped_column(str_enum(Stance, "last_stance"))

    community = relationship("Community")
    building = relationship("Building")
    chair = relationship("User", foreign_keys=[chair_id])
    floor_holder = relationship("User", foreign_keys=[floor_holder_id])
    rule_set = relationship("RuleSet")

    @property
    def room(self) -> str:
        return f"consultation:{self.id}"


class Speech(HideableMixin, db.Model):
    """A message (发言). Ids increase within a consultation; a retried client_id stores nothing new."""

    __tablename__ = "speeches"
    __table_args__ = (UniqueConstraint("consultation_id", "author_id", "client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    stance: Mapped[Stance | None] = mapped_column(str_enum(Stance, "speech_stance"))
    motion_id: Mapped[int | None] = mapped_column(ForeignKey("motions.id", ondelete="SET NULL"), index=True)
    by_chair: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author = relationship("User", lazy="joined")
    consultation = relationship("Consultation")


class HandRaise(db.Model):
    """A member in the queue for the floor (formal mode)."""

    __tablename__ = "hand_raises"
    __table_args__ = (UniqueConstraint("consultation_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    stance: Mapped[Stance | None] = mapped_column(str_enum(Stance, "hand_stance"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User", lazy="joined")


class Motion(db.Model):
    """A motion (动议): moved, seconded, debated, voted, recorded."""

    __tablename__ = "motions"
    __table_args__ = (UniqueConstraint("consultation_id", "mover_id", "client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    mover_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    client_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(String(500))
    state: Mapped[MotionState] = mapped_column(str_enum(MotionState, "motion_state"), default=MotionState.MOVED)
    seconder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    seconded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    vote_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    votes_for: Mapped[int] = mapped_column(Integer, default=0)
    votes_against: Mapped[int] = mapped_column(Integer, default=0)
    abstentions: Mapped[int] = mapped_column(Integer, default=0)
    eligible: Mapped[int] = mapped_column(Integer, default=0)
    quorum_met: Mapped[bool | None] = mapped_column(Boolean)
    # a slow consultation's proposal (异步协商): positions are stated until this time, then counted in its poll
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    mover = relationship("User", foreign_keys=[mover_id], lazy="joined")
    seconder = relationship("User", foreign_keys=[seconder_id], lazy="joined")
    consultation = relationship("Consultation")

    @property
    def is_pending(self) -> bool:
        return self.state in PENDING_MOTION_STATES

    @property
    def is_slow_proposal(self) -> bool:
        return self.closes_at is not None


class Attendance(db.Model):
    """Who took part in the room (for the minutes and the quorum)."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("consultation_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User", lazy="joined")
