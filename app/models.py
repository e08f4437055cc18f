"""Every feature's models, so Alembic and `flask shell` see the whole metadata."""

from app.accounts.models import User
from app.communities.models import (
    Building,
    Community,
    District,
    Household,
    HouseholdOwner,
    InviteCode,
    MemberRole,
    Membership,
    OfficeAssignment,
    Street,
)
from app.core.models import AuditEntry
from app.notifications.models import Notification

__all__ = [
    "AuditEntry",
    "Building",
    "Community",
    "District",
    "Household",
    "HouseholdOwner",
    "InviteCode",
    "MemberRole",
    "Membership",
    "Notification",
    "OfficeAssignment",
    "Street",
    "User",
]
