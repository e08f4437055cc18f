"""Neighbourhood groups, their buildings, members and consultations, and the help board's posts."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.communities.models import Building
from app.core.models import HideableMixin, TimestampMixin, UTCDateTime, str_enum, utcnow
from app.extensions import db


class NeighbourGroup(TimestampMixin, db.Model):
    """A 睦邻互助会: one community's group for one building or several (a building is in one group at most)."""

    __tablename__ = "neighbour_groups"
    __table_args__ = (
        UniqueConstraint("community_id", "name", name="uq_neighbour_groups_name"),
        UniqueConstraint("community_id", "created_by_id", "client_id", name="uq_neighbour_groups_client"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    client_id: Mapped[str] = mapped_column(String(64))
    # locked: only the group's leaders post on the board (the moderation kernel's lock, for the board)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # dissolved by staff, with a reason: the board is kept as read-only history, the buildings are free again
    dissolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dissolved_reason: Mapped[str | None] = mapped_column(String(200))
    dissolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    buildings: Mapped[list[GroupBuilding]] = relationship(
        back_populates="group", cascade="all, delete-orphan", lazy="selectin", order_by="GroupBuilding.building_id"
    )

    @property
    def building_ids(self) -> set[int]:
        return {b.building_id for b in self.buildings}

    @property
    def is_dissolved(self) -> bool:
        return self.dissolved_at is not None

    @property
    def room(self) -> str:
        """The moderation kernel's room: reports, mutes and the log of this group's board."""
        return f"neighbours:{self.id}"


class GroupBuilding(db.Model):
    """A building the group covers; each building belongs to one group at most."""

    __tablename__ = "neighbour_group_buildings"
    __table_args__ = (UniqueConstraint("building_id", name="uq_neighbour_group_buildings_building"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("neighbour_groups.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id", ondelete="CASCADE"))

    group: Mapped[NeighbourGroup] = relationship(back_populates="buildings")
    building: Mapped[Building] = relationship(lazy="joined")


class GroupMember(db.Model):
    """A verified member of the community who joined the group from a covered building."""

    __tablename__ = "neighbour_group_members"
    __table_args__ = (UniqueConstraint("group_id", "user_id", name="uq_neighbour_group_members"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("neighbour_groups.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class GroupConsultation(db.Model):
    """A consultation the group held (building scope): linked here, so consultations knows no group."""

    __tablename__ = "neighbour_group_consultations"
    __table_args__ = (UniqueConstraint("consultation_id", name="uq_neighbour_group_consultations"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("neighbour_groups.id", ondelete="CASCADE"), index=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    consultation = relationship("Consultation", lazy="joined")


class PostKind(enum.StrEnum):
    REQUEST = "request"  # 求助: I need a hand
    OFFER = "offer"  # 帮忙: I can lend / do this


class HelpCategory(enum.StrEnum):
    TOOLS = "tools"  # 借用工具
    PARCELS = "parcels"  # 代取快递
    ESCORT = "escort"  # 陪同就医
    OTHER = "other"


class HelpState(enum.StrEnum):
    POSTED = "posted"
    TAKEN = "taken"
    DONE = "done"
    THANKED = "thanked"
    WITHDRAWN = "withdrawn"


OPEN_STATES = (HelpState.POSTED, HelpState.TAKEN)


class HelpPost(HideableMixin, TimestampMixin, db.Model):
    """A request or offer on the group's board: posted → taken → done → thanked, or withdrawn. No money.

    The author and the person who took it each agree to share their phone number; only when both have agreed
    does each see the other's."""

    __tablename__ = "help_posts"
    __table_args__ = (UniqueConstraint("group_id", "author_id", "client_id", name="uq_help_posts_client"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("neighbour_groups.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[PostKind] = mapped_column(str_enum(PostKind, "help_post_kind"))
    category: Mapped[HelpCategory] = mapped_column(str_enum(HelpCategory, "help_category"))
    title: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[HelpState] = mapped_column(str_enum(HelpState, "help_state"), default=HelpState.POSTED, index=True)
    taker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    author_shares: Mapped[bool] = mapped_column(Boolean, default=False)
    taker_shares: Mapped[bool] = mapped_column(Boolean, default=False)
    thanks: Mapped[str] = mapped_column(String(200), default="")
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    thanked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_reason: Mapped[str | None] = mapped_column(String(200))  # closed with its group: the group's reason

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    taker: Mapped[User | None] = relationship(foreign_keys=[taker_id], lazy="joined")
    group: Mapped[NeighbourGroup] = relationship()

    @property
    def receiver_id(self) -> int | None:
        """Who is helped: the author of a request, the one who took an offer."""
        return self.author_id if self.kind == PostKind.REQUEST else self.taker_id

    @property
    def contact_shared(self) -> bool:
        return self.taker_id is not None and self.author_shares and self.taker_shares
