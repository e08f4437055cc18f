"""Notices and who has read them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.communities.models import Building
from app.core.models import TimestampMixin, UTCDateTime, utcnow
from app.extensions import db


class Notice(TimestampMixin, db.Model):
    """A notice to the whole community (building_id None) or one building, until it expires or is withdrawn.

    Attachments (quotes, inspection reports) are the documents kernel's: it attaches files to a notice by its
    id, and the notice page shows them below the body."""

    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("community_id", "author_id", "client_id", name="uq_notices_client"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    client_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    author: Mapped[User | None] = relationship()
    building: Mapped[Building | None] = relationship()

    def is_active(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.withdrawn_at is None and (self.expires_at is None or self.expires_at > now)

    @property
    def notification_key(self) -> str:
        """The key of its notifications: one per person, and the channels' counts are read by it."""
        return f"notice:{self.id}"


class NoticeRead(db.Model):
    """A person opened the notice (once); their household counts as having read it."""

    __tablename__ = "notice_reads"
    __table_args__ = (UniqueConstraint("notice_id", "user_id", name="uq_notice_reads"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id", ondelete="SET NULL"))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
