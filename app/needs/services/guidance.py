"""The year's project guidance list (项目指引清单): staff make items from screened needs (community staff for
their community, street staff for street-wide items), then publish the year's list; the needs on it become
LISTED and their authors are told. Each item counts the distinct households behind it."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.communities.models import Community, Street
from app.core import audit, validation
from app.core.errors import DomainError, Forbidden
from app.core.models import utcnow
from app.extensions import db
from app.needs import permissions
from app.needs.models import GuidanceItem, GuidanceStatus, Need, NeedStatus
from app.needs.services.needs import affected_of, households_by_need, move

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_FEN = 2_000_000_000


@dataclass(frozen=True)
class Scope:
    """Where an item belongs: a community's list, or its street's (community None)."""

    street: Street
    community: Community | None

    def community_ids(self) -> list[int]:
        if self.community is not None:
            return [self.community.id]
        return [c.id for c in self.street.communities]


def year_of(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_YEAR <= value <= MAX_YEAR:
        raise DomainError("bad_request", _l("Give a year from 2000 to 2100."), field="year")
    return value


def screened_needs(scope: Scope) -> list[Need]:
    """Needs whose screening staff closed, not declined and on no item yet: what an item is made of."""
    query = (
        select(Need)
        .where(
            Need.community_id.in_(scope.community_ids()),
            Need.status == NeedStatus.SCREENING,
            Need.screening_closed_at.is_not(None),
            Need.guidance_item_id.is_(None),
        )
        .order_by(Need.id)
    )
    return list(db.session.scalars(query))


def make_item(actor, scope: Scope, *, need_ids, title, summary, affected, cost_low_fen, cost_high_fen, year):
    """An item of the list, a draft, made of screened needs of the scope, by community staff of the community
    or street staff of the street for a street-wide item."""
    if not permissions.can_make_guidance(actor, scope.street, scope.community):
        raise Forbidden()
    year = year_of(year)
    title = validation.text(title, field="title", low=2, high=120, message=_l("Give a title of 2 to 120 characters."))
    summary = validation.text(
        summary, field="summary", low=5, high=2000, message=_l("Summarise the item in 5 to 2000 characters.")
    )
    for name, value in (("cost_low_fen", cost_low_fen), ("cost_high_fen", cost_high_fen)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_FEN:
            raise DomainError("bad_request", _l("Give the cost band in yuan."), field=name)
    if cost_low_fen > cost_high_fen:
        raise DomainError("bad_request", _l("The band's upper bound is below its lower bound."), field="cost_high_fen")
    eligible = {n.id: n for n in screened_needs(scope)}
    ids = list(dict.fromkeys(need_ids or []))
    if not ids or any(i not in eligible for i in ids):
        raise DomainError("bad_request", _l("Choose one or more screened needs."), field="need_ids")
    item = GuidanceItem(
        street_id=scope.street.id,
        community_id=scope.community.id if scope.community else None,
        year=year,
        title=title,
        summary=summary,
        affected=affected_of(affected),
        cost_low_fen=cost_low_fen,
        cost_high_fen=cost_high_fen,
        created_by_id=actor.id,
    )
    db.session.add(item)
    db.session.flush()
    for i in ids:
        eligible[i].guidance_item_id = item.id
    audit.record(actor, "guidance.item", item, community_id=item.community_id, needs=len(ids))
    db.session.flush()
    return item


def items(scope: Scope, year: int, *, status: GuidanceStatus | None = GuidanceStatus.PUBLISHED) -> list[GuidanceItem]:
    query = select(GuidanceItem).where(GuidanceItem.street_id == scope.street.id, GuidanceItem.year == year)
    if scope.community is None:
        query = query.where(GuidanceItem.community_id.is_(None))
    else:
        query = query.where(GuidanceItem.community_id == scope.community.id)
    if status is not None:
        query = query.where(GuidanceItem.status == status)
    return list(db.session.scalars(query.order_by(GuidanceItem.id)))


def drafts(scope: Scope) -> list[GuidanceItem]:
    """The scope's draft items, of every year."""
    query = select(GuidanceItem).where(
        GuidanceItem.street_id == scope.street.id, GuidanceItem.status == GuidanceStatus.DRAFT
    )
    if scope.community is None:
        query = query.where(GuidanceItem.community_id.is_(None))
    else:
        query = query.where(GuidanceItem.community_id == scope.community.id)
    return list(db.session.scalars(query.order_by(GuidanceItem.year, GuidanceItem.id)))


def years(scope: Scope) -> list[int]:
    query = select(GuidanceItem.year).where(
        GuidanceItem.street_id == scope.street.id, GuidanceItem.status == GuidanceStatus.PUBLISHED
    )
    if scope.community is None:
        query = query.where(GuidanceItem.community_id.is_(None))
    else:
        query = query.where(GuidanceItem.community_id == scope.community.id)
    return sorted(set(db.session.scalars(query)), reverse=True)


def households_behind(found: list[GuidanceItem]) -> dict[int, int]:
    """Per item, the distinct households behind its needs (supporters and authors)."""
    needs = [n for item in found for n in item.needs if n.status != NeedStatus.WITHDRAWN]
    by_need = households_by_need(n.id for n in needs)
    counts = {}
    for item in found:
        households: set[int] = set()
        for need in item.needs:
            households |= by_need.get(need.id, set())
        counts[item.id] = len(households)
    return counts


def publish(actor, scope: Scope, year) -> list[GuidanceItem]:
    """Publish the scope's draft items of the year; their needs become LISTED and the authors are told.
    Community staff publish their community's list, street staff their street's street-wide one."""
    if not permissions.can_make_guidance(actor, scope.street, scope.community):
        raise Forbidden()
    drafts = items(scope, year_of(year), status=GuidanceStatus.DRAFT)
    if not drafts:
        raise DomainError("nothing_to_publish", _l("There is no draft item of this year to publish."), status=409)
    now = utcnow()
    for item in drafts:
        item.status = GuidanceStatus.PUBLISHED
        item.published_at = now
        for need in item.needs:
            if need.status == NeedStatus.SCREENING:
                move(actor, need, NeedStatus.LISTED, item.title[:300])
    audit.record(actor, "guidance.published", drafts[0], community_id=drafts[0].community_id, items=len(drafts))
    db.session.flush()
    return drafts


def published_items(street: Street, year: int | None = None, community: Community | None = None) -> list[GuidanceItem]:
    """Published items of the street (its communities' and its street-wide ones), or of one community and
    the street-wide ones that cover it; of one year or all."""
    query = select(GuidanceItem).where(
        GuidanceItem.street_id == street.id, GuidanceItem.status == GuidanceStatus.PUBLISHED
    )
    if community is not None:
        query = query.where((GuidanceItem.community_id == community.id) | GuidanceItem.community_id.is_(None))
    if year is not None:
        query = query.where(GuidanceItem.year == year)
    return list(db.session.scalars(query.order_by(GuidanceItem.year.desc(), GuidanceItem.id)))
