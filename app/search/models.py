"""The search index: one row per thing a member of its community may find."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import UTCDateTime
from app.extensions import db


class SearchDocument(db.Model):
    """What a search reads: the text of one idea, consultation, speech, project, entry or decision, kept in step
    with it on every flush (index.py). Only what every member of the community may see is here (no draft, no
    hidden content): the access rule is checked again on each result shown. On PostgreSQL the column `grams`
    (generated: the characters and character pairs of title and body, see the migration) and its GIN index
    find the candidates; it is not declared here (UNMODELLED below)."""

    __tablename__ = "search_documents"
    __table_args__ = (
        UniqueConstraint("kind", "object_id"),
        Index("ix_search_documents_scope", "community_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(Integer)  # a speech's consultation
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(30), default="")
    category: Mapped[str | None] = mapped_column(String(30))
    building_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


# PostgreSQL only, made by the migration: the generated column search_documents.grams (a tsvector of
# yishi_search_grams(title, body)) and its GIN index. The model does not declare them (SQLite has no tsvector),
# so a comparison of the models with the database leaves these two alone rather than dropping them.
UNMODELLED = {("column", "grams"), ("index", "ix_search_documents_grams")}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object: everything but what only the search migration describes."""
    if (type_, name) not in UNMODELLED:
        return True
    table = getattr(obj, "table", None)
    return getattr(table, "name", None) != SearchDocument.__tablename__
