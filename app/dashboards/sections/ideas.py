"""Golden ideas: submitted, adopted, declined, implemented, and the median days from submission to a decision
(the first time it was adopted, declined or merged)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.communities.models import Community
from app.dashboards.period import Period
from app.dashboards.registry import COUNT, DAYS, Figure, Scope, SectionData, section
from app.dashboards.sections.common import median_at_levels
from app.dashboards.sql import bucket, epoch_seconds, within
from app.extensions import db
from app.ideas.models import Idea, IdeaEvent, IdeaStatus

DECIDED = (IdeaStatus.ADOPTED, IdeaStatus.DECLINED, IdeaStatus.MERGED)
COUNTED = (IdeaStatus.ADOPTED, IdeaStatus.DECLINED, IdeaStatus.IMPLEMENTED)


def _link(status: IdeaStatus | None):
    def link(community, _period):
        if status is None:
            return url_for("ideas.index", slug=community.slug)
        return url_for("ideas.index", slug=community.slug, status=status.value)

    return link


def _median(scope: Scope, period: Period) -> Figure:
    figure = Figure("days_to_decision", _("Median days to a decision"), DAYS, _link(None))
    first = (
        select(IdeaEvent.idea_id.label("idea_id"), func.min(IdeaEvent.created_at).label("at"))
        .join(Idea, IdeaEvent.idea_id == Idea.id)
        .where(Idea.community_id.in_(scope.community_ids), IdeaEvent.to_status.in_(DECIDED))
        .group_by(IdeaEvent.idea_id)
        .subquery()
    )
    base = (
        select(
            Idea.community_id.label("cid"),
            Community.street_id.label("sid"),
            bucket(first.c.at, period).label("b"),
            (epoch_seconds(first.c.at) - epoch_seconds(Idea.created_at)).label("v"),
        )
        .select_from(first)
        .join(Idea, Idea.id == first.c.idea_id)
        .join(Community, Idea.community_id == Community.id)
        .where(within(first.c.at, period))
        .subquery()
    )
    median_at_levels(figure, scope, base)
    return figure


@section("ideas", _l("Golden ideas"), 30)
def build(scope: Scope, period: Period) -> SectionData:
    submitted = Figure("ideas_submitted", _("Ideas submitted"), COUNT, _link(None))
    b = bucket(Idea.created_at, period)
    submitted.add_rows(
        scope,
        db.session.execute(
            select(Idea.community_id, b, func.count(), 0)
            .where(Idea.community_id.in_(scope.community_ids), within(Idea.created_at, period))
            .group_by(Idea.community_id, b)
        ),
    )
    by_status = {
        IdeaStatus.ADOPTED: Figure("ideas_adopted", _("Ideas adopted"), COUNT, _link(IdeaStatus.ADOPTED)),
        IdeaStatus.DECLINED: Figure("ideas_declined", _("Ideas declined"), COUNT, _link(IdeaStatus.DECLINED)),
        IdeaStatus.IMPLEMENTED: Figure(
            "ideas_implemented", _("Ideas implemented"), COUNT, _link(IdeaStatus.IMPLEMENTED)
        ),
    }
    b = bucket(IdeaEvent.created_at, period)
    rows = db.session.execute(
        select(Idea.community_id, b, IdeaEvent.to_status, func.count(IdeaEvent.idea_id.distinct()))
        .select_from(IdeaEvent)
        .join(Idea, IdeaEvent.idea_id == Idea.id)
        .where(
            Idea.community_id.in_(scope.community_ids),
            IdeaEvent.to_status.in_(COUNTED),
            within(IdeaEvent.created_at, period),
        )
        .group_by(Idea.community_id, b, IdeaEvent.to_status)
    ).all()
    for status, figure in by_status.items():
        figure.add_rows(scope, [(cid, bk, n, 0) for cid, bk, to, n in rows if to == status])
    return SectionData([submitted, *by_status.values(), _median(scope, period)])
