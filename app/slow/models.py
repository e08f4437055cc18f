"""Replies, reactions and positions of a slow consultation (the proposals are the consultation's motions)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import HideableMixin, UTCDateTime, str_enum, utcnow
from app.extensions import db
from app.procedure.engine import Choice


class ReplyStance(enum.StrEnum):
    FOR = "for"  # 赞成
    AGAINST = "against"  # 反对
    NEUTRAL = "neutral"  # 中立
    QUESTION = "question"  # 提问


class Reaction(enum.StrEnum):
    AGREE = "agree"  # 同意
    USEFUL = "useful"  # 有用


class Reply(HideableMixin, db.Model):
    """A reply under the background (parent None) or under another reply (one level only). A retried
    client_id stores nothing new; an edit keeps the reply and marks it edited."""

    __tablename__ = "slow_replies"
    __table_args__ = (
        UniqueConstraint("consultation_id", "author_id", "client_id", name="uq_slow_replies_client"),
        Index("ix_slow_replies_thread", "consultation_id", "parent_id", "id"),
        Index("ix_slow_replies_author_time", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("slow_replies.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    client_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)  # as written (plain text; shown through markup.render_plain)
    stance: Mapped[ReplyStance | None] = mapped_column(str_enum(ReplyStance, "reply_stance"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    agree_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    useful_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    author = relationship("User", lazy="joined")
    consultation = relationship("Consultation")


class ReplyReaction(db.Model):
    """同意 or 有用 on a reply: one per person per reply (changing it replaces it)."""

    __tablename__ = "slow_reactions"
    __table_args__ = (UniqueConstraint("reply_id", "user_id", name="uq_slow_reactions_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reply_id: Mapped[int] = mapped_column(ForeignKey("slow_replies.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[Reaction] = mapped_column(str_enum(Reaction, "reply_reaction"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Position(db.Model):
    """A member's position on a slow proposal, with a reason: changed at will until the proposal closes, then
    cast as their ballot in the motion's poll."""

    __tablename__ = "slow_positions"
    __table_args__ = (UniqueConstraint("motion_id", "user_id", name="uq_slow_positions_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    choice: Mapped[Choice] = mapped_column(str_enum(Choice, "position_choice"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    user = relationship("User", lazy="joined")
