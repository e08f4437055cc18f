"""Deliberation: consultations opened, concluded, concluded with a decision (a motion carried), and the average
days from opening to conclusion."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, exists, func, select

from app.consultations.models import Consultation, Motion, MotionState
from app.dashboards.period import Period
from app.dashboards.registry import COUNT, DAYS, Figure, Scope, SectionData, section
from app.dashboards.sql import bucket, epoch_seconds, within
from app.extensions import db


def _link(community, _period):
    return url_for("consultations.index", slug=community.slug)


@section("deliberation", _l("Deliberation"), 20)
def build(scope: Scope, period: Period) -> SectionData:
    opened = Figure("consultations_opened", _("Consultations opened"), COUNT, _link)
    concluded = Figure("consultations_concluded", _("Consultations concluded"), COUNT, _link)
    decided = Figure("consultations_decided", _("Concluded with a decision"), COUNT, _link)
    days = Figure("days_to_conclude", _("Average days to conclude"), DAYS, _link)
    ids = scope.community_ids

    b = bucket(Consultation.opened_at, period)
    rows = db.session.execute(
        select(Consultation.community_id, b, func.count(), 0)
        .where(Consultation.community_id.in_(ids), within(Consultation.opened_at, period))
        .group_by(Consultation.community_id, b)
    )
    opened.add_rows(scope, rows)

    b = bucket(Consultation.concluded_at, period)
    carried = exists().where(Motion.consultation_id == Consultation.id, Motion.state == MotionState.CARRIED)
    took = epoch_seconds(Consultation.concluded_at) - epoch_seconds(Consultation.opened_at)
    rows = db.session.execute(
        select(
            Consultation.community_id,
            b,
            func.count(),
            func.sum(case((carried, 1), else_=0)),
            func.sum(case((Consultation.opened_at.is_not(None), took), else_=0)),
            func.count(Consultation.opened_at),
        )
        .where(Consultation.community_id.in_(ids), within(Consultation.concluded_at, period))
        .group_by(Consultation.community_id, b)
    ).all()
    concluded.add_rows(scope, [(cid, bk, n, 0) for cid, bk, n, _d, _s, _o in rows])
    decided.add_rows(scope, [(cid, bk, d, 0) for cid, bk, _n, d, _s, _o in rows])
    days.add_rows(scope, [(cid, bk, s, o) for cid, bk, _n, _d, s, o in rows])
    return SectionData([opened, concluded, decided, days])
