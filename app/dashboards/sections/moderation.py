"""Moderation: reports of content, content hidden (by a moderator or automatically), members muted."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.dashboards.period import Period
from app.dashboards.registry import COUNT, Figure, Scope, SectionData, section
from app.dashboards.sql import bucket, within
from app.extensions import db
from app.moderation.models import ModerationAction, Mute, Report

HIDES = ("hide", "auto_hide")


def _grouped(model, *where):
    def rows(scope: Scope, period: Period):
        b = bucket(model.created_at, period)
        return db.session.execute(
            select(model.community_id, b, func.count(), 0)
            .where(model.community_id.in_(scope.community_ids), within(model.created_at, period), *where)
            .group_by(model.community_id, b)
        )

    return rows


@section("moderation", _l("Content moderation"), 50)
def build(scope: Scope, period: Period) -> SectionData:
    """No list behind these: the moderator's log is shown in each room, not per community."""
    figures = []
    for key, label, rows in (
        ("reports", _("Reports"), _grouped(Report)),
        ("hides", _("Content hidden"), _grouped(ModerationAction, ModerationAction.action.in_(HIDES))),
        ("mutes", _("Members muted"), _grouped(Mute)),
    ):
        figure = Figure(key, label, COUNT)
        figure.add_rows(scope, rows(scope, period))
        figures.append(figure)
    return SectionData(figures)
