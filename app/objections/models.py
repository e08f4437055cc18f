"""An objection raised during a 公示 period, keyed by what it objects to (`owner_kind`, `owner_id`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import HideableMixin, UTCDateTime, utcnow
from app.extensions import db


class Objection(HideableMixin, db.Model):
    """An objection with the answer given to it; moderated (reported, hidden with a reason) like any post.

    `owner_kind` names what it objects to: "poll" (a poll's published result: owners' decisions, contests),
    "meeting" (a meeting's published minutes); `owner_id` is that thing's id."""

    __tablename__ = "objections"
    __table_args__ = (
        UniqueConstraint("owner_kind", "owner_id", "author_id", "client_id"),
        Index("ix_objections_owner", "owner_kind", "owner_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    owner_kind: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    author = relationship("User", foreign_keys=[author_id], lazy="joined")
