"""Public-service projects (公益服务项目): calls for a guidance item, organisations' applications, the expert
panel's declarations and scores, the award, the contract with its milestones, evaluations and payments.

Money is integer fen; weights, shares and satisfaction scores are exact fractions kept as numerator and
denominator."""

from __future__ import annotations

import enum
from datetime import date, datetime
from fractions import Fraction

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import UTCDateTime, str_enum, utcnow
from app.extensions import db


class CallStatus(enum.StrEnum):
    OPEN = "open"  # published: applications until the deadline, then the panel scores
    AWARDED = "awarded"  # the award is published with all scores; scoring is closed
    CANCELLED = "cancelled"


class MilestoneStatus(enum.StrEnum):
    PENDING = "pending"  # work under way
    SUBMITTED = "submitted"  # submitted for evaluation with evidence
    EVALUATED = "evaluated"  # evidence, satisfaction and a sign-off: payable
    PAID = "paid"


class ServiceCall(db.Model):
    """A call (项目征集) for one published guidance item, hosted by one community (the item's, or for a
    street-wide item the community the street names: where the service is delivered and residents judge it)."""

    __tablename__ = "procurement_calls"
    __table_args__ = (
        UniqueConstraint("created_by_id", "client_id", name="uq_procurement_calls_client"),
        CheckConstraint("ceiling_fen > 0", name="ceiling_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    guidance_item_id: Mapped[int] = mapped_column(ForeignKey("guidance_items.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    client_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(120))
    scope: Mapped[str] = mapped_column(Text)
    ceiling_fen: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    # the panel scores between the deadline and this end (the day before, experts who have not are reminded)
    scoring_ends: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[CallStatus] = mapped_column(str_enum(CallStatus, "call_status"), default=CallStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    community = relationship("Community")
    street = relationship("Street")
    guidance_item = relationship("GuidanceItem")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="Criterion.position"
    )
    panel: Mapped[list[PanelMember]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="PanelMember.id"
    )
    applications: Mapped[list[Application]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="Application.id"
    )
    award: Mapped[Award | None] = relationship(back_populates="call", cascade="all, delete-orphan")

    def is_open_on(self, now: datetime) -> bool:
        return self.status == CallStatus.OPEN and now < self.deadline

    def on_panel(self, user_id: int | None) -> bool:
        return user_id is not None and any(p.user_id == user_id for p in self.panel)

    def scoring_ended_on(self, now: datetime) -> bool:
        """The panel's scoring window is over (a call kept from before the date was asked has none: its scoring
        ends with the award)."""
        return self.scoring_ends is not None and now >= self.scoring_ends


class Criterion(db.Model):
    """An evaluation criterion with its weight (an exact fraction; a call's weights sum to 1)."""

    __tablename__ = "procurement_criteria"
    __table_args__ = (CheckConstraint("weight_num > 0 AND weight_den > 0", name="weight_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("procurement_calls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(100))
    weight_num: Mapped[int] = mapped_column(Integer)
    weight_den: Mapped[int] = mapped_column(Integer)

    call: Mapped[ServiceCall] = relationship(back_populates="criteria")

    @property
    def weight(self) -> Fraction:
        return Fraction(self.weight_num, self.weight_den)


class PanelMember(db.Model):
    """An expert (an ExpertAppointment covering the call's street) on the call's scoring panel."""

    __tablename__ = "procurement_panel"
    __table_args__ = (UniqueConstraint("call_id", "user_id", name="uq_procurement_panel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("procurement_calls.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    call: Mapped[ServiceCall] = relationship(back_populates="panel")
    user = relationship("User", lazy="joined")


class Application(db.Model):
    """An organisation's application to a call: one per organisation per call, editable until the deadline."""

    __tablename__ = "procurement_applications"
    __table_args__ = (
        UniqueConstraint("call_id", "organisation_id", name="uq_procurement_applications_org"),
        CheckConstraint("total_fen > 0", name="total_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("procurement_calls.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    plan: Mapped[str] = mapped_column(Text)
    total_fen: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    call: Mapped[ServiceCall] = relationship(back_populates="applications")
    organisation = relationship("Organisation", lazy="joined")
    lines: Mapped[list[ServiceBudgetLine]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ServiceBudgetLine.position"
    )
    milestones: Mapped[list[PlannedMilestone]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="PlannedMilestone.position"
    )
    sheets: Mapped[list[ScoreSheet]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ScoreSheet.id"
    )


class ServiceBudgetLine(db.Model):
    __tablename__ = "procurement_budget_lines"
    __table_args__ = (CheckConstraint("amount_fen > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_applications.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    item: Mapped[str] = mapped_column(String(100))
    amount_fen: Mapped[int] = mapped_column(Integer)

    application: Mapped[Application] = relationship(back_populates="lines")


class PlannedMilestone(db.Model):
    """A milestone as applied for: its payment share is an exact fraction (the shares sum to 1)."""

    __tablename__ = "procurement_planned_milestones"
    __table_args__ = (CheckConstraint("share_num > 0 AND share_den > 0", name="share_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_applications.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(100))
    deliverable: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date] = mapped_column(Date)
    share_num: Mapped[int] = mapped_column(Integer)
    share_den: Mapped[int] = mapped_column(Integer)

    application: Mapped[Application] = relationship(back_populates="milestones")

    @property
    def share(self) -> Fraction:
        return Fraction(self.share_num, self.share_den)


class ScoreSheet(db.Model):
    """One panel expert's sheet for one application: the conflict declaration first, then the scores,
    submitted once (submitted_at) and never changed."""

    __tablename__ = "procurement_score_sheets"
    __table_args__ = (UniqueConstraint("application_id", "expert_id", name="uq_procurement_sheets"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_applications.id", ondelete="CASCADE"), index=True
    )
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    conflicted: Mapped[bool] = mapped_column(default=False)
    conflict_note: Mapped[str] = mapped_column(String(300), default="")
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship(back_populates="sheets")
    expert = relationship("User", lazy="joined")
    scores: Mapped[list[Score]] = relationship(back_populates="sheet", cascade="all, delete-orphan")


class Score(db.Model):
    __tablename__ = "procurement_scores"
    __table_args__ = (
        UniqueConstraint("sheet_id", "criterion_id", name="uq_procurement_scores"),
        CheckConstraint("points >= 0 AND points <= 100", name="points_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("procurement_score_sheets.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("procurement_criteria.id", ondelete="CASCADE"))
    points: Mapped[int] = mapped_column(Integer)

    sheet: Mapped[ScoreSheet] = relationship(back_populates="scores")


class Award(db.Model):
    """The call's award to one application, published with all scores; a reason when it is not the top score."""

    __tablename__ = "procurement_awards"
    __table_args__ = (UniqueConstraint("call_id", name="uq_procurement_awards_call"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("procurement_calls.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(ForeignKey("procurement_applications.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text, default="")
    awarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    call: Mapped[ServiceCall] = relationship(back_populates="award")
    application: Mapped[Application] = relationship()


class Contract(db.Model):
    """The contract an award makes: total = the application's budget total."""

    __tablename__ = "procurement_contracts"
    __table_args__ = (
        UniqueConstraint("call_id", name="uq_procurement_contracts_call"),
        CheckConstraint("total_fen > 0", name="total_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("procurement_calls.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(ForeignKey("procurement_applications.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    total_fen: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    call: Mapped[ServiceCall] = relationship()
    application: Mapped[Application] = relationship()
    organisation = relationship("Organisation", lazy="joined")
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="Milestone.position"
    )
    payments: Mapped[list[Payment]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="Payment.id"
    )
    posts: Mapped[list[ServiceProgress]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="ServiceProgress.id.desc()"
    )


class Milestone(db.Model):
    """A contract's milestone: its amount in fen (the shares by largest remainder: they sum to the total)."""

    __tablename__ = "procurement_milestones"
    __table_args__ = (CheckConstraint("amount_fen >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("procurement_contracts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(100))
    deliverable: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date] = mapped_column(Date)
    share_num: Mapped[int] = mapped_column(Integer)
    share_den: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(Integer)
    status: Mapped[MilestoneStatus] = mapped_column(
        str_enum(MilestoneStatus, "milestone_status"), default=MilestoneStatus.PENDING
    )
    report: Mapped[str] = mapped_column(Text, default="")  # what the organisation says it delivered
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    contract: Mapped[Contract] = relationship(back_populates="milestones")
    satisfaction: Mapped[SatisfactionRecord | None] = relationship(
        back_populates="milestone", cascade="all, delete-orphan"
    )
    evaluation: Mapped[Evaluation | None] = relationship(back_populates="milestone", cascade="all, delete-orphan")

    @property
    def community_id(self) -> int:
        return self.contract.community_id

    @property
    def share(self) -> Fraction:
        return Fraction(self.share_num, self.share_den)


class SatisfactionRecord(db.Model):
    """Residents' satisfaction with one milestone: a closed survey's summary (written through
    services.record_satisfaction by the flow that runs the survey)."""

    __tablename__ = "procurement_satisfaction"
    __table_args__ = (
        UniqueConstraint("milestone_id", name="uq_procurement_satisfaction_milestone"),
        CheckConstraint("score_den > 0 AND score_num >= 0 AND score_num <= score_den", name="score_range"),
        CheckConstraint("responses >= 0 AND eligible >= responses", name="responses_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("procurement_milestones.id", ondelete="CASCADE"))
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="SET NULL"))
    responses: Mapped[int] = mapped_column(Integer)
    eligible: Mapped[int] = mapped_column(Integer)
    score_num: Mapped[int] = mapped_column(Integer)
    score_den: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    milestone: Mapped[Milestone] = relationship(back_populates="satisfaction")

    @property
    def score(self) -> Fraction:
        return Fraction(self.score_num, self.score_den)


class Evaluation(db.Model):
    """The sign-off of a submitted milestone by community/street/district staff or a panel expert, with a
    note; made only when evidence and a satisfaction record are present. A payment names it."""

    __tablename__ = "procurement_evaluations"
    __table_args__ = (UniqueConstraint("milestone_id", name="uq_procurement_evaluations_milestone"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("procurement_milestones.id", ondelete="CASCADE"))
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text)
    evidence_count: Mapped[int] = mapped_column(Integer, default=0)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    milestone: Mapped[Milestone] = relationship(back_populates="evaluation")
    signed_by = relationship("User", lazy="joined")


class Payment(db.Model):
    """A payment of the ledger: one per milestone, naming its evaluation, never beyond the milestone's amount
    nor the contract's total (checked under a lock of the contract's row)."""

    __tablename__ = "procurement_payments"
    __table_args__ = (
        UniqueConstraint("milestone_id", name="uq_procurement_payments_milestone"),
        UniqueConstraint("evaluation_id", name="uq_procurement_payments_evaluation"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("procurement_contracts.id", ondelete="CASCADE"), index=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("procurement_milestones.id", ondelete="CASCADE"))
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("procurement_evaluations.id", ondelete="RESTRICT"))
    amount_fen: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(300), default="")
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    contract: Mapped[Contract] = relationship(back_populates="payments")
    milestone: Mapped[Milestone] = relationship()
    evaluation: Mapped[Evaluation] = relationship()


class ServiceProgress(db.Model):
    """The organisation's report of progress on its contract, as micro-projects post theirs."""

    __tablename__ = "procurement_progress"
    __table_args__ = (UniqueConstraint("contract_id", "author_id", "client_id", name="uq_procurement_progress"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("procurement_contracts.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    client_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    contract: Mapped[Contract] = relationship(back_populates="posts")
    author = relationship("User", lazy="joined")
    photos: Mapped[list[ServiceProgressPhoto]] = relationship(
        back_populates="post", cascade="all, delete-orphan", order_by="ServiceProgressPhoto.position"
    )


class ServiceProgressPhoto(db.Model):
    __tablename__ = "procurement_progress_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("procurement_progress.id", ondelete="CASCADE"), index=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    post: Mapped[ServiceProgress] = relationship(back_populates="photos")
    photo = relationship("Photo", lazy="joined")
