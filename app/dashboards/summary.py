"""A street's and a district's figures kept as computed (a snapshot per scope and period), so that a page view,
an export or a report reads one row instead of recounting the district (docs/dashboards.md, "Freshness").

    figures(scope, period) -> Served      the figures to show: a fresh snapshot, a stale one (a refresh asked
                                          for), or counted now and kept (none yet, or stale for too long)
    refresh(scope, period) -> built       count now and keep (the caller commits)
    tick(now) -> int                      `flask yishi tick`: the default period of every street and district

A snapshot holds numbers and data only (cells, detail rows): the labels and headers are written in the viewer's
language when it is served. A commit that changed a row a section counts, by the ORM or by a plain statement
through the session (a batch of votes), marks the snapshots of its communities' streets and districts stale (one
UPDATE as it commits, in its transaction: core.changes); a community's own dashboard stays live. Without a mark,
a snapshot is trusted for FRESH_FOR at most."""

from __future__ import annotations

import json
import logging
import sys
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import chain

import redis
from flask import current_app, has_request_context
from flask_babel import get_locale
from sqlalchemy import case, or_, select, update
from sqlalchemy.orm import Session

from app.communities.models import Community, District, Street
from app.core import changes
from app.core.models import utcnow
from app.core.realtime import redis_key, shared_redis
from app.dashboards import scopes
from app.dashboards.models import DashboardSnapshot
from app.dashboards.period import BY_YEAR, Period, default_period
from app.dashboards.registry import Scope, SectionData, Value, sections
from app.extensions import db
from app.notifications import schedule

logger = logging.getLogger(__name__)

FRESH_FOR = timedelta(hours=1)  # a snapshot nobody marked stale is trusted this long (a change missed is bounded)
INLINE_AFTER = timedelta(minutes=15)  # a stale snapshot this old is recounted while the viewer waits
REFRESH_LOCK_SECONDS = 300  # one background refresh of a snapshot asked for at a time


@dataclass
class Served:
    built: list[tuple[object, SectionData]]
    as_of: datetime  # when the figures were counted
    stale: bool = False  # data changed since: a refresh is under way
    kept: bool = False  # a snapshot (False: counted live, a community's dashboard)


def period_key(period: Period) -> str:
    return f"{period.start_text}|{period.end_text}|{period.by}"


def _members(scope: Scope) -> str:
    return ",".join(str(i) for i in sorted(scope.community_ids))


def _row(scope: Scope, period: Period) -> DashboardSnapshot | None:
    return db.session.scalar(
        select(DashboardSnapshot).where(
            DashboardSnapshot.level == scope.level,
            DashboardSnapshot.scope_id == scope.ident,
            DashboardSnapshot.period_key == period_key(period),
        )
    )


def figures(scope: Scope, period: Period, now: datetime | None = None, communities: bool = True) -> Served:
    """The scope's figures for the period (the caller has checked who may see them, and commits: a snapshot
    counted here is kept). `communities=False`: a district's figures per street and in all only (its page)."""
    now = now or utcnow()
    if scope.level == "community" or scope.ident is None or not scope.communities:
        return Served(scopes.figures(scope, period), now)
    row = _row(scope, period)
    if row is not None and row.communities == _members(scope):
        age = now - row.computed_at
        stale = row.stale_since is not None or age > FRESH_FOR
        if not stale or age <= INLINE_AFTER:
            more = row.more if communities and scope.by_streets else None
            built = _load(row.payload, period, more) if more != "" else None  # a district's without its communities
            if built is not None:
                if stale:
                    _ask_refresh(scope, period)
                return Served(built, row.computed_at, stale, kept=True)
    started = utcnow()
    return Served(refresh(scope, period), started, kept=True)


# -- keeping and reading ------------------------------------------------------------------------------------


