"""An attachment: one stored file of one owner object (kind + id), kept after removal for the record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import UTCDateTime, utcnow
from app.documents.content import CONTENT_TYPES
from app.extensions import db

_TYPES = ", ".join(f"'{t}'" for t in CONTENT_TYPES)


class Attachment(db.Model):
    """A file attached to an object of a registered owner kind. Stored at
    UPLOAD_DIR/<community_id>/documents/<id>.<extension>: the name on disk is the row's id, never the
    uploader's file name, which is kept (cleaned) only to name the download."""

    __tablename__ = "attachments"
    __table_args__ = (
        UniqueConstraint("uploaded_by_id", "client_id", name="uq_attachments_client"),
        Index("ix_attachments_owner", "owner_kind", "owner_id"),
        CheckConstraint(f"content_type IN ({_TYPES})", name="content_type"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    owner_kind: Mapped[str] = mapped_column(String(30))
    owner_id: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(100))
    extension: Mapped[str] = mapped_column(String(8))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    client_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    removal_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)

    @property
    def stored_name(self) -> str:
        return f"{int(self.id)}.{self.extension}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def removed(self) -> bool:
        return self.removed_at is not None
