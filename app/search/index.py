"""The index follows the database: after every flush, each indexed object that was added, changed or deleted
(and each one a watched change touches: a consultation's phase, for its speeches) has its search document
written again or removed, in the same transaction (a rollback takes it back too). Edits, hides, status
changes and deletions therefore need nothing of the services. `rebuild` writes the whole index again
(`flask yishi search-reindex`)."""

from __future__ import annotations

from sqlalchemy import delete, event, insert, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.search import providers  # noqa: F401  (registers the kinds)
from app.search.models import SearchDocument
from app.search.registry import PROVIDERS, Provider
from app.search.text import normalise

_PENDING = "search_pending"
_TABLE = SearchDocument.__table__


def _provider_of(obj) -> Provider | None:
    return _provider_of_model(type(obj))


def row(provider: Provider, obj) -> dict | None:
    """The search_documents row of an object, None when it is not to be found."""
    doc = provider.document(obj)
    if doc is None:
        return None
    return {
        "community_id": doc.community_id,
        "kind": provider.kind,
        "object_id": obj.id,
        "parent_id": doc.parent_id,
        "title": normalise(doc.title)[:200],
        "body": normalise(doc.body),
        "status": doc.status,
        "category": doc.category,
        "building_id": doc.building_id,
        "created_at": doc.created_at,
    }


def _changed(provider: Provider, obj) -> bool:
    """Whether a dirty object changed what its document reads (a consultation's floor moving does not)."""
    if not provider.fields:
        return True
    attrs = db.inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in provider.fields)


def _collect(session: Session, flush_context) -> None:
    pending = session.info.setdefault(_PENDING, {})
    for obj in (*session.new, *session.dirty):
        provider = _provider_of(obj)
        if provider is not None and (obj in session.new or _changed(provider, obj)):
            pending[(provider.kind, id(obj))] = (provider, obj, False)
        for watcher in PROVIDERS.values():
            for model, touched in watcher.watches:
                if type(obj) is model and obj not in session.new:
                    for other in touched(obj):
                        pending[(watcher.kind, id(other))] = (watcher, other, False)
    for obj in session.deleted:
        provider = _provider_of(obj)
        if provider is not None:
            pending[(provider.kind, id(obj))] = (provider, obj, True)


def _write(session: Session, flush_context) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    connection = session.connection()
    for provider, obj, deleted in pending.values():
        if obj.id is None:
            continue
        connection.execute(delete(_TABLE).where(_TABLE.c.kind == provider.kind, _TABLE.c.object_id == obj.id))
        values = None if deleted else row(provider, obj)
        if values is not None:
            connection.execute(insert(_TABLE).values(**values))


def _returned(state):
    """An ORM insert with RETURNING (a speech stored once whatever its retries: INSERT … ON CONFLICT DO NOTHING
    RETURNING) makes its object without the unit of work, so no flush ever sees it as new: its document is
    written here, in the same transaction, from the objects the statement returned."""
    if not state.is_insert or not getattr(state.statement, "_returning", ()):  # no RETURNING: no object made
        return None
    mapper = state.bind_mapper
    provider = _provider_of_model(mapper.class_) if mapper is not None else None
    if provider is None:
        return None
    frozen = state.invoke_statement().freeze()
    connection = state.session.connection()
    for found in frozen.data:
        obj = found if type(found) is provider.model else next(iter(found), None)  # an object, or a row of one
        if type(obj) is provider.model and obj.id is not None:
            values = row(provider, obj)
            if values is not None:
                connection.execute(insert(_TABLE).values(**values))
    return frozen()


def _provider_of_model(model) -> Provider | None:
    for provider in PROVIDERS.values():
        if model is provider.model:
            return provider
    return None


def listen() -> None:
    """Keep the index in step with every session (once per process)."""
    if not event.contains(Session, "after_flush", _collect):
        event.listen(Session, "after_flush", _collect)
        event.listen(Session, "after_flush_postexec", _write)
        event.listen(Session, "do_orm_execute", _returned)


def rebuild(community_id: int | None = None, *, batch: int = 1000) -> int:
    """Write the index again from the objects (one community's, or all); returns the documents written.
    The caller commits (the CLI)."""
    query = delete(_TABLE)
    if community_id is not None:
        query = query.where(_TABLE.c.community_id == community_id)
    db.session.execute(query)
    written = 0
    for provider in PROVIDERS.values():
        last = 0
        while True:
            objs = db.session.scalars(
                select(provider.model).where(provider.model.id > last).order_by(provider.model.id).limit(batch)
            ).all()
            if not objs:
                break
            last = objs[-1].id
            rows = [values for values in (row(provider, obj) for obj in objs) if values is not None]
            rows = [r for r in rows if community_id is None or r["community_id"] == community_id]
            if rows:
                db.session.execute(insert(_TABLE), rows)
                written += len(rows)
    return written
