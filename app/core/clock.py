"""The community's local time: dates residents see and deadlines they are held to are Asia/Shanghai's
(YISHI_TIMEZONE), while the database stores UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Shanghai"


def local_zone() -> ZoneInfo:
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
    return ZoneInfo(name)


def local_time(value: datetime) -> datetime:
    """`value` in local time. A naive datetime is taken to be UTC, as the database stores it."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(local_zone())


def local_today(now: datetime | None = None) -> date:
    """Today's date where the community is (at 20:00 UTC it is already tomorrow in Shanghai)."""
    from app.core.models import utcnow

    return local_time(now or utcnow()).date()


def end_of_day(day: date) -> datetime:
    """A period that ends on a local date ends at the (local) midnight after it, in UTC as stored."""
    return datetime.combine(day + timedelta(days=1), time(0), local_zone()).astimezone(UTC)


def last_day(moment: datetime) -> date:
    """The local date a period ending at `moment` ends on (the inverse of end_of_day)."""
    return local_time(moment - timedelta(microseconds=1)).date()
