"""A survey: who may answer, how, and when. Its questions, responses and answers are the engine's."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import TimestampMixin, UTCDateTime, str_enum
from app.extensions import db


class Respondent(enum.StrEnum):
    PERSON = "person"  # one response per verified member
    HOUSEHOLD = "household"  # one response per household


class SurveyState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Survey(TimestampMixin, db.Model):
    """One survey in one community (optionally limited to some buildings by its owner)."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    # who it belongs to: ("campaign", id), ("milestone", id), or None for a stand-alone questionnaire
    owner_kind: Mapped[str | None] = mapped_column(String(32))
    owner_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    respondent: Mapped[Respondent] = mapped_column(
        str_enum(Respondent, "survey_respondent"), default=Respondent.HOUSEHOLD
    )
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    state: Mapped[SurveyState] = mapped_column(str_enum(SurveyState, "survey_state"), default=SurveyState.DRAFT)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