def refresh(scope: Scope, period: Period) -> list[tuple[object, SectionData]]:
    """Count the scope's figures now and keep them (replacing the snapshot; a change committed while counting
    keeps it marked stale). The caller commits."""
    started = utcnow()
    clock = time.perf_counter()
    built = scopes.figures(scope, period)
    payload, more = _dump(built, scope)
    values = {
        "level": scope.level,
        "scope_id": scope.ident,
        "period_key": period_key(period),
        "communities": _members(scope),
        "payload": payload,
        "more": more,
        "computed_at": started,
        "millis": int((time.perf_counter() - clock) * 1000),
        "stale_since": None,
    }
    insert = _insert()
    statement = insert(DashboardSnapshot).values(**values)
    table = DashboardSnapshot.__table__
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.level, table.c.scope_id, table.c.period_key],
        set_={
            "communities": statement.excluded.communities,
            "payload": statement.excluded.payload,
            "more": statement.excluded.more,
            "computed_at": statement.excluded.computed_at,
            "millis": statement.excluded.millis,
            "stale_since": case((table.c.stale_since > started, table.c.stale_since), else_=None),
        },
    )
    db.session.execute(statement)
    return built


def _insert():
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _cells(figure, keep) -> list[list]:
    return [[unit, bucket, v.num, v.den] for (unit, bucket), v in figure.cells.items() if keep(unit)]


def _dump(built, scope: Scope) -> tuple[str, str]:
    """Numbers and data only: each figure's cells, each detail's rows (no label, no header). A district's
    communities' cells apart (`more`): its page shows its streets and the total only."""
    apart = scope.by_streets

    def shown(unit: str) -> bool:
        return not (apart and unit.startswith("c"))

    found, more = {}, {}
    for section, data in built:
        found[section.key] = {
            "figures": {f.key: _cells(f, shown) for f in data.figures},
            "details": [d.rows for d in data.details],
        }
        if apart:
            more[section.key] = {f.key: _cells(f, lambda unit: not shown(unit)) for f in data.figures}
    return _json(found), _json(more) if apart else ""


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_SHAPES: dict[tuple[str, str], list[tuple[object, SectionData]]] = {}


def _shape(period: Period) -> list[tuple[object, SectionData]]:
    """Every section's figures and details with no value, written in the viewer's language: built once per
    language and grouping in this process (over no community: a few empty queries)."""
    key = (str(get_locale() or ""), period.by)
    found = _SHAPES.get(key)
    if found is None:
        empty = Scope("street", "", [])
        probe = Period(start=(2000, 1), end=(2000, 12), by=period.by if period.by == BY_YEAR else "month")
        found = _SHAPES[key] = [(s, s.build(empty, probe)) for s in sections()]
    return found


def _load(payload: str, period: Period, more: str | None = None) -> list[tuple[object, SectionData]] | None:
    """A snapshot's numbers under today's labels (with `more`, a district's communities' cells too); None when
    the sections have changed since it was kept."""
    kept = json.loads(payload)
    extra = json.loads(more) if more else {}
    built = []
    for section, shape in _shape(period):
        part = kept.get(section.key)
        if part is None or len(part["details"]) != len(shape.details):
            return None
        cells = part["figures"]
        if set(cells) != {f.key for f in shape.figures}:
            return None
        added = extra.get(section.key, {})
        figures = [
            replace(f, cells={(u, b): Value(n, d) for u, b, n, d in chain(cells[f.key], added.get(f.key, ()))})
            for f in shape.figures
        ]
        details = [
            replace(d, rows=[[tuple(cell) for cell in row] for row in rows])
            for d, rows in zip(shape.details, part["details"], strict=True)
        ]
        built.append((section, SectionData(figures, details)))
    return built


# -- refreshing in the background ---------------------------------------------------------------------------


def _ask_refresh(scope: Scope, period: Period) -> None:
    """With Redis and the worker (DELIVERY_QUEUE=rq): one job per stale snapshot, whoever asks meanwhile. Without
    them, the tick refreshes the default period and a snapshot stale for INLINE_AFTER is recounted on view."""
    config = current_app.config
    if not config.get("REDIS_URL") or config.get("DELIVERY_QUEUE") != "rq":
        return
    from app.notifications import delivery

    args = (scope.level, scope.ident, period.start_text, period.end_text, period.by)
    try:
        lock = redis_key("dashboard-refresh", *map(str, args))
        if not shared_redis(config["REDIS_URL"]).set(lock, "1", nx=True, ex=REFRESH_LOCK_SECONDS):
            return
        delivery.queue().enqueue("app.dashboards.summary.job", *args)
    except (redis.RedisError, OSError) as err:  # the stale figures stay served; the tick or a later view refreshes
        logger.warning("dashboard refresh not queued (%s)", err)


