"""Schemes, their criteria, a community's assessment of a scheme's year, and its score per criterion.

Points are exact: a criterion's weight is whole points (a scheme's add up to 100); a score is a fraction
(numerator / denominator) between 0 and the criterion's points; a figure's value and a linear rule's floor and
target are fractions in the figure's unit as shown (percent, yuan, days, a count)."""

from __future__ import annotations

import enum
from datetime import datetime
from fractions import Fraction

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import UTCDateTime, str_enum, utcnow
from app.extensions import db

TOTAL_POINTS = 100


class SchemeStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class CriterionKind(enum.StrEnum):
    FIGURE = "figure"  # computed from a dashboards figure
    MANUAL = "manual"  # scored by hand, with evidence


class Rule(enum.StrEnum):
    LINEAR = "linear"  # 0 at the floor, full points at the target, a straight line between
    RANK = "rank"  # full points for the first of the district's communities, 0 for the last


class Scheme(db.Model):
    """A district's scheme for one year; a published scheme's criteria never change (a new version does)."""

    __tablename__ = "assessment_schemes"
    __table_args__ = (
        UniqueConstraint("district_id", "year", "version"),
        UniqueConstraint("district_id", "created_by_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(100))
    status: Mapped[SchemeStatus] = mapped_column(
        str_enum(SchemeStatus, "assessment_scheme_status"), default=SchemeStatus.DRAFT
    )
    client_id: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    district = relationship("District")
    criteria: Mapped[list[AssessmentCriterion]] = relationship(
        back_populates="scheme",
        cascade="all, delete-orphan",
        order_by="AssessmentCriterion.position, AssessmentCriterion.id",
    )

    @property
    def points_sum(self) -> int:
        return sum(c.points for c in self.criteria)


class AssessmentCriterion(db.Model):
    __tablename__ = "assessment_criteria"
    __table_args__ = (
        UniqueConstraint("scheme_id", "client_id"),
        CheckConstraint(f"points > 0 AND points <= {TOTAL_POINTS}", name="points_in_range"),
        CheckConstraint("kind = 'manual' OR figure_key <> ''", name="figure_named"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("assessment_schemes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    client_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[int] = mapped_column(Integer)
    kind: Mapped[CriterionKind] = mapped_column(str_enum(CriterionKind, "assessment_criterion_kind"))
    figure_key: Mapped[str] = mapped_column(String(60), default="")
    rule: Mapped[Rule | None] = mapped_column(str_enum(Rule, "assessment_rule"))
    floor_num: Mapped[int | None] = mapped_column(Integer)
    floor_den: Mapped[int | None] = mapped_column(Integer)
    target_num: Mapped[int | None] = mapped_column(Integer)
    target_den: Mapped[int | None] = mapped_column(Integer)
    lower_is_better: Mapped[bool] = mapped_column(Boolean, default=False)  # for a rank: fewer days rank first

    scheme: Mapped[Scheme] = relationship(back_populates="criteria")

    @property
    def floor(self) -> Fraction | None:
        return None if self.floor_num is None else Fraction(self.floor_num, self.floor_den)

    @property
    def target(self) -> Fraction | None:
        return None if self.target_num is None else Fraction(self.target_num, self.target_den)


class Assessment(db.Model):
    """One community's assessment under a scheme (its year)."""

    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("scheme_id", "community_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("assessment_schemes.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    scheme: Mapped[Scheme] = relationship()
    community = relationship("Community")
    scores: Mapped[list[AssessmentScore]] = relationship(back_populates="assessment", cascade="all, delete-orphan")

    @property
    def total(self) -> Fraction:
        return sum((s.points for s in self.scores), Fraction(0))


class AssessmentScore(db.Model):
    """A criterion's score in one assessment: computed (the figure's value, its rank) or given by an officer
    (with evidence); who scored, when and why."""

    __tablename__ = "assessment_scores"
    __table_args__ = (
        UniqueConstraint("assessment_id", "criterion_id"),
        CheckConstraint("points_num >= 0 AND points_den > 0", name="points_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("assessment_criteria.id", ondelete="CASCADE"), index=True)
    points_num: Mapped[int] = mapped_column(BigInteger)
    points_den: Mapped[int] = mapped_column(BigInteger, default=1)
    value_num: Mapped[int | None] = mapped_column(BigInteger)  # the figure's value (None: nothing counted)
    value_den: Mapped[int | None] = mapped_column(BigInteger)
    rank: Mapped[int | None] = mapped_column(Integer)  # for a rank rule: the place, among `ranked`
    ranked: Mapped[int | None] = mapped_column(Integer)
    evidence: Mapped[str] = mapped_column(Text, default="")  # for a manual score: what it rests on
    reason: Mapped[str] = mapped_column(Text, default="")  # why this score
    client_id: Mapped[str] = mapped_column(String(64), default="")
    scored_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    assessment: Mapped[Assessment] = relationship(back_populates="scores")
    criterion: Mapped[AssessmentCriterion] = relationship()
    scored_by = relationship("User")

    @property
    def points(self) -> Fraction:
        return Fraction(self.points_num, self.points_den)

    @property
    def value(self) -> Fraction | None:
        return None if self.value_num is None else Fraction(self.value_num, self.value_den)
