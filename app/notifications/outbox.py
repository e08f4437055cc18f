"""What staff see of the deliveries: the failed ones in their community (with a retry), and how many people
one message reached by each channel."""

from __future__ import annotations

from sqlalchemy import func, select, update

from app.accounts.models import User
from app.communities.access import Viewer
from app.core.errors import Forbidden
from app.core.realtime import call_after_commit
from app.extensions import db
from app.notifications import delivery, permissions
from app.notifications.kinds import Channel
from app.notifications.models import Delivery, DeliveryStatus, Notification

SENT, FAILED, WAITING = "sent", "failed", "waiting"


def failed(viewer: Viewer, limit: int = 200) -> list[tuple[Delivery, Notification, User]]:
    """The community's failed deliveries, newest first, with the notification and its recipient."""
    if not permissions.can_manage_deliveries(viewer):
        raise Forbidden()
    rows = db.session.execute(
        select(Delivery, Notification, User)
        .join(Notification, Delivery.notification_id == Notification.id)
        .join(User, Notification.user_id == User.id)
        .where(Delivery.community_id == viewer.community_id, Delivery.status == DeliveryStatus.FAILED)
        .order_by(Delivery.id.desc())
        .limit(limit)
    )
    return [tuple(row) for row in rows]


def retry(viewer: Viewer, row: Delivery) -> Delivery:
    """Staff send a failed delivery again: one more try, after the commit."""
    if not permissions.can_manage_deliveries(viewer) or row.community_id != viewer.community_id:
        raise Forbidden()
    if row.status == DeliveryStatus.FAILED:
        db.session.execute(
            update(Delivery)
            .where(Delivery.id == row.id, Delivery.status == DeliveryStatus.FAILED)
            .values(status=DeliveryStatus.QUEUED, attempts=0, last_error="")
        )
        db.session.flush()
        delivery_id = row.id
        call_after_commit(lambda: delivery.enqueue([delivery_id]))
    return row


def reach(key: str) -> dict[Channel, dict[str, int]]:
    """Per channel, how many of the notifications with `key` were sent, failed, are still waiting."""
    counts = {channel: {SENT: 0, FAILED: 0, WAITING: 0} for channel in Channel}
    rows = db.session.execute(
        select(Delivery.channel, Delivery.status, func.count())
        .join(Notification, Delivery.notification_id == Notification.id)
        .where(Notification.key == key)
        .group_by(Delivery.channel, Delivery.status)
    )
    for channel, status, n in rows:
        bucket = SENT if status == DeliveryStatus.SENT else FAILED if status == DeliveryStatus.FAILED else WAITING
        counts[channel][bucket] += n
    return counts


def recipients(key: str) -> int:
    """How many people a message with `key` was sent to (in the inbox)."""
    return db.session.scalar(select(func.count()).select_from(Notification).where(Notification.key == key))
