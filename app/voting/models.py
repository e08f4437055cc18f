"""Polls, ballots, who took part, certification and objections.

One poll is one count: a motion's vote, a contest's vote or an owners' decision, named by
(poll_type, subject_id). Its ballots form an append-only hash chain, sealed in arrival order by
`voting.services.seal` (every second in a server process, and always when voting closes). Who took part is
recorded apart from what was voted (`Participation`); for a secret poll the ballot carries no
voter and no time, and `Participation` has no id or time either, so nothing stored links the two.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import UTCDateTime, str_enum, utcnow
from app.extensions import db


class PollState(enum.StrEnum):
    OPEN = "open"  # ballots are accepted
    CLOSED = "closed"  # counting: certifiers check the count
    PUBLISHED = "published"  # certified by two people; the result never changes


class Poll(db.Model):
    """The chain head and life of one count."""

    __tablename__ = "polls"
    __table_args__ = (UniqueConstraint("poll_type", "subject_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    poll_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[PollState] = mapped_column(str_enum(PollState, "poll_state"), default=PollState.OPEN)
    length: Mapped[int] = mapped_column(Integer, default=0)
    head: Mapped[str] = mapped_column(String(64))
    opened_head: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_head: Mapped[str | None] = mapped_column(String(64))
    closed_length: Mapped[int | None] = mapped_column(Integer)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the certified count, frozen at publication (JSON text of tally.Count.as_dict())
    result: Mapped[str | None] = mapped_column(Text)


class Ballot(db.Model):
    """One ballot, a link in its poll's chain. Named polls keep the voter; secret polls do not."""

    __tablename__ = "ballots"
    __table_args__ = (
        UniqueConstraint("poll_type", "poll_id", "voter_id"),
        UniqueConstraint("poll_type", "poll_id", "seq"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    poll_type: Mapped[str] = mapped_column(String(20))
    poll_id: Mapped[int] = mapped_column(Integer)  # the subject's id (motion, contest, decision)
    # its place in the chain and its link hash, set when the ballot is sealed into the chain (within a
    # second of casting, and always before the count): casting never waits on other voters
    seq: Mapped[int | None] = mapped_column(Integer)
    voter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    voter_key: Mapped[str] = mapped_column(String(40), default="")  # empty on a secret ballot
    building_id: Mapped[int | None] = mapped_column(Integer)
    choice: Mapped[str] = mapped_column(String(255))
    weight_area: Mapped[int] = mapped_column(Integer, default=0)
    weight_heads: Mapped[int] = mapped_column(Integer, default=0)
    receipt: Mapped[str] = mapped_column(String(16), unique=True)
    hash: Mapped[str | None] = mapped_column(String(64))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # cast by a proxy (委托代理人) in the voter's name: part of the chain, so it cannot be added or removed unseen
    by_proxy: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)  # None on a secret ballot


class Participation(db.Model):
    """Who took part in a poll (one row per voter or household): the unique constraint that makes one
    ballot each. No id and no time, on purpose: nothing here orders or dates a voter against a ballot."""

    __tablename__ = "participations"

    poll_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    poll_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    voter_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    voter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    building_id: Mapped[int | None] = mapped_column(Integer)


class CertifierRole(enum.StrEnum):
    COUNTER = "counter"  # 计票人
    SCRUTINEER = "scrutineer"  # 监票人


class Certification(db.Model):
    """A counter's or scrutineer's signature on a closed poll's count. Two different people, one each."""

    __tablename__ = "certifications"
    __table_args__ = (
        UniqueConstraint("poll_id", "role"),
        UniqueConstraint("poll_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    role: Mapped[CertifierRole] = mapped_column(str_enum(CertifierRole, "certifier_role"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    head: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
