"""Owners' decisions, a community's stricter thresholds, the frozen roll of owners and paper-ballot entries.

Area is integer 0.01 m²; thresholds are stored as integer numerator and denominator (exact fractions).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from fractions import Fraction

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import TimestampMixin, UTCDateTime, str_enum, utcnow
from app.extensions import db
from app.voting.tally import Thresholds

POLL_TYPE = "decision"
DEFAULT_PROXY_LIMIT = 5  # owners one proxy may vote for on a decision, unless its drafters set another number


class DecisionState(enum.StrEnum):
    DRAFT = "draft"  # being written; the roll is not frozen yet
    VOTING = "voting"  # roll frozen, ballots accepted (online and paper)
    COUNTING = "counting"  # voting closed; counter and scrutineer check and sign
    ANNOUNCED = "announced"  # certified and published: 公示, objections recorded


class Choice(enum.StrEnum):
    AGREE = "agree"  # 同意
    OPPOSE = "oppose"  # 反对
    ABSTAIN = "abstain"  # 弃权


class ThresholdColumns:
    """A stricter threshold pair stored exactly; all None means "the law's thresholds"."""

    participation_num: Mapped[int | None] = mapped_column(Integer)
    participation_den: Mapped[int | None] = mapped_column(Integer)
    approval_num: Mapped[int | None] = mapped_column(Integer)
    approval_den: Mapped[int | None] = mapped_column(Integer)
    approval_inclusive: Mapped[bool | None] = mapped_column(Boolean)

    @property
    def stricter(self) -> Thresholds | None:
        if self.participation_num is None or self.approval_num is None:
            return None
        return Thresholds(
            participation=Fraction(self.participation_num, self.participation_den),
            approval=Fraction(self.approval_num, self.approval_den),
            approval_inclusive=bool(self.approval_inclusive),
        )

    def set_stricter(self, thresholds: Thresholds | None) -> None:
        if thresholds is None:
            self.participation_num = self.participation_den = None
            self.approval_num = self.approval_den = None
            self.approval_inclusive = None
            return
        self.participation_num = thresholds.participation.numerator
        self.participation_den = thresholds.participation.denominator
        self.approval_num = thresholds.approval.numerator
        self.approval_den = thresholds.approval.denominator
        self.approval_inclusive = thresholds.approval_inclusive


class DecisionRules(ThresholdColumns, TimestampMixin, db.Model):
    """A community's own thresholds for owners' decisions (from its rules of procedure): never laxer than the
    law's; applied with `Thresholds.stricter_of`, frozen into each decision when its voting opens."""

    __tablename__ = "decision_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), unique=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Decision(ThresholdColumns, TimestampMixin, db.Model):
    """One owners' decision on one art. 278 matter, with its frozen roll's totals."""

    __tablename__ = "decisions"
    __table_args__ = (
        CheckConstraint("matter BETWEEN 1 AND 9", name="matter_in_art278"),
        CheckConstraint("publicity_days BETWEEN 1 AND 60", name="publicity_days_range"),
        CheckConstraint("roll_area >= 0 AND roll_heads >= 0", name="roll_not_negative"),
        CheckConstraint("voting_ends_on >= voting_starts_on", name="voting_dates_in_order"),
        CheckConstraint("proxy_limit BETWEEN 1 AND 50", name="proxy_limit_range"),
        UniqueConstraint("community_id", "created_by_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    matter: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[DecisionState] = mapped_column(str_enum(DecisionState, "decision_state"), default=DecisionState.DRAFT)
    voting_starts_on: Mapped[date] = mapped_column(Date)
    voting_ends_on: Mapped[date] = mapped_column(Date)
    publicity_days: Mapped[int] = mapped_column(Integer, default=7)
    # at most this many owners appoint the same proxy (委托代理人) for this decision
    proxy_limit: Mapped[int] = mapped_column(Integer, default=DEFAULT_PROXY_LIMIT, server_default="5")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    client_id: Mapped[str] = mapped_column(String(64))
    # frozen when voting opens
    roll_area: Mapped[int] = mapped_column(Integer, default=0)
    roll_heads: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    objections_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    passed: Mapped[bool | None] = mapped_column(Boolean)  # the published verdict

    @property
    def objections_open(self) -> bool:
        return (
            self.state == DecisionState.ANNOUNCED
            and self.objections_until is not None
            and utcnow() < self.objections_until
        )


class RollEntry(db.Model):
    """One voting person on a decision's frozen roll: their units' area summed, one head."""

    __tablename__ = "decision_roll_entries"
    __table_args__ = (
        UniqueConstraint("decision_id", "key"),
        CheckConstraint("area > 0", name="area_positive"),
        CheckConstraint("heads = 1", name="one_head"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))  # user:<id>, phone:<phone>, owner:<id>, unit:<id>, developer
    name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(11))
    household_ids: Mapped[list] = mapped_column(JSON, default=list)
    households: Mapped[list] = mapped_column(JSON, default=list)  # [[building, unit, room], ...] as on the register
    area: Mapped[int] = mapped_column(Integer)
    heads: Mapped[int] = mapped_column(Integer, default=1)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("household_owners.id", ondelete="SET NULL"))
    voter_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    building_id: Mapped[int | None] = mapped_column(Integer)
    developer: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def voter_key(self) -> str:
        """The ballot's voter key: one ballot per roll entry, online or paper."""
        return f"roll:{self.id}"


class PaperEntry(db.Model):
    """One counter's reading of one paper ballot. The ballot counts once two different counters agree."""

    __tablename__ = "decision_paper_entries"
    __table_args__ = (
        UniqueConstraint("roll_entry_id", "counter_id"),
        UniqueConstraint("decision_id", "counter_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), index=True)
    roll_entry_id: Mapped[int] = mapped_column(ForeignKey("decision_roll_entries.id", ondelete="CASCADE"), index=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    client_id: Mapped[str] = mapped_column(String(64))
    choice: Mapped[Choice] = mapped_column(str_enum(Choice, "decision_choice"))
    corrected_from: Mapped[Choice | None] = mapped_column(str_enum(Choice, "decision_choice_corrected"))
    counted: Mapped[bool] = mapped_column(Boolean, default=False)  # the ballot it agreed on is cast
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    roll_entry: Mapped[RollEntry] = relationship()


class ProxyMethod(enum.StrEnum):
    ONLINE = "online"  # the owner appointed them on the site, confirming with their password
    OFFICE = "office"  # staff recorded the owner's signed authorisation, with a photo of the paper


class Proxy(db.Model):
    """An owner's proxy (委托代理人) for one decision: a member of the community who votes in the owner's name.

    One active proxy per roll entry (the entry's row is locked while one is appointed); revoked before the proxy
    votes, kept with `revoked_at` after. The ballot the proxy casts is the owner's, marked `by_proxy`."""

    __tablename__ = "decision_proxies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), index=True)
    roll_entry_id: Mapped[int] = mapped_column(ForeignKey("decision_roll_entries.id", ondelete="CASCADE"), index=True)
    proxy_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    method: Mapped[ProxyMethod] = mapped_column(str_enum(ProxyMethod, "proxy_method"))
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photos.id", ondelete="SET NULL"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    roll_entry: Mapped[RollEntry] = relationship()
