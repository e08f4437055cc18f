"""Ballots: one per voter per poll, enforced by the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import UTCDateTime, utcnow
from app.extensions import db


class Ballot(db.Model):
    """One voter's ballot in one poll (a motion today; contests and owners' decisions later)."""

    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("poll_type", "poll_id", "voter_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    poll_type: Mapped[str] = mapped_column(String(20))
    poll_id: Mapped[int] = mapped_column(Integer)
    voter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    choice: Mapped[str] = mapped_column(String(20))
    receipt: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
