"""Service projects (公益服务项目): calls published, contracts signed (their totals), paid and paid per household,
milestones evaluated and milestones paid."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.dashboards.period import Period
from app.dashboards.registry import COUNT, FEN, FEN_PER, Figure, Scope, SectionData, section
from app.dashboards.sql import bucket, within
from app.extensions import db
from app.procurement.models import Contract, Evaluation, Milestone, Payment, ServiceCall


def _link(community, _period):
    return url_for("procurement.index", slug=community.slug)


def _rows(scope: Scope, period: Period, column, *value, joins=(), model=Contract):
    """(community, bucket, value..., ) of the rows whose `column` falls in the period, grouped."""
    b = bucket(column, period)
    query = select(model.community_id, b, *value).select_from(column.table)
    for target, on in joins:
        query = query.join(target, on)
    return db.session.execute(
        query.where(model.community_id.in_(scope.community_ids), within(column, period)).group_by(model.community_id, b)
    ).all()


@section("services", _l("Service projects"), 45)
def build(scope: Scope, period: Period) -> SectionData:
    calls = Figure("service_calls", _("Service calls published"), COUNT, _link)
    contracted = Figure("service_contracted", _("Contracts' totals"), FEN, _link)
    paid = Figure("service_paid", _("Paid to organisations"), FEN, _link)
    per_household = Figure("service_paid_per_household", _("Paid per household"), FEN_PER, _link)
    evaluated = Figure("milestones_evaluated", _("Milestones evaluated"), COUNT, _link)
    milestones_paid = Figure("milestones_paid", _("Milestones paid"), COUNT, _link)

    calls.add_rows(scope, _rows(scope, period, ServiceCall.created_at, func.count(), 0, model=ServiceCall))
    contracted.add_rows(scope, _rows(scope, period, Contract.created_at, func.sum(Contract.total_fen), 0))
    payments = _rows(
        scope,
        period,
        Payment.created_at,
        func.sum(Payment.amount_fen),
        func.count(),
        joins=[(Contract, Payment.contract_id == Contract.id)],
    )
    paid.add_rows(scope, [(cid, b, fen, 0) for cid, b, fen, _n in payments])
    per_household.add_rows(scope, [(cid, b, fen, 0) for cid, b, fen, _n in payments])
    per_household.divide_by_households(scope, period.buckets())
    milestones_paid.add_rows(scope, [(cid, b, n, 0) for cid, b, _fen, n in payments])
    evaluated.add_rows(
        scope,
        _rows(
            scope,
            period,
            Evaluation.signed_at,
            func.count(),
            0,
            joins=[
                (Milestone, Evaluation.milestone_id == Milestone.id),
                (Contract, Milestone.contract_id == Contract.id),
            ],
        ),
    )
    return SectionData([calls, contracted, paid, per_household, evaluated, milestones_paid])