def _scope_of(level: str, scope_id: int) -> Scope | None:
    if level == "district":
        district = db.session.get(District, scope_id)
        return scopes.district_scope_of(district) if district is not None else None
    street = db.session.get(Street, scope_id)
    return scopes.street_scope_of(street) if street is not None else None


def _refresh_in_context(scope: Scope, period: Period) -> None:
    """Detail rows hold links: counted outside a request (the worker, the tick), they are written in one."""
    if has_request_context():
        refresh(scope, period)
    else:
        with current_app.test_request_context():
            refresh(scope, period)


def job(level: str, scope_id: int, start: str, end: str, by: str) -> str:
    """The RQ job (run by `flask yishi worker` in the app's context): recount one snapshot."""
    try:
        scope = _scope_of(level, scope_id)
        if scope is None:
            return "gone"
        period = Period(start=tuple(map(int, start.split("-"))), end=tuple(map(int, end.split("-"))), by=by)
        _refresh_in_context(scope, period)
        db.session.commit()
        return "refreshed"
    finally:
        try:
            config = current_app.config
            shared_redis(config["REDIS_URL"]).delete(
                redis_key("dashboard-refresh", level, str(scope_id), start, end, by)
            )
        except (redis.RedisError, OSError, KeyError):
            pass
        db.session.remove()


def tick(now: datetime) -> int:
    """`flask yishi tick`: the default period of every district and street, recounted where missing or stale
    (each committed on its own). Returns how many were recounted."""
    period = default_period(now)
    kept = {
        (r.level, r.scope_id): r
        for r in db.session.scalars(select(DashboardSnapshot).where(DashboardSnapshot.period_key == period_key(period)))
    }
    targets = [("district", i) for i in db.session.scalars(select(District.id).order_by(District.id))]
    targets += [("street", i) for i in db.session.scalars(select(Street.id).order_by(Street.id))]
    done = 0
    for level, scope_id in targets:
        scope = _scope_of(level, scope_id)
        if scope is None or not scope.communities:
            continue
        row = kept.get((level, scope_id))
        trusted = row is not None and row.stale_since is None and row.communities == _members(scope)
        if trusted and now - row.computed_at <= FRESH_FOR / 2:  # and not about to run out
            continue
        _refresh_in_context(scope, period)
        db.session.commit()
        done += 1
    return done


# -- marking stale after a commit -------------------------------------------------------------------------


_COUNTED: set[type] | None = None


def _counted() -> set[type]:
    """The models the sections count (those their modules import): a change to one of them may change a figure."""
    global _COUNTED
    if _COUNTED is None:
        found = set()
        for name, module in list(sys.modules.items()):
            if name.startswith("app.dashboards.sections.") and module is not None:
                found |= {v for v in vars(module).values() if isinstance(v, type) and hasattr(v, "__table__")}
        found.discard(DashboardSnapshot)
        _COUNTED = found
    return _COUNTED


def _community_of(obj) -> int | None:
    """A counted row's community: a community's own row is its own; a row that names none (a vote, an
    attendance added as an object) may be in any."""
    return obj.id if isinstance(obj, Community) else changes.community_of(obj)


def _mark_stale(session: Session, communities: set) -> None:
    """As a transaction that changed a counted row commits, in it (core.changes): one UPDATE marks the snapshots of
    its communities' streets and districts stale (every snapshot when a change's community is not known). It waits
    for no lock: a snapshot another transaction holds is being marked by it, or written by a refresh, which keeps
    a mark made after its counting began; rows already stale are left as they are."""
    table = DashboardSnapshot.__table__
    chosen = select(table.c.id).where(table.c.stale_since.is_(None))
    if changes.EVERY not in communities:
        streets = select(Community.street_id).where(Community.id.in_(sorted(communities)))
        districts = select(Street.district_id).where(Street.id.in_(streets))
        chosen = chosen.where(
            or_(
                (table.c.level == "street") & table.c.scope_id.in_(streets),
                (table.c.level == "district") & table.c.scope_id.in_(districts),
            )
        )
    chosen = chosen.with_for_update(skip_locked=True)  # PostgreSQL; SQLite locks the whole database instead
    session.execute(update(table).where(table.c.id.in_(chosen)).values(stale_since=utcnow()))


changes.watch("dashboard snapshots", lambda: [m.__table__ for m in _counted()], _mark_stale, community_of=_community_of)


schedule.register("dashboard_summaries", tick)
