"""Needs (需求): submitted, the households supporting them (distinct), screened in (listed), declined, and the
guidance list's items published for a community."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.communities.models import Community
from app.dashboards.period import Period
from app.dashboards.registry import COUNT, Figure, Scope, SectionData, section
from app.dashboards.sections.common import distinct_at_levels
from app.dashboards.sql import bucket, within
from app.extensions import db
from app.needs.models import GuidanceItem, Need, NeedEvent, NeedStatus, NeedSupport

COUNTED = (NeedStatus.LISTED, NeedStatus.DECLINED)


def _link(status: NeedStatus | None):
    def link(community, _period):
        if status is None:
            return url_for("needs.index", slug=community.slug)
        return url_for("needs.index", slug=community.slug, status=status.value)

    return link


def _guidance(community, _period):
    return url_for("needs.community_guidance", slug=community.slug)


def _grouped(figure: Figure, scope: Scope, period: Period, model, column, *where) -> None:
    b = bucket(column, period)
    figure.add_rows(
        scope,
        db.session.execute(
            select(model.community_id, b, func.count(), 0)
            .where(model.community_id.in_(scope.community_ids), within(column, period), *where)
            .group_by(model.community_id, b)
        ),
    )


def _supporting(scope: Scope, period: Period) -> Figure:
    """Households counted once at each level however many needs they support (not additive)."""
    figure = Figure("needs_households", _("Households supporting needs"), COUNT, _link(None))
    base = (
        select(
            Need.community_id.label("cid"),
            Community.street_id.label("sid"),
            bucket(NeedSupport.created_at, period).label("b"),
            NeedSupport.household_id.label("v"),
        )
        .select_from(NeedSupport)
        .join(Need, NeedSupport.need_id == Need.id)
        .join(Community, Need.community_id == Community.id)
        .where(Need.community_id.in_(scope.community_ids), within(NeedSupport.created_at, period))
        .subquery()
    )
    distinct_at_levels(figure, scope, base)
    return figure


@section("needs", _l("Needs"), 35)
def build(scope: Scope, period: Period) -> SectionData:
    submitted = Figure("needs_submitted", _("Needs submitted"), COUNT, _link(None))
    _grouped(submitted, scope, period, Need, Need.created_at)
    by_status = {
        NeedStatus.LISTED: Figure("needs_listed", _("Needs screened in"), COUNT, _link(NeedStatus.LISTED)),
        NeedStatus.DECLINED: Figure("needs_declined", _("Needs declined"), COUNT, _link(NeedStatus.DECLINED)),
    }
    b = bucket(NeedEvent.created_at, period)
    rows = db.session.execute(
        select(Need.community_id, b, NeedEvent.to_status, func.count(NeedEvent.need_id.distinct()))
        .select_from(NeedEvent)
        .join(Need, NeedEvent.need_id == Need.id)
        .where(
            Need.community_id.in_(scope.community_ids),
            NeedEvent.to_status.in_(COUNTED),
            within(NeedEvent.created_at, period),
        )
        .group_by(Need.community_id, b, NeedEvent.to_status)
    ).all()
    for status, figure in by_status.items():
        figure.add_rows(scope, [(cid, bk, n, 0) for cid, bk, to, n in rows if to == status])
    published = Figure("guidance_published", _("Guidance items published"), COUNT, _guidance)
    _grouped(published, scope, period, GuidanceItem, GuidanceItem.published_at)  # withdrawn later: still counted
    return SectionData([submitted, _supporting(scope, period), *by_status.values(), published])
