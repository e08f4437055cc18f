"""Notifications: the inbox, each person's choices of channel, and the deliveries outside the app."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import UTCDateTime, str_enum, utcnow
from app.extensions import db
from app.notifications.kinds import Channel, Mode


class Notification(db.Model):
    """A message to one user, shown in the inbox and pushed live.

    `key` (optional) makes it once per user: a reminder for one vote, a notice, sent again, is the same row."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_notifications_user_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str | None] = mapped_column(String(80), index=True)
    text: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(String(300), default="")
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Preference(db.Model):
    """One person's choice for one kind on one channel (no row: the kind's default)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind", "channel", name="uq_notification_preferences"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "notification_channel"))
    mode: Mapped[Mode] = mapped_column(str_enum(Mode, "notification_mode"))


class EmailAddress(db.Model):
    """A person's email address for notifications: used once confirmed through the link mailed to it."""

    __tablename__ = "notification_emails"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    address: Mapped[str] = mapped_column(String(254))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DeliveryStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for a worker
    SENDING = "sending"  # claimed by a worker: never claimed again (a retried job does not send twice); one
    # left past the lease (a killed worker) is settled: asked of the provider, marked sent or sent again
    SENT = "sent"
    FAILED = "failed"  # the last try failed; retried with back-off up to DELIVERY_MAX_ATTEMPTS, then staff
    HELD = "held"  # quiet hours: released at due_at (08:00 Beijing time)
    DIGEST = "digest"  # goes out in the daily digest at due_at


class Delivery(db.Model):
    """One notification on one channel outside the app: at most one row per (notification, channel)."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (UniqueConstraint("notification_id", "channel", name="uq_deliveries_notification_channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "notification_channel"))
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus, "delivery_status"), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the key of the last send, given to the provider (SMS out-id; email Message-ID): "d<id>", or "g<first id>"
    # for a digest; with it a send a killed worker left unfinished is settled (app/notifications/delivery.py)
    send_key: Mapped[str | None] = mapped_column(String(40))
    # an email's whole text reached the SMTP server (only the final "." was left) in the try claimed last
    handed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    notification: Mapped[Notification] = relationship()
