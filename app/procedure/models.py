"""Rule sets: the parameters of the rules of procedure plus their readable text."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import TimestampMixin, UTCDateTime, str_enum, utcnow
from app.extensions import db
from app.procedure.engine import Mode, Rules


class RuleSet(TimestampMixin, db.Model):
    """A rule set. Templates have no community; a consultation runs on its own copy."""

    __tablename__ = "rule_sets"
    __table_args__ = (
        CheckConstraint("max_speech_chars BETWEEN 1 AND 5000", name="speech_chars_range"),
        CheckConstraint("max_speeches_per_motion BETWEEN 1 AND 100", name="speeches_range"),
        CheckConstraint("floor_seconds BETWEEN 10 AND 3600", name="floor_range"),
        CheckConstraint("slow_mode_seconds BETWEEN 0 AND 3600", name="slow_mode_range"),
        CheckConstraint("quorum_num >= 0 AND quorum_den > 0 AND quorum_num <= quorum_den", name="quorum_fraction"),
        CheckConstraint("pass_den > 0 AND 2 * pass_num >= pass_den AND pass_num <= pass_den", name="pass_fraction"),
        CheckConstraint("auto_hide_reports BETWEEN 1 AND 100", name="auto_hide_range"),
        CheckConstraint("max_replies_per_day BETWEEN 1 AND 200", name="replies_per_day_range"),
        CheckConstraint("max_reply_chars BETWEEN 1 AND 5000", name="reply_chars_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    key: Mapped[str | None] = mapped_column(String(30), unique=True)  # shipped templates: "nantang", "simple"
    mode: Mapped[Mode] = mapped_column(str_enum(Mode, "procedure_mode"), default=Mode.FORMAL)
    max_speech_chars: Mapped[int] = mapped_column(Integer, default=500)
    max_speeches_per_motion: Mapped[int] = mapped_column(Integer, default=2)
    floor_seconds: Mapped[int] = mapped_column(Integer, default=120)
    slow_mode_seconds: Mapped[int] = mapped_column(Integer, default=0)
    stance_required: Mapped[bool] = mapped_column(Boolean, default=True)
    alternate_stances: Mapped[bool] = mapped_column(Boolean, default=True)
    chair_neutral: Mapped[bool] = mapped_column(Boolean, default=True)
    second_required: Mapped[bool] = mapped_column(Boolean, default=True)
    quorum_num: Mapped[int] = mapped_column(Integer, default=1)
    quorum_den: Mapped[int] = mapped_column(Integer, default=2)
    pass_num: Mapped[int] = mapped_column(Integer, default=1)
    pass_den: Mapped[int] = mapped_column(Integer, default=2)
    pass_strict: Mapped[bool] = mapped_column(Boolean, default=True)
    tie_fails: Mapped[bool] = mapped_column(Boolean, default=True)
    auto_hide_reports: Mapped[int] = mapped_column(Integer, default=3)
    # 无动议不讨论: with no motion pending, a speech takes no side (a question), or a motion is moved
    motion_first: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # residents who are not among a consultation's parties may speak (never move, second or vote)
    non_party_may_speak: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # slow mode (异步协商): replies per person in any 24 hours, and a reply's length
    max_replies_per_day: Mapped[int] = mapped_column(Integer, default=10, server_default=text("10"))
    max_reply_chars: Mapped[int] = mapped_column(Integer, default=1000, server_default=text("1000"))
    text: Mapped[str] = mapped_column(Text, default="")  # the rules as readable sentences
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("rule_sets.id", ondelete="SET NULL"))
    # a consultation's own copy, changed only through that consultation: not in the community's library
    for_consultation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # the community's own rules of procedure, drafted and put to its residents (app/rulebook): changed only
    # through the draft while it is drafted, never once adopted (a RuleVersion holds it); not in the library
    for_adoption: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @property
    def is_template(self) -> bool:
        return self.community_id is None

    def to_rules(self) -> Rules:
        """The plain values the rule engine works on."""
        return Rules(
            mode=self.mode,
            max_speech_chars=self.max_speech_chars,
            max_speeches_per_motion=self.max_speeches_per_motion,
            floor_seconds=self.floor_seconds,
            slow_mode_seconds=self.slow_mode_seconds,
            stance_required=self.stance_required,
            alternate_stances=self.alternate_stances,
            chair_neutral=self.chair_neutral,
            second_required=self.second_required,
            quorum=Fraction(self.quorum_num, self.quorum_den),
            pass_threshold=Fraction(self.pass_num, self.pass_den),
            pass_strict=self.pass_strict,
            tie_fails=self.tie_fails,
            motion_first=self.motion_first,
            max_replies_per_day=self.max_replies_per_day,
            max_reply_chars=self.max_reply_chars,
        )

    PARAMETERS = (
        "mode",
        "max_speech_chars",
        "max_speeches_per_motion",
        "floor_seconds",
        "slow_mode_seconds",
        "stance_required",
        "alternate_stances",
        "chair_neutral",
        "second_required",
        "quorum_num",
        "quorum_den",
        "pass_num",
        "pass_den",
        "pass_strict",
        "tie_fails",
        "auto_hide_reports",
        "motion_first",
        "non_party_may_speak",
        "max_replies_per_day",
        "max_reply_chars",
        "text",
    )

    def copy(self, *, community_id: int, name: str | None = None, for_consultation: bool = False) -> RuleSet:
        clone = RuleSet(
            community_id=community_id, name=name or self.name, based_on_id=self.id, for_consultation=for_consultation
        )
        for param in self.PARAMETERS:
            setattr(clone, param, getattr(self, param))
        return clone

    def to_dict(self) -> dict:
        """The rules as sent to live clients."""
        return {
            "id": self.id,
            "name": self.name,
            "mode": self.mode.value,
            "max_speech_chars": self.max_speech_chars,
            "max_speeches_per_motion": self.max_speeches_per_motion,
            "floor_seconds": self.floor_seconds,
            "slow_mode_seconds": self.slow_mode_seconds,
            "stance_required": self.stance_required,
            "alternate_stances": self.alternate_stances,
            "chair_neutral": self.chair_neutral,
            "second_required": self.second_required,
            "quorum": f"{self.quorum_num}/{self.quorum_den}",
            "pass_threshold": f"{self.pass_num}/{self.pass_den}",
            "pass_strict": self.pass_strict,
            "tie_fails": self.tie_fails,
            "auto_hide_reports": self.auto_hide_reports,
            "motion_first": self.motion_first,
            "non_party_may_speak": self.non_party_may_speak,
            "max_replies_per_day": self.max_replies_per_day,
            "max_reply_chars": self.max_reply_chars,
            "text": self.text,
        }


class RuleVersion(db.Model):
    """One adopted version of a community's rules of procedure (议事规则第N版). The newest is the community's
    default for new consultations. Its rule set never changes again, and is never deleted while the version
    stands (RESTRICT): a consultation's copy names it as `based_on_id`, which is how a consultation records
    the version that governed it."""

    __tablename__ = "rule_versions"
    __table_args__ = (
        UniqueConstraint("community_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("rule_sets.id", ondelete="RESTRICT"), unique=True)
    # the vote that adopted it (a poll of app/voting), None for a version adopted outside Yishi
    poll_id: Mapped[int | None] = mapped_column(ForeignKey("polls.id", ondelete="SET NULL"))
    adopted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    rule_set = relationship("RuleSet")
