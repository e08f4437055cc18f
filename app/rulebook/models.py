"""A draft of the community's rules and the comments on it.

The draft's rules (parameters and readable text) are a RuleSet of its own (`for_adoption`), changed only
through the draft while it is drafted or open for comments; once voting opens they are fixed, and if the vote
adopts them that same rule set becomes the community's next version (procedure.models.RuleVersion)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import HideableMixin, TimestampMixin, UTCDateTime, str_enum, utcnow
from app.extensions import db


class DraftState(enum.StrEnum):
    DRAFTING = "drafting"  # staff write it; only staff see it
    COMMENTING = "commenting"  # open for comments until comments_close_at
    VOTING = "voting"  # verified residents vote until vote_closes_at
    ADOPTED = "adopted"  # the vote carried: it is the community's newest version
    REJECTED = "rejected"  # the vote did not carry
    WITHDRAWN = "withdrawn"  # staff withdrew it before the vote


class RuleDraft(TimestampMixin, db.Model):
    """A proposed version of the community's rules of procedure, from comments to the vote."""

    __tablename__ = "rule_drafts"
    __table_args__ = (
        UniqueConstraint("community_id", "created_by_id", "client_id"),
        CheckConstraint(
            "vote_quorum_den IS NULL OR (vote_quorum_den > 0 AND vote_quorum_num BETWEEN 0 AND vote_quorum_den)",
            name="vote_quorum_fraction",
        ),
        CheckConstraint(
            "vote_pass_den IS NULL OR (vote_pass_den > 0 AND vote_pass_num BETWEEN 0 AND vote_pass_den)",
            name="vote_pass_fraction",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("rule_sets.id", ondelete="RESTRICT"), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    client_id: Mapped[str] = mapped_column(String(64))
    explanation: Mapped[str] = mapped_column(Text, default="")  # why the change, in the staff's words
    state: Mapped[DraftState] = mapped_column(str_enum(DraftState, "rule_draft_state"), default=DraftState.DRAFTING)
    comments_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    vote_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    poll_id: Mapped[int | None] = mapped_column(ForeignKey("polls.id", ondelete="SET NULL"))
    # the rule the vote is decided by, fixed when voting opens (the community's rules then in force)
    vote_quorum_num: Mapped[int | None] = mapped_column(Integer)
    vote_quorum_den: Mapped[int | None] = mapped_column(Integer)
    vote_pass_num: Mapped[int | None] = mapped_column(Integer)
    vote_pass_den: Mapped[int | None] = mapped_column(Integer)
    vote_pass_strict: Mapped[bool | None] = mapped_column(Boolean)
    vote_tie_fails: Mapped[bool | None] = mapped_column(Boolean)
    # the count at the close: verified residents who could vote, and the ballots for each choice
    eligible: Mapped[int | None] = mapped_column(Integer)
    votes_for: Mapped[int | None] = mapped_column(Integer)
    votes_against: Mapped[int | None] = mapped_column(Integer)
    abstentions: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version_id: Mapped[int | None] = mapped_column(ForeignKey("rule_versions.id", ondelete="SET NULL"))

    rule_set = relationship("RuleSet")
    version = relationship("RuleVersion")
    created_by = relationship("User")

    @property
    def room(self) -> str:
        """The moderation room of its comments (reports, mutes and the moderator log)."""
        return f"rules:{self.id}"

    @property
    def title(self) -> str:
        return self.rule_set.name


class RuleComment(HideableMixin, db.Model):
    """A comment on a draft, while it is open for comments. Plain text, moderated like a speech."""

    __tablename__ = "rule_comments"
    __table_args__ = (UniqueConstraint("draft_id", "author_id", "client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("rule_drafts.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author = relationship("User")
