"""The search: literal terms found in the viewer's community's documents, ranked, checked against the access
rule, and shown with their matches marked.

Ranking: a match in the title above any match in the body only; then the number of times the terms occur;
newer first on a tie. Every term must occur (words separated by spaces). On PostgreSQL the GIN index on the
characters and character pairs (the generated column grams) narrows the candidates first; the LIKE on each term then
keeps exactly the documents that contain it, on both databases (docs/search.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import case, cast, func, literal, literal_column, or_, select
from sqlalchemy.dialects.postgresql import TSQUERY

from app.core.clock import local_zone
from app.core.errors import DomainError
from app.extensions import db
from app.search import text
from app.search.models import SearchDocument
from app.search.registry import PROVIDERS, kinds_of

T = SearchDocument.__table__
GRAMS = literal_column("search_documents.grams")  # PostgreSQL only (the migration's generated column)
PER_PAGE = 20
MAX_PAGE = 50  # 1,000 results: a narrower search is more use than page 51
RANKED = PER_PAGE * MAX_PAGE  # the matches ranked: when more match, the newest (the page says so)

TOO_LONG = _l("Search for at most %(max)d characters.", max=text.MAX_QUERY)
TOO_MANY_TERMS = _l("Search for at most %(max)d words at once.", max=text.MAX_TERMS)
BAD_DATES = _l("The first day is after the last day.")


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    status: str = ""
    since: date | None = None
    until: date | None = None
    category: str = ""
    building_id: int | None = None


@dataclass(frozen=True)
class Hit:
    kind: str
    label: object
    title: Markup
    snippet: Markup
    context: str
    url: str
    status: object
    created_at: datetime


@dataclass(frozen=True)
class Results:
    terms: list[str]
    hits: list[Hit]
    total: int
    page: int
    pages: int

    @property
    def more(self) -> bool:
        """More matched than are ranked: the newest RANKED were."""
        return self.total > RANKED


def parse(query: str) -> list[str]:
    """The query's terms, or the reason it cannot be searched (a clear message, never an error page)."""
    if len(query or "") > text.MAX_QUERY:
        raise DomainError("query_too_long", TOO_LONG, field="q")
    found = text.terms(query)
    if len(found) > text.MAX_TERMS:
        raise DomainError("too_many_terms", TOO_MANY_TERMS, field="q")
    return found


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=local_zone())


def _conditions(community_id: int, terms: list[str], filters: Filters, dialect: str, *, exact: bool = True) -> list:
    """The WHERE of a search: the community, the gram index (PostgreSQL), each term literally (unless not
    `exact`: the gram index alone, a superset), the filters."""
    title, body = func.lower(T.c.title), func.lower(T.c.body)
    conds = [T.c.community_id == community_id]
    if dialect == "postgresql":  # the GIN index first; the LIKEs below keep the exact matches
        conds.append(GRAMS.op("@@")(cast(literal(text.tsquery(terms)), TSQUERY)))
    for term in terms if exact or dialect != "postgresql" else ():
        pattern = text.like_pattern(term)
        conds.append(or_(title.like(pattern, escape="\\"), body.like(pattern, escape="\\")))
    if filters.kind:
        conds.append(T.c.kind.in_(kinds_of(filters.kind)))
    if filters.status:
        conds.append(T.c.status == filters.status)
    if filters.category:
        conds.append(T.c.category == filters.category)
    if filters.building_id:
        conds.append(T.c.building_id == filters.building_id)
    if filters.since:
        conds.append(T.c.created_at >= _day_start(filters.since))
    if filters.until:
        conds.append(T.c.created_at < _day_start(filters.until + timedelta(days=1)))
    return conds


def _score(terms: list[str]):
    title, body = func.lower(T.c.title), func.lower(T.c.body)
    score = literal(0)
    for term in terms:
        pattern = text.like_pattern(term)
        in_title = case((title.like(pattern, escape="\\"), 1000), else_=0)
        count = (func.length(body) - func.length(func.replace(body, term, ""))) // len(term)
        score = score + in_title + count
    return score


def find(
    community_id: int, terms: list[str], filters: Filters, *, page: int = 1, dialect: str | None = None
) -> tuple[list, int]:
    """The page of matching documents (rows of search_documents) and how many there are (RANKED + 1: more).

    Ranking reads every document it ranks, so it ranks at most RANKED: when more match, the newest RANKED
    matches (as many as the pages show) are ranked, found newest first through the index on (community,
    created_at). (`dialect` other than the database's: the LIKEs alone, without the gram index; the
    benchmark's baseline.)"""
    dialect = dialect or db.session.get_bind().dialect.name
    conds = _conditions(community_id, terms, filters, dialect)
    matching = select(T.c.id).where(*conds).limit(RANKED + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(matching))
    if total > RANKED:
        loose = _conditions(community_id, terms, filters, dialect, exact=False)
        newest = select(T.c.id).where(*loose).order_by(T.c.created_at.desc()).limit(RANKED)
        conds = [*conds, T.c.id.in_(newest.scalar_subquery())]
    score = _score(terms).label("score")
    query = (
        select(T, score)
        .where(*conds)
        .order_by(score.desc(), T.c.created_at.desc(), T.c.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    return db.session.execute(query).all(), total


def search(viewer, query: str, filters: Filters, *, page: int = 1) -> Results:
    """What the viewer may see in their community that holds every term of the query."""
    terms = parse(query)
    if filters.since and filters.until and filters.since > filters.until:
        raise DomainError("bad_dates", BAD_DATES, field="until")
    page = min(max(page, 1), MAX_PAGE)
    if not terms:
        return Results([], [], 0, 1, 0)
    rows, total = find(viewer.community.id, terms, filters, page=page)
    hits = _hits(viewer, rows, terms)
    pages = -(-min(total, RANKED) // PER_PAGE)
    return Results(terms, hits, total, page, pages)


def _hits(viewer, rows, terms: list[str]) -> list[Hit]:
    """The rows as results, each object loaded and checked with its feature's own rule."""
    wanted: dict[str, list[int]] = {}
    for r in rows:
        wanted.setdefault(r.kind, []).append(r.object_id)
    objects = {}
    for kind, ids in wanted.items():
        model = PROVIDERS[kind].model
        for obj in db.session.scalars(select(model).where(model.id.in_(ids))):
            objects[(kind, obj.id)] = obj
    hits = []
    for r in rows:
        provider, obj = PROVIDERS.get(r.kind), objects.get((r.kind, r.object_id))
        if provider is None or obj is None or not provider.can_view(viewer, obj):
            continue
        context = provider.context(obj) if provider.context else ""
        hits.append(
            Hit(
                kind=r.kind,
                label=provider.label,
                title=text.highlight(r.title or context, terms),
                snippet=text.snippet(r.body, terms),
                context=context if r.title else "",
                url=provider.url(obj),
                status=provider.statuses.get(r.status, r.status),
                created_at=r.created_at,
            )
        )
    return hits
