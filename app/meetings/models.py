"""Meetings, their agenda, who attended (in the hall or online) and the objections to their minutes."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import TimestampMixin, UTCDateTime, str_enum, utcnow
from app.extensions import db


class MeetingState(enum.StrEnum):
    DRAFT = "draft"  # the agenda is being put together
    SCHEDULED = "scheduled"  # announced to those in scope
    OPEN = "open"  # under way: the chair moves through the agenda
    CLOSED = "closed"  # over; the minutes can be published
    CANCELLED = "cancelled"  # called off before it started, with a reason


class Via(enum.StrEnum):
    """How an attendance was recorded."""

    HALL = "hall"  # signed in by scanning the sheet's QR code
    TICKED = "ticked"  # in the hall, ticked on the list by staff (no phone)
    ONLINE = "online"  # in the consultation's online room during the meeting


IN_THE_HALL = (Via.HALL, Via.TICKED)


class Meeting(TimestampMixin, db.Model):
    """A meeting (议事会) of a consultation: in the hall and in the consultation's online room at once."""

    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("consultation_id", "created_by_id", "client_id", name="uq_meetings_client"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    client_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(100))
    place: Mapped[str] = mapped_column(String(100))
    online_room: Mapped[str] = mapped_column(String(200), default="", server_default="")  # e.g. 腾讯会议号
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[MeetingState] = mapped_column(str_enum(MeetingState, "meeting_state"), default=MeetingState.DRAFT)
    current_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL", use_alter=True, name="fk_meetings_current_item")
    )
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the minutes, for 公示
    objections_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    consultation = relationship("Consultation")
    community = relationship("Community")
    created_by = relationship("User", foreign_keys=[created_by_id])
    items: Mapped[list[AgendaItem]] = relationship(
        "AgendaItem",
        foreign_keys="AgendaItem.meeting_id",
        order_by="AgendaItem.position",
        back_populates="meeting",
        cascade="all, delete-orphan",
    )
    current_item = relationship("AgendaItem", foreign_keys=[current_item_id], post_update=True)

    @property
    def notification_key(self) -> str:
        return f"meeting:{self.id}"


class AgendaItem(db.Model):
    """One item of the agenda, pointing (by kind and id, through app/meetings/registry.py) to a motion, an
    idea, a micro-project or a decision, or to nothing (any other business)."""

    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("meeting_id", "position", name="uq_agenda_items_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    ref_kind: Mapped[str | None] = mapped_column(String(32))
    ref_id: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(Text, default="")  # what the meeting settled on it, for the minutes

    meeting = relationship("Meeting", foreign_keys=[meeting_id], back_populates="items")


class MeetingAttendance(db.Model):
    """One person at the meeting, once: signed in in the hall, ticked by staff, or counted online."""

    __tablename__ = "meeting_attendances"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id", name="uq_meeting_attendances"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    via: Mapped[Via] = mapped_column(str_enum(Via, "meeting_via"))
    ticked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
