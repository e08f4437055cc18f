"""A survey: who may answer, how, and when. Its questions, responses and answers are the engine's."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    # who could answer, counted at the close: the published response rate's denominator, which households
    # joining later do not move (None while open, and for surveys closed before it was kept)
    eligible_at_close: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    questions: Mapped[list[Question]] = relationship(
        back_populates="survey", order_by="Question.position", cascade="all, delete-orphan", lazy="selectin"
    )
    scope: Mapped[list[SurveyBuilding]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def building_ids(self) -> set[int]:
        """The buildings the survey is limited to; empty: the whole community."""
        return {s.building_id for s in self.scope}


class SurveyBuilding(db.Model):
    """A building a survey is limited to (none: the whole community)."""

    __tablename__ = "survey_buildings"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id", ondelete="CASCADE"), primary_key=True)


class QuestionKind(enum.StrEnum):
    SINGLE = "single"  # one option
    MULTIPLE = "multiple"  # any number of options
    SCALE = "scale"  # a whole number from min to max (1–5 satisfaction)
    TEXT = "text"  # a short text


class Question(db.Model):
    __tablename__ = "survey_questions"
    __table_args__ = (
        UniqueConstraint("survey_id", "position"),
        CheckConstraint("scale_min < scale_max", name="scale_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "survey_question_kind"))
    text: Mapped[str] = mapped_column(String(300))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    scale_min: Mapped[int] = mapped_column(Integer, default=1)
    scale_max: Mapped[int] = mapped_column(Integer, default=5)

    survey: Mapped[Survey] = relationship(back_populates="questions")
    options: Mapped[list[QuestionOption]] = relationship(
        back_populates="question", order_by="QuestionOption.position", cascade="all, delete-orphan", lazy="selectin"
    )


class QuestionOption(db.Model):
    __tablename__ = "survey_options"
    __table_args__ = (UniqueConstraint("question_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(120))

    question: Mapped[Question] = relationship(back_populates="options")


class SurveyParticipation(db.Model):
    """Who answered (one row per person or household): the primary key makes one response each. No id and no
    time, on purpose (as voting's Participation): on an anonymous survey nothing stored links a participant to
    a response. `client_id` makes a double-tapped submission return the first instead of a refusal."""

    __tablename__ = "survey_participations"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    respondent_key: Mapped[str] = mapped_column(String(24), primary_key=True)  # "u:<user id>" or "h:<household>"
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    building_id: Mapped[int | None] = mapped_column(Integer)
    client_id: Mapped[str] = mapped_column(String(64))


class SurveyResponse(db.Model):
    """One response. On an anonymous survey it carries no user, no household and no time; only the building
    (results per building are shown for a building with five responses or more)."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id", ondelete="SET NULL"))
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    answers: Mapped[list[SurveyAnswer]] = relationship(cascade="all, delete-orphan")


class SurveyAnswer(db.Model):
    """One answer to one question: an option (one row per chosen option), a scale value or a text."""

    __tablename__ = "survey_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True)
    option_id: Mapped[int | None] = mapped_column(ForeignKey("survey_options.id", ondelete="CASCADE"))
    value: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(500), default="")
