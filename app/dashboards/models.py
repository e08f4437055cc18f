"""The dashboards' one table: a street's or a district's figures for a period, kept as computed (a snapshot),
so that a page view reads one row instead of recounting the district (docs/dashboards.md, "Freshness")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import UTCDateTime
from app.extensions import db


class DashboardSnapshot(db.Model):
    """The figures (cells and detail rows, no translated text) of one scope and period, as of `computed_at`.
    `stale_since` is set after a commit that changed data in one of its communities; a refresh clears it."""

    __tablename__ = "dashboard_snapshots"
    __table_args__ = (UniqueConstraint("level", "scope_id", "period_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(16))  # "district" or "street"
    scope_id: Mapped[int] = mapped_column(Integer)  # the district's or the street's id
    period_key: Mapped[str] = mapped_column(String(32))  # "2026-01|2026-12|month"
    communities: Mapped[str] = mapped_column(Text)  # the community ids counted, "1,2,3": another set recounts
    payload: Mapped[str] = mapped_column(Text)  # JSON: {section: {"figures": {key: cells}, "details": [rows]}}
    # a district's communities' cells, {section: {key: cells}}: its exports read them, its page does not (deferred)
    more: Mapped[str] = mapped_column(Text, default="", deferred=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when the counting began
    millis: Mapped[int] = mapped_column(Integer, default=0)  # how long the counting took
    stale_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
