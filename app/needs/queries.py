"""Read-only questions other pages ask of needs: the published guidance items (contests, micro-projects and
service projects answer one), what happened lately (社区动态), what waits for a viewer (the home), and the
street's and district's aggregated counts (no names cross a community)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from app.communities.access import Viewer, overseen_community_ids
from app.communities.models import Community, Street
from app.extensions import db
from app.needs import permissions, services
from app.needs.models import Affected, GuidanceItem, Need, NeedEvent, NeedStatus

NEWS = (NeedStatus.SUBMITTED, NeedStatus.LISTED)
TOP = 3


def published_items(street: Street, year: int | None = None, community: Community | None = None) -> list[GuidanceItem]:
    """The published GuidanceItems of the street (or of one community, with the street-wide ones)."""
    return services.published_items(street, year=year, community=community)


def recent(viewer: Viewer, limit: int) -> list[tuple[datetime, NeedStatus, Need]]:
    """(when, the status it reached, need), newest first: needs raised and needs put on the guidance list."""
    if not viewer.may_see:
        return []
    query = (
        select(NeedEvent, Need)
        .join(Need, NeedEvent.need_id == Need.id)
        .where(Need.community_id == viewer.community_id, NeedEvent.to_status.in_(NEWS))
        .order_by(NeedEvent.created_at.desc(), NeedEvent.id.desc())
        .limit(limit)
    )
    return [(event.created_at, event.to_status, need) for event, need in db.session.execute(query).all()]


def awaiting_review(viewer: Viewer) -> list[Need]:
    """For community staff: needs submitted and not yet put to the experts or screened out."""
    if not permissions.can_review(viewer):
        return []
    query = select(Need).where(Need.community_id == viewer.community_id, Need.status == NeedStatus.SUBMITTED)
    return list(db.session.scalars(query.order_by(Need.id)))


def awaiting_score(viewer: Viewer) -> list[Need]:
    """For an expert covering the community: needs open to the experts they have not scored."""
    if viewer.user is None or not permissions.is_expert(viewer.user):
        return []
    return services.awaiting_score(viewer.user, viewer.community_id)


@dataclass
class CommunityCounts:
    community: Community
    by_status: Counter = field(default_factory=Counter)
    by_affected: Counter = field(default_factory=Counter)
    households: int = 0  # distinct households behind its open needs
    top: list[tuple[str, int]] = field(default_factory=list)  # (title, households), most first


def aggregated(user) -> list[tuple[Street, list[CommunityCounts]]]:
    """Per street the user oversees, per community: counts only (statuses, affected groups, households) and
    the titles of the needs most households stand behind."""
    ids = overseen_community_ids(user)
    if not ids:
        return []
    communities = list(db.session.scalars(select(Community).where(Community.id.in_(ids)).order_by(Community.id)))
    needs = list(db.session.scalars(select(Need).where(Need.community_id.in_(ids))))
    by_need = services.households_by_need(n.id for n in needs)
    counts = {c.id: CommunityCounts(c) for c in communities}
    households: dict[int, set[int]] = {c.id: set() for c in communities}
    ranked: dict[int, list[tuple[int, str]]] = {c.id: [] for c in communities}
    for need in needs:
        row = counts[need.community_id]
        row.by_status[need.status] += 1
        if need.status in permissions.OPEN:
            row.by_affected[need.affected] += 1
            behind = by_need.get(need.id, set())
            households[need.community_id] |= behind
            ranked[need.community_id].append((len(behind), need.title))
    for cid, row in counts.items():
        row.households = len(households[cid])
        row.top = [(title, n) for n, title in sorted(ranked[cid], key=lambda r: (-r[0], r[1]))[:TOP]]
    streets: dict[int, tuple[Street, list[CommunityCounts]]] = {}
    for community in communities:
        streets.setdefault(community.street_id, (community.street, []))[1].append(counts[community.id])
    return list(streets.values())


AFFECTED_ORDER = list(Affected)
STATUS_ORDER = list(NeedStatus)
