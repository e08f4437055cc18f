"""A campaign, its subjects (each with a survey of the engine) and the district's weights for the year."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import TimestampMixin, UTCDateTime, str_enum
from app.extensions import db


class CampaignState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Campaign(TimestampMixin, db.Model):
    """One 测评 in one community: several subjects, each judged by the residents through its own survey."""

    __tablename__ = "satisfaction_campaigns"
    __table_args__ = (UniqueConstraint("community_id", "client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(120))
    year: Mapped[int] = mapped_column(Integer)
    state: Mapped[CampaignState] = mapped_column(
        str_enum(CampaignState, "satisfaction_campaign_state"), default=CampaignState.DRAFT
    )
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "what was done with your answers": written by staff, shown to residents once published
    response_note: Mapped[str] = mapped_column(Text, default="")
    note_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # one community's part of a street-wide campaign (None: the community's own)
    street_campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("satisfaction_street_campaigns.id", ondelete="SET NULL"), index=True
    )

    subjects: Mapped[list[CampaignSubject]] = relationship(
        back_populates="campaign", order_by="CampaignSubject.id", cascade="all, delete-orphan", lazy="selectin"
    )


class StreetCampaign(TimestampMixin, db.Model):
    """A street-wide 测评: the street's staff judge the same social organisations in every community of the
    street at once; each community runs its part as a campaign of its own (`Campaign.street_campaign_id`), and
    the results are read per community and together."""

    __tablename__ = "satisfaction_street_campaigns"
    __table_args__ = (UniqueConstraint("street_id", "client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(120))
    year: Mapped[int] = mapped_column(Integer)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    campaigns: Mapped[list[Campaign]] = relationship(order_by="Campaign.community_id", lazy="selectin")
    street = relationship("Street")


class CampaignSubject(db.Model):
    """Who or what is judged: a kind of the subjects' registry (worker, organisation, project, ...) and its id."""

    __tablename__ = "satisfaction_subjects"
    __table_args__ = (UniqueConstraint("campaign_id", "kind", "subject_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("satisfaction_campaigns.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(120))  # the name when the campaign was made
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="RESTRICT"), unique=True)

    campaign: Mapped[Campaign] = relationship(back_populates="subjects")


class AssessmentWeight(db.Model):
    """The district's weight of one campaign in the year's assessment, an exact fraction."""

    __tablename__ = "satisfaction_weights"
    __table_args__ = (
        UniqueConstraint("campaign_id"),
        CheckConstraint("numerator >= 0 AND denominator > 0", name="weight_fraction"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("satisfaction_campaigns.id", ondelete="CASCADE"))
    numerator: Mapped[int] = mapped_column(Integer)
    denominator: Mapped[int] = mapped_column(Integer)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
