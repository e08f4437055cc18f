"""Shared mixins and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, Enum, ForeignKey, Integer, String
from sqlalchemy.dialects.postgresql import dml as postgresql_dml
from sqlalchemy.dialects.sqlite import dml as sqlite_dml
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from app.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


def in_transaction() -> bool:
    """Whether this context's session is in a transaction, without making one for the question: a socket event
    that asked the database nothing (a join answered from what is kept, a vote handed to its batch) then builds
    and closes no session."""
    return db.session.registry.has() and db.session().in_transaction()


def str_enum(cls, name: str) -> Enum:
    """A StrEnum column stored as its value, checked by a CHECK constraint (portable, no native enum)."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        create_constraint=True,
    )


class UTCDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: use app.core.models.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class AuditEntry(db.Model):
    """Who did what to which record, kept for every administrative action."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class HideableMixin:
    """Content a moderator can hide: kept, with the reason shown in its place."""

    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_reason: Mapped[str | None] = mapped_column(String(200))
    hidden_by_id: Mapped[int | None] = mapped_column(Integer)  # None while hidden: hidden automatically

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


def insert_or_ignore(entity):
    """INSERT … ON CONFLICT DO NOTHING for the session's database (PostgreSQL or SQLite).

    For rows that may already be there (a retried vote, an attendance recorded twice): the database
    decides under its unique constraint, in one statement, and a conflict is no error. The statement is
    compiled once and kept in SQLAlchemy's cache, as a plain insert is (the dialects' own ON CONFLICT
    inserts are not cacheable: every batch of a storm compiled its insert again). For many rows, add a
    RETURNING: then they go in one multi-row statement (SQLAlchemy's "insertmanyvalues"), not a statement a
    row.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect not in _IGNORING_INSERTS:
        raise NotImplementedError(f"insert_or_ignore has no form for {dialect}")
    insert_class, do_nothing_class = _IGNORING_INSERTS[dialect]
    statement = insert_class(entity)
    # the clause the dialect's on_conflict_do_nothing() sets, as its cacheable kind (no target: any conflict)
    statement._post_values_clause = do_nothing_class()
    return statement


# Per dialect: an insert and an ON CONFLICT DO NOTHING (with no target) that SQLAlchemy may cache. The dialects'
# own classes say inherit_cache = False; these add no state that changes the SQL but the clause, and the clause
# has none (so it keys as its class).


class _PostgresqlInsertOrIgnore(postgresql_dml.Insert):
    inherit_cache = True


class _PostgresqlDoNothing(postgresql_dml.OnConflictDoNothing):
    inherit_cache = True
    _traverse_internals = []


class _SqliteInsertOrIgnore(sqlite_dml.Insert):
    inherit_cache = True


class _SqliteDoNothing(sqlite_dml.OnConflictDoNothing):
    inherit_cache = True
    _traverse_internals = []


_IGNORING_INSERTS: dict[str, tuple[type, type]] = {
    "postgresql": (_PostgresqlInsertOrIgnore, _PostgresqlDoNothing),
    "sqlite": (_SqliteInsertOrIgnore, _SqliteDoNothing),
}
